/**
 * Readers for delimited text: numeric tables (`parseCsv`) and one-column label files
 * (`parseLabelsCsv`).
 *
 * Splitting into records is csv-parse's synchronous parser, imported from its browser build
 * (`csv-parse/browser/esm/sync`): the default `csv-parse/sync` entry relies on Node's global
 * `Buffer`, while the browser build is self-contained (it bundles its own Buffer shim) and imports
 * no Node module. This module adds delimiter detection, header detection, strict number parsing and
 * error messages that name the file, line and column.
 */
import { parse } from "csv-parse/browser/esm/sync";
import { InfodynError } from "../errors.js";
import type { NumericArray } from "./array.js";

/** Options of {@link parseCsv}. */
export interface CsvOptions {
  /**
   * Whether the first row is a header. `"auto"` (default): it is when none of its fields is a
   * number. A first row that mixes numbers and text is read as data, so a typo is reported
   * instead of silently becoming a header.
   */
  header?: boolean | "auto";
  /**
   * Field delimiter. Default: detected from the first non-comment line — the most frequent of
   * `,` `;` and tab; when none occurs, fields are separated by runs of spaces/tabs (the format of
   * `np.savetxt` with its defaults).
   */
  delimiter?: "," | ";" | "\t" | "whitespace";
}

/** A numeric table read from text; `dtype` is `'text'`. */
export interface CsvArray extends NumericArray {
  /** Column names, when the file has a header row. */
  header?: string[];
}

/** Result of {@link parseLabelsCsv}. */
export interface LabelsCsv {
  /** One label per data line: all numbers when every label is numeric, otherwise all strings. */
  labels: (number | string)[];
  /** The header (column name), when the file has one. */
  header?: string;
}

/** Options of {@link parseLabelsCsv}. */
export interface LabelsCsvOptions {
  /**
   * Whether the first line is a header. `"auto"` (default): it is when it is not a number while
   * all other labels are, or when it is one of the usual column names `label`, `labels`, `class`,
   * `target`, `category` (any case). String labels under another header name need `header: true`.
   */
  header?: boolean | "auto";
}

const COMMON_LABEL_HEADERS = new Set(["label", "labels", "class", "target", "category"]);

/** A record and the (1-based) line it ends on. */
interface Row {
  fields: string[];
  line: number;
}

function fail(name: string, message: string): never {
  throw new InfodynError(`${name}: ${message}`);
}

const NUMBER = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf(?:inity)?|nan)$/i;

/**
 * Parses one field as a number: decimal integers and floats with optional exponent, and
 * `inf`/`infinity`/`nan` in any case with optional sign (as `np.savetxt` writes them). Returns
 * undefined for anything else, including empty fields and hexadecimal. Decimal conversion is
 * JavaScript's, which is correctly rounded, so `%.17g` text reads back bit for bit.
 */
export function parseNumberField(text: string): number | undefined {
  if (!NUMBER.test(text)) return undefined;
  const lower = text.toLowerCase();
  const body = lower.replace(/^[+-]/, "");
  if (body === "nan") return NaN;
  if (body === "inf" || body === "infinity") return lower.startsWith("-") ? -Infinity : Infinity;
  return Number(text);
}

/** Line endings → `\n`; whitespace-only and `#` lines → empty (skipped). Keeps line numbers. */
function cleanLines(text: string): string[] {
  return text
    .replace(/^\uFEFF/, "")
    .split(/\r\n|\r|\n/)
    .map((line) => {
      const t = line.trim();
      return t === "" || t.startsWith("#") ? "" : line;
    });
}

function detectDelimiter(lines: string[]): "," | ";" | "\t" | undefined {
  const first = lines.find((l) => l !== "");
  if (first === undefined) return undefined;
  let best: "," | ";" | "\t" | undefined;
  let bestCount = 0;
  for (const d of [",", ";", "\t"] as const) {
    const count = first.split(d).length - 1;
    if (count > bestCount) {
      best = d;
      bestCount = count;
    }
  }
  return best;
}

