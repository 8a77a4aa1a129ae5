// The node-count study behind NODE_INTERVALS (src/analysis/schedule/model-profile.ts): entropic and rescaled-entropic
// levels (16 steps) from profiles tabulated on 32, 48, 64 and 128 log-σ intervals, compared with each other in units
// of their Monte Carlo standard errors (digits, Monte Carlo mmse) and with the exact route (a 2-D model, exact node
// values: the trapezoid's own error). Run after `npm run build`:
//   node test/schedule-nodes-study.mjs examples/digits.json [samples]      (Monte Carlo model)
//   node test/schedule-nodes-study.mjs examples/four-deltas.json           (exact node values vs exact route)
//   node test/schedule-nodes-study.mjs examples/gmm-1d.json                (the same, 1-D)
import { installNativeBackend } from "../dist/node/native.js";
import { loadModel } from "../dist/cli/files.js";
import { defaultSigmaRange } from "../dist/analysis/scale.js";
import { entropicProfile, entropicLevels, nodeMmse, modelMmse, profilePlan } from "../dist/analysis/schedule/index.js";

installNativeBackend();
const [file, samplesText = "4000"] = process.argv.slice(2);
const model = loadModel(file).model;
const { min, max } = defaultSigmaRange(model);
const samples = Number(samplesText);
const plan = profilePlan(model, min, { samples });
console.log(`${file}: D = ${model.dim}, σ ∈ [${min.toPrecision(4)}, ${max.toPrecision(4)}], route ${plan.route} (${plan.method}), ${samples} draws per node`);
const n = 16;
const runs = [];
for (const N of [32, 48, 64, 128]) {
  const t0 = Date.now();
  // exact models are tabulated too (exact node values, no standard error), to measure the rule's own error
  const source = plan.route === "exact" ? { ...plan.source, exact: false } : plan.source;
  const p = entropicProfile(source, min, max, { intervals: N });
  const H = entropicLevels(p, "H", n);
  const R = entropicLevels(p, "R", n);
  runs.push({ N, H, R, s: (Date.now() - t0) / 1000 });
  console.log(`N = ${N}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
let reference;
if (plan.route !== "monte-carlo") {
  // the exact values on the Gauss–Legendre route (slow for 2-D quadrature: minutes)
  const exact = { ...modelMmse(model), exact: true, at: (s) => plan.source.at(s, 0) };
  const p = entropicProfile(exact, min, max, { intervals: plan.route === "exact" ? 128 : 32 });
  reference = { H: entropicLevels(p, "H", n), R: entropicLevels(p, "R", n) };
}
for (const clock of ["H", "R"]) {
  console.log(`\nclock ${clock}: level i, σ_i (N = 128) and, per N, (σ_i(N) − σ_i(128)) / σ_i(128) [÷ combined SE]`);
  const ref = runs[runs.length - 1][clock];
  for (let i = 1; i < n; i++) {
    const cells = runs.map((r) => {
      const d = r[clock].sigma[i] - ref.sigma[i];
      const se = Math.hypot(r[clock].standardError[i], r.N === 128 ? 0 : ref.standardError[i]);
      return `${(d / ref.sigma[i]).toExponential(1)}${se > 0 ? ` [${(d / se).toFixed(2)}]` : ""}`;
    });
    const rel = (ref.standardError[i] / ref.sigma[i]).toExponential(1);
    const ex = reference ? ` exact ${reference[clock].sigma[i].toPrecision(6)}: ${runs.map((r) => ((r[clock].sigma[i] - reference[clock].sigma[i]) / reference[clock].sigma[i]).toExponential(1)).join(" ")}` : "";
    console.log(`${String(i).padStart(2)} ${ref.sigma[i].toPrecision(5).padStart(9)} SE/σ ${rel}  ${cells.join("  ")}${ex}`);
  }
}
