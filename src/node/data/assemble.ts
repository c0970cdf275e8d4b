/** The end of every load, whichever engine did the repairs: interpolation, the action lines, the report, the frame. */
import { makeData, makeVector, Table, TimestampMillisecond } from 'apache-arrow';
import type { Frame } from '../../runtime/frame.js';
import { interpolateInPlace } from './interpolate.js';
import type { FileFormat } from './read-file.js';
import type { DuplicatePolicy, GapPolicy, Gaps, InvalidValues } from './repair.js';
import type { LoadEngine, LoadReport } from './report.js';
import type { ResolvedTime } from './time-column.js';
import { describeTimeFormat, formatTimestamp } from './timestamps.js';

/** A frame as an Arrow table: the time column (Timestamp ms) and the value columns, sharing memory. */
export function frameTable(timeColumn: string, columns: readonly string[], frame: Frame): Table {
  const ms = frame.time;
  const data = makeData({
    type: new TimestampMillisecond(),
    length: ms.length,
    nullCount: 0,
    data: BigInt64Array.from(ms, (t) => BigInt(t)),
  });
  const vectors = { [timeColumn]: makeVector(data) } as Record<string, ReturnType<typeof makeVector>>;
  for (const column of columns) vectors[column] = makeVector(frame.columns[column]!);
  return new Table(vectors);
}

/** The options `assembleResult` reads (parsed load options). */
export interface AssembleOptions {
  readonly timeColumn: string;
  readonly columns: readonly string[];
  readonly duplicates: DuplicatePolicy;
  readonly gaps: GapPolicy;
}

/** What the repair steps found, engine-neutral. */
export interface RepairOutcome {
  readonly path: string;
  readonly format: FileFormat;
  readonly rowsRead: number;
  readonly engine: LoadEngine;
  readonly time: ResolvedTime;
  readonly options: AssembleOptions;
  readonly outOfOrder: number;
  readonly invalid: readonly InvalidValues[];
  readonly duplicates: {
    readonly count: number;
    readonly extraRows: number;
    readonly examples: readonly string[];
  };
  readonly gaps: Gaps;
  /** Rows on the full grid in time order; values NaN where missing or invalid (filled here by policy). */
  readonly rows: { time: Float64Array; values: Float64Array[] };
  readonly started: number;
}

/** A loaded frame with its Arrow table and report. */
export interface AssembledLoad {
  frame: Frame;
  table: Table;
  report: LoadReport;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Fill gaps by policy, write one action line per repair, and build the report and the frame. */
export function assembleResult(r: RepairOutcome): AssembledLoad {
  const o = r.options;
  const { duplicates, gaps, rows } = r;
  const actions: string[] = [];
  if (r.outOfOrder > 0) {
    actions.push(`sorted ${r.rowsRead} rows by time (${r.outOfOrder} were earlier than the row before)`);
  }
  if (duplicates.count > 0) {
    actions.push(
      `merged ${plural(duplicates.count, 'duplicated timestamp')} (${plural(duplicates.extraRows, 'extra row')}) ` +
        `by ${o.duplicates}, e.g. ${duplicates.examples.join(', ')}`,
    );
  }
  if (gaps.count > 0) {
    actions.push(
      `inserted ${plural(gaps.missingRows, 'missing row')} in ${plural(gaps.count, 'gap')} of the ${gaps.period} grid` +
        `${o.gaps === 'keep' ? ' as NaN' : ''}, e.g. ${gaps.examples.join(', ')}`,
    );
  }
  const invalidValues: Record<string, number> = {};
  const filled: Record<string, number> = {};
  const columns: Record<string, Float64Array> = {};
  o.columns.forEach((column, i) => {
    const bad = r.invalid[i]!;
    invalidValues[column] = bad.count;
    if (bad.example) {
      const value = bad.example.value === '' ? '(empty)' : `"${bad.example.value}"`;
      actions.push(
        `set ${plural(bad.count, 'invalid value')} in "${column}" to NaN, first at row ${bad.example.row}: ${value}`,
      );
    }
    const values = rows.values[i]!;
    filled[column] = 0;
    if (o.gaps === 'interpolate') {
      const { interior, edges } = interpolateInPlace(values);
      filled[column] = interior;
      if (interior > 0) actions.push(`interpolated ${plural(interior, 'NaN value')} in "${column}" linearly`);
      if (edges > 0) {
        actions.push(
          `left ${plural(edges, 'missing value')} at the start or end of "${column}" as NaN (nothing to interpolate towards)`,
        );
      }
    }
    columns[column] = values;
  });

  const frame: Frame = { time: rows.time, columns };
  const n = rows.time.length;
  const report: LoadReport = {
    file: r.path,
    format: r.format,
    engine: r.engine,
    rowsRead: r.rowsRead,
    rowsOut: n,
    timeColumn: o.timeColumn,
    timeFormat: describeTimeFormat(r.time.format),
    timeFormatInferred: r.time.inferred,
    period: gaps.period,
    periodInferred: gaps.periodInferred,
    outOfOrder: r.outOfOrder,
    sorted: r.outOfOrder > 0,
    duplicates: {
      count: duplicates.count,
      extraRows: duplicates.extraRows,
      policy: o.duplicates,
      examples: [...duplicates.examples],
    },
    gaps: {
      count: gaps.count,
      missingRows: gaps.missingRows,
      policy: o.gaps,
      examples: [...gaps.examples],
    },
    invalidValues,
    filled,
    first: formatTimestamp(rows.time[0]!),
    last: formatTimestamp(rows.time[n - 1]!),
    actions,
    elapsedMs: performance.now() - r.started,
  };
  return { frame, table: frameTable(o.timeColumn, o.columns, frame), report };
}