function readRows(lines: string[], delimiter: string, commentInfix: boolean, name: string): Row[] {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(lines.join("\n"), {
      delimiter,
      comment: commentInfix ? "#" : "",
      skip_empty_lines: true,
      trim: true,
      relax_column_count: true,
      info: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    fail(name, why);
  }
  return records.map((r) => ({ fields: r.record, line: r.info.lines }));
}

/**
 * Parses a 2-D numeric table from CSV-like text into a C-order float64 array of shape
 * `[rows, columns]`.
 *
 * Blank lines and `#` comments (whole-line or trailing) are ignored; an optional header row is
 * detected (see {@link CsvOptions.header}); the delimiter is detected (see
 * {@link CsvOptions.delimiter}); fields may be quoted. Errors name the file, line and column:
 * `data.csv: line 3, column 2: 'abc' is not a number`, `data.csv: line 4 has 3 columns, expected 2`.
 */
export function parseCsv(text: string, name = "data.csv", options: CsvOptions = {}): CsvArray {
  let lines = cleanLines(text);
  const delimiterOption = options.delimiter ?? detectDelimiter(lines) ?? "whitespace";
  let delimiter: string = delimiterOption;
  if (delimiterOption === "whitespace") {
    // Runs of spaces/tabs are one separator: collapse them (line by line, keeping line numbers).
    lines = lines.map((l) => l.trim().replace(/[ \t]+/g, " "));
    delimiter = " ";
  }
  const rows = readRows(lines, delimiter, true, name);
  if (rows.length === 0) fail(name, "no data (the file is empty or holds only comments)");

  const first = rows[0];
  const headerOption = options.header ?? "auto";
  const hasHeader =
    headerOption === "auto" ? first.fields.every((f) => parseNumberField(f) === undefined) : headerOption;
  const columns = first.fields.length;
  const body = hasHeader ? rows.slice(1) : rows;
  const data = new Float64Array(body.length * columns);
  body.forEach((row, r) => {
    if (row.fields.length !== columns) {
      fail(name, `line ${row.line} has ${row.fields.length} column${row.fields.length === 1 ? "" : "s"}, expected ${columns}`);
    }
    row.fields.forEach((field, c) => {
      const v = parseNumberField(field);
      if (v === undefined) fail(name, `line ${row.line}, column ${c + 1}: '${field}' is not a number`);
      data[r * columns + c] = v;
    });
  });
  const out: CsvArray = { shape: [body.length, columns], data, dtype: "text" };
  if (hasHeader) out.header = first.fields;
  return out;
}

/**
 * Parses a one-column label file: one label per line, numbers or strings. Blank lines and
 * whole-line `#` comments are skipped (a `#` inside a label is kept). The header is detected as in
 * {@link LabelsCsvOptions.header}. When every label is a number they come back as numbers,
 * otherwise all come back as the strings written (trimmed).
 */
export function parseLabelsCsv(text: string, name = "labels.csv", options: LabelsCsvOptions = {}): LabelsCsv {
  const lines = cleanLines(text);
  const rows = readRows(lines, detectDelimiter(lines) ?? ",", false, name);
  if (rows.length === 0) fail(name, "no labels (the file is empty or holds only comments)");
  for (const row of rows) {
    if (row.fields.length !== 1) {
      fail(name, `line ${row.line} has ${row.fields.length} columns, expected 1 (a label file has one column)`);
    }
  }
  const values = rows.map((r) => r.fields[0]);
  const numbers = values.map(parseNumberField);
  const headerOption = options.header ?? "auto";
  const hasHeader =
    headerOption === "auto"
      ? COMMON_LABEL_HEADERS.has(values[0].toLowerCase()) ||
        (numbers[0] === undefined && values.length > 1 && numbers.slice(1).every((v) => v !== undefined))
      : headerOption;
  const labelText = hasHeader ? values.slice(1) : values;
  const labelNumbers = hasHeader ? numbers.slice(1) : numbers;
  const allNumeric = labelNumbers.every((v) => v !== undefined);
  const out: LabelsCsv = { labels: allNumeric ? (labelNumbers as number[]) : labelText };
  if (hasHeader) out.header = values[0];
  return out;
}
