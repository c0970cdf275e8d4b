/** The load report: what was read, what was repaired, and a readable form of it for logs. */

import type { FileFormat } from './read-file.js';
import type { DuplicatePolicy, GapPolicy } from './repair.js';

/** The engine that read a file; both give the same frame, report and errors. */
export type LoadEngine = 'js' | 'duckdb';

/** Everything a load changed or found, counted; nothing is dropped without a line in `actions`. */
export interface LoadReport {
  /** The path as given. */
  file: string;
  format: FileFormat;
  /**
   * What did the reading and repairs: `js` (streamed through d3-dsv, plain loops; plain CSV/TSV of any size) or
   * `duckdb` (duckdb-wasm SQL: Parquet, gzip, large files, and any file the JS path hands over).
   */
  engine: LoadEngine;
  /** Data rows in the file (header excluded). */
  rowsRead: number;
  /** Rows in the frame: after merging duplicates and inserting missing periods. */
  rowsOut: number;
  timeColumn: string;
  /** strptime pattern (`%d-%m-%Y %H:%M`), `epoch_s`, `epoch_ms`, or `timestamp` for typed Parquet columns. */
  timeFormat: string;
  /** True when the format was detected rather than given. */
  timeFormatInferred: boolean;
  /** Period string, e.g. `1h`. */
  period: string;
  /** True when the period was inferred as the most common step between timestamps. */
  periodInferred: boolean;
  /** Rows whose timestamp is earlier than the row before them, as read. */
  outOfOrder: number;
  /** True when the rows had to be reordered (`outOfOrder > 0`); the output is always in time order. */
  sorted: boolean;
  duplicates: {
    /** Distinct timestamps that occur more than once. */
    count: number;
    /** Rows merged away (occurrences beyond the first). */
    extraRows: number;
    policy: DuplicatePolicy;
    /** First few, e.g. `2014-11-02 02:00 (2 rows)`. */
    examples: string[];
  };
  gaps: {
    /** Runs of consecutive missing periods. */
    count: number;
    /** Periods missing in all, each inserted as a row unless the policy is `error`. */
    missingRows: number;
    policy: GapPolicy;
    /** First few, e.g. `2003-04-06 02:00 (1 row)`: the first missing time and the run length. */
    examples: string[];
  };
  /** Per requested column: values read that were empty or not finite numbers (set to NaN). */
  invalidValues: Record<string, number>;
  /** Per requested column: NaN values filled under the `interpolate` policy (inserted rows + invalid values). */
  filled: Record<string, number>;
  /** First and last timestamps of the frame, `YYYY-MM-DD HH:MM`. */
  first: string;
  last: string;
  /** One line per repair, e.g. `sorted 145366 rows by time (6041 out of order)`. */
  actions: string[];
  /** Wall time of the load, including starting duckdb on first use (the `duckdb` engine only). */
  elapsedMs: number;
}

/** A multi-line summary for stderr. */
export function formatReport(report: LoadReport): string {
  const lines = [
    `loaded ${report.file} (${report.format}) in ${Math.round(report.elapsedMs)} ms: ` +
      `${report.rowsRead} rows read, ${report.rowsOut} rows out, ${report.first} .. ${report.last}`,
    `  time column "${report.timeColumn}" as ${report.timeFormat} (${report.timeFormatInferred ? 'detected' : 'given'}), ` +
      `period ${report.period} (${report.periodInferred ? 'inferred' : 'given'})`,
  ];
  if (report.actions.length === 0) lines.push('  no repairs needed');
  for (const action of report.actions) lines.push(`  - ${action}`);
  return lines.join('\n');
}
