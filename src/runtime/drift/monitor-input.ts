/** Validation of the monitor's tabular inputs (records or columns) into numeric columns, naming the bad field. */
import { z } from 'zod';
import { DataError } from '../errors.js';
import { parseWith } from '../schemas/parse.js';
import { checkTimeInRange } from '../time-range.js';

/** A table as records (`[{ load: 1.2, temp: 20 }, …]`) or as columns (`{ load: [1.2, …], temp: […] }`). */
export type TableInput = readonly Record<string, unknown>[] | Readonly<Record<string, ArrayLike<unknown>>>;

const isArrayLike = (v: unknown): v is ArrayLike<unknown> =>
  Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));

const TableSchema = z.union(
  [
    z.array(z.record(z.string(), z.unknown(), { error: 'expected a record (an object of column values)' })),
    z.record(
      z.string(),
      z.custom<ArrayLike<unknown>>(isArrayLike, { error: 'expected an array or typed array of values' }),
    ),
  ],
  { error: 'expected an array of records or an object of columns' },
);

/** A value counts as missing (NaN) when null or undefined; any other non-number is an error. */
const numeric = (v: unknown): number | undefined =>
  typeof v === 'number' ? v : v === null || v === undefined ? Number.NaN : undefined;

function badValue(what: string, path: string, value: unknown): DataError {
  const shown = typeof value === 'string' ? `"${value}"` : String(value);
  return new DataError(`${what}: ${path} is not a number or null (got ${shown})`, { path, value: shown });
}

/** Column `name` of the rows as numbers, or undefined when some value is not (and `strict` is false). */
function fromRows(rows: readonly Record<string, unknown>[], name: string, what: string, strict: boolean) {
  const out = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const x = numeric(rows[i]![name]);
    if (x === undefined) {
      if (strict) throw badValue(what, `[${i}].${name}`, rows[i]![name]);
      return undefined;
    }
    out[i] = x;
  }
  return out;
}

function fromColumn(values: ArrayLike<unknown>, name: string, what: string, strict: boolean) {
  if (ArrayBuffer.isView(values) && !(values instanceof BigInt64Array || values instanceof BigUint64Array)) {
    return Float64Array.from(values as ArrayLike<number>);
  }
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const x = numeric(values[i]);
    if (x === undefined) {
      if (strict) throw badValue(what, `${name}[${i}]`, values[i]);
      return undefined;
    }
    out[i] = x;
  }
  return out;
}

/**
 * Numeric columns of a table. Columns listed in `required` must exist and hold only numbers
 * (null/undefined become NaN): a `DataError` names the first missing column or bad value. Other
 * columns are kept when numeric and skipped otherwise (e.g. a timestamp column of strings).
 * @param what names the input in messages, e.g. `current data`.
 */
export function numericColumns(
  input: unknown,
  what: string,
  required: readonly string[] = [],
): Record<string, Float64Array> {
  const table = parseWith(TableSchema, input, what);
  const isRows = Array.isArray(table);
  const names = isRows ? [...new Set(table.flatMap((r) => Object.keys(r)))] : Object.keys(table);
  const missing = required.filter((c) => !names.includes(c));
  if (missing.length > 0) {
    throw new DataError(
      `${what} has no column ${missing.map((c) => `"${c}"`).join(', ')}; available: ${names.map((c) => `"${c}"`).join(', ')}`,
      { missing, available: names },
    );
  }
  const out: Record<string, Float64Array> = {};
  for (const name of names) {
    const strict = required.includes(name);
    const values = isRows
      ? fromRows(table, name, what, strict)
      : fromColumn((table as Record<string, ArrayLike<unknown>>)[name]!, name, what, strict);
    if (values) out[name] = values;
  }
  return out;
}

/**
 * The `timestamp` column as epoch milliseconds: numbers are taken as epoch ms, strings are parsed
 * as ISO 8601 (a naive `2024-01-01T00:00` or `2024-01-01 00:00` reads as UTC, like the loader).
 */
export function timeColumn(input: unknown, name: string, what: string): Float64Array {
  const table = parseWith(TableSchema, input, what);
  const present = Array.isArray(table) ? table.some((r) => name in r) : name in table;
  if (!present) throw new DataError(`${what} has no timestamp column "${name}"`, { missing: [name] });
  const values = Array.isArray(table)
    ? table.map((r) => r[name])
    : Array.from((table as Record<string, ArrayLike<unknown>>)[name]!);
  return Float64Array.from(values, (v, i) => {
    const t = typeof v === 'number' ? v : typeof v === 'string' ? parseTime(v) : Number.NaN;
    if (!Number.isFinite(t)) {
      throw new DataError(`${what}: timestamp ${name}[${i}] is not a date or epoch ms (got ${String(v)})`, {
        column: name,
        row: i,
      });
    }
    checkTimeInRange(t, `${what}: timestamp ${name}[${i}]`, v);
    return t;
  });
}

function parseTime(text: string): number {
  const iso = text.trim().replace(' ', 'T');
  const zoned = /(Z|[+-]\d\d:?\d\d)$/.test(iso);
  return Date.parse(zoned || !iso.includes('T') ? iso : `${iso}Z`);
}
