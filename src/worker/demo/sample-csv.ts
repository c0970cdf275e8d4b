/**
 * The bundled sample read without DuckDB: a few KB of d3-dsv instead of duckdb-wasm's ~34 MB, so the page
 * forecasts on open. Picked files still go through DuckDB (any size, any dialect).
 */
import { csvParse } from 'd3-dsv';
import { DataError } from '../../runtime/errors.js';
import { parseTimestamp } from '../../runtime/input/frame-input.js';
import type { LoadedData } from './rows.js';

/** Parses a small, well-formed CSV (header row, ISO timestamps, numbers; empty = NaN) into time-ordered columns. */
export function readSampleCsv(
  name: string,
  text: string,
  timeColumn: string,
  columns: readonly string[],
): LoadedData {
  const rows = csvParse(text);
  const missing = [timeColumn, ...columns].filter((c) => !rows.columns.includes(c));
  if (missing.length > 0) {
    throw new DataError(
      `${name}: missing column${missing.length > 1 ? 's' : ''} ${missing.map((c) => `"${c}"`).join(', ')}`,
      {
        file: name,
        missing,
      },
    );
  }
  const parsed = rows
    .map((r) => ({ t: parseTimestamp(r[timeColumn]), r }))
    .filter((p) => Number.isFinite(p.t))
    .sort((a, b) => a.t - b.t);
  const number = (v: string | undefined) => (v === undefined || v.trim() === '' ? Number.NaN : Number(v));
  return {
    source: name,
    time: Float64Array.from(parsed, (p) => p.t),
    columns: Object.fromEntries(columns.map((c) => [c, Float64Array.from(parsed, (p) => number(p.r[c]))])),
  };
}
