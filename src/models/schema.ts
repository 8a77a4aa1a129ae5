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
