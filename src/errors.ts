/**
 * The one error type thrown at the library's boundaries (model parsing, file reading, CLI options).
 * Its message names the offending field or file, e.g. `components[1].cov: not positive semi-definite`.
 * Inner numeric kernels never throw: they return NaN for bad parameters.
 */
export class InfodynError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InfodynError";
  }
}
