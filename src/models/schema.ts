import { z } from "zod";

/**
 * JSON schemas of the model files (DESIGN.md "Model files"). Structural checks live here (zod names the
 * field of every error); the checks that need linear algebra (shapes agree, covariances are PSD) live in
 * `parse.ts` and name their field the same way.
 */
const vector = z.array(z.number()).min(1, "must have at least one entry");
const matrix = z.array(vector).min(1, "must have at least one row");
const label = z.union([z.number().int(), z.string()]);
const common = { name: z.string().optional(), description: z.string().optional() };

export const deltasSchema = z.object({
  kind: z.literal("deltas"),
  points: matrix,
  weights: z.array(z.number().nonnegative("must be non-negative")).optional(),
  labels: z.array(label).optional(),
  ...common,
});

export const gaussianSchema = z.object({
  kind: z.literal("gaussian"),
  mean: vector,
  cov: matrix,
  ...common,
});

export const gmmSchema = z.object({
  kind: z.literal("gmm"),
  components: z
    .array(
      z.object({
        weight: z.number().positive("must be positive"),
        mean: vector,
        cov: matrix.optional(),
        variance: z.number().nonnegative("must be non-negative").optional(),
        label: z.string().optional(),
      }),
    )
    .min(1, "must have at least one component"),
  ...common,
});

export const sphereSchema = z.object({
  kind: z.literal("sphere"),
  dim: z.number().int().min(2, "must be at least 2"),
  radius: z.number().positive("must be positive").default(1),
  ...common,
});

export const isingSchema = z.object({
  kind: z.literal("ising"),
  couplings: matrix,
  temperature: z.number().positive("must be positive"),
  ...common,
});

export const datasetSchema = z.object({
  kind: z.literal("dataset"),
  path: z.string().min(1, "must name a file"),
  labels: z.string().min(1, "must name a file").optional(),
  ...common,
});

export const onnxSchema = z.object({
  kind: z.literal("onnx"),
  path: z.string(),
  parameterization: z.enum(["eps", "x0", "score"]),
  process: z.enum(["ve", "edm", "vp-linear", "vp-cosine"]),
  ...common,
});

/**
 * A network test bed (`score/testbed.ts`): an exact model wrapped as an asynchronous float32 denoiser, optionally
 * shrunk, biased and noisy, plus `samples` data points drawn from the model with `seed` (the data expectations
 * are taken over). `model` is a model object of any exact kind, or the path of a model file (relative to this one).
 * Unknown fields are errors, so a misspelt perturbation is not silently ignored.
 */
export const testbedSchema = z.strictObject({
  kind: z.literal("testbed"),
  model: z.union([z.string().min(1, "must name a model file"), z.looseObject({ kind: z.string() })], {
    error: "must be a model (an object with a kind) or the path of a model file",
  }),
  shrink: z.number().min(0, "must be in [0, 1]").max(1, "must be in [0, 1]").optional(),
  centre: vector.optional(),
  bias: vector.optional(),
  noise: z.number().nonnegative("must be non-negative").optional(),
  float32: z.boolean().optional(),
  samples: z.number().int("must be an integer").min(1, "must be at least 1").max(10_000_000, "must be at most 10⁷").optional(),
  seed: z.number().int("must be an integer").optional(),
  ...common,
});

export type TestbedSpec = z.infer<typeof testbedSchema>;

/** Model files that describe a denoiser rather than a data model (they load as a denoiser plus data samples). */
export const denoiserSchemas = { testbed: testbedSchema } as const;

export const modelSchemas = {
  deltas: deltasSchema,
  gaussian: gaussianSchema,
  gmm: gmmSchema,
  sphere: sphereSchema,
  ising: isingSchema,
  dataset: datasetSchema,
  onnx: onnxSchema,
} as const;

export type ModelKind = keyof typeof modelSchemas;
export type ModelSpec = { [K in ModelKind]: z.infer<(typeof modelSchemas)[K]> }[ModelKind];

/** `["components", 1, "cov"]` → `components[1].cov`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) {
    if (typeof p === "number") out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out || "(root)";
}
