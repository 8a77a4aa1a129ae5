import { z } from "zod";

/**
 * JSON schemas of the model files (DESIGN.md "Model files"). Structural checks live here (zod names the
 * field of every error); the checks that need linear algebra (shapes agree, covariances are PSD) live in
 * `parse.ts` and name their field the same way. Every object is strict: an unknown key (`"label"` for `"labels"`)
 * is an error with a "did you mean" (parse.ts), never silently ignored.
 */
const vector = z.array(z.number()).min(1, "must have at least one entry");
const matrix = z.array(vector).min(1, "must have at least one row");
const label = z.union([z.number().int(), z.string()]);
const common = { name: z.string().optional(), description: z.string().optional() };
/**
 * The image shape of each point, `[H, W]` (grey) or `[C, H, W]` (channels first), row-major: pixel (c, i, j) is
 * coordinate `(c·H + i)·W + j`. Its product must equal the dimension D (checked in parse.ts).
 */
const imageShape = z
  .array(z.number().int("must be integers").positive("must be positive"))
  .min(2, "must be [H, W] or [C, H, W]")
  .max(3, "must be [H, W] or [C, H, W]");

export const deltasSchema = z.strictObject({
  kind: z.literal("deltas"),
  points: matrix,
  weights: z.array(z.number().nonnegative("must be non-negative")).optional(),
  labels: z.array(label).optional(),
  shape: imageShape.optional(),
  ...common,
});

export const gaussianSchema = z.strictObject({
  kind: z.literal("gaussian"),
  mean: vector,
  cov: matrix,
  ...common,
});

export const gmmSchema = z.strictObject({
  kind: z.literal("gmm"),
  components: z
    .array(
      z.strictObject({
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

export const sphereSchema = z.strictObject({
  kind: z.literal("sphere"),
  dim: z.number().int().min(2, "must be at least 2"),
  radius: z.number().positive("must be positive").default(1),
  ...common,
});

export const isingSchema = z.strictObject({
  kind: z.literal("ising"),
  couplings: matrix,
  temperature: z.number().positive("must be positive"),
  ...common,
});

export const datasetSchema = z.strictObject({
  kind: z.literal("dataset"),
  path: z.string().min(1, "must name a file"),
  /** The array of an `.npz` `path` to read (default: its only array, else `x`, else `arr_0`). */
  array: z.string().min(1, "must name an array of the .npz file").optional(),
  labels: z.string().min(1, "must name a file").optional(),
  /** The array of an `.npz` `labels` file to read (default: its only array, else `y`, `labels`, `arr_1`). */
  labelsArray: z.string().min(1, "must name an array of the .npz file").optional(),
  /** Image shape of each point ([H, W] or [C, H, W], product = the array's second dimension). */
  shape: imageShape.optional(),
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
  seed: z.number().int("must be an integer").min(0, "must be in [0, 4294967295]").max(2 ** 32 - 1, "must be in [0, 4294967295]").optional(),
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

/** Unwraps optional / default / nullable wrappers of a schema. */
function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (;;) {
    const def = (s as unknown as { def: { type: string; innerType?: z.ZodType } }).def;
    if ((def.type === "optional" || def.type === "default" || def.type === "nullable" || def.type === "prefault") && def.innerType) s = def.innerType;
    else return s;
  }
}

/**
 * The keys the object at `path` of `schema` knows (`["components", 0]` of the gmm schema → weight, mean, cov,
 * variance, label); undefined where the path leads to no object schema.
 */
export function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] | undefined {
  let s = unwrap(schema);
  for (const p of path) {
    if (s instanceof z.ZodObject && typeof p === "string") s = unwrap(s.shape[p] as z.ZodType);
    else if (s instanceof z.ZodArray) s = unwrap(s.element as z.ZodType);
    else return undefined;
    if (!s) return undefined;
  }
  return s instanceof z.ZodObject ? Object.keys(s.shape) : undefined;
}
