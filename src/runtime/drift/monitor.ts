/** ForecastMonitor: twiga's data-drift and performance monitor over the drift core, with HTML reports. */
import { z } from 'zod';
import { ConfigError, DataError } from '../errors.js';
import { parseWith } from '../schemas/parse.js';
import type { CheckpointReference } from './checkpoint-reference.js';
import { detectDrift } from './detect.js';
import { numericColumns, type TableInput, timeColumn } from './monitor-input.js';
import { evaluatePerformance, type PerformanceSummary, type ReferencePerformance } from './performance.js';
import { type DriftReference, DriftReferenceSchema, referenceColumns } from './reference.js';
import { type ColumnDistribution, columnDistribution } from './report/distributions.js';
import { renderDriftReport } from './report/drift-report.js';
import { renderPerformanceReport } from './report/performance-report.js';
import { DRIFT_METHODS, type DriftMethod, type DriftSummary } from './summary.js';

/**
 * Where reports go: a platform capability. Node writes to `TWIGA_SERVE_REPORT_DIR`
 * (`fileReportSink` in `twiga-edge/node`); the runtime itself never touches storage.
 */
export interface ReportSink {
  /** Stores `html` under the file name `name`; resolves to where it went (the summary's `report_path`). */
  writeReport?: (name: string, html: string) => Promise<string>;
}

/** Drift share, threshold, test method, categorical columns and the metrics a `ForecastMonitor` compares with. */
export interface ForecastMonitorOptions {
  /** Dataset drift when the share of drifted columns is ≥ this. @default 0.5 */
  driftShare?: number;
  /** Overrides every test's default threshold (p-value level or distance). */
  threshold?: number;
  /** `auto` (default) picks each column's test as Evidently does; any other forces one test. */
  method?: 'auto' | DriftMethod;
  /** Columns holding category codes (Evidently's `cat` type). */
  categorical?: string[];
  /** Metrics by model then metric to compare with, e.g. a checkpoint's `validation_metrics`. */
  referencePerformance?: ReferencePerformance;
  /** Relative worsening tolerated before a metric is degraded: 0.1 = 10 % higher MAE. @default 0.1 */
  degradationTolerance?: number;
  /** Clock for timestamps and report names. @default () => new Date() */
  now?: () => Date;
}

const OptionsSchema = z.strictObject({
  driftShare: z.number().gt(0).lte(1).optional(),
  threshold: z.number().positive().optional(),
  method: z.enum(['auto', ...DRIFT_METHODS]).optional(),
  categorical: z.array(z.string().min(1)).optional(),
  referencePerformance: z.record(z.string(), z.record(z.string(), z.number().nullable())).optional(),
  degradationTolerance: z.number().min(0).optional(),
  now: z
    .custom<() => Date>((v) => typeof v === 'function', { error: 'expected a function returning a Date' })
    .optional(),
});

/** Which columns of a performance table hold what. */
export interface PerformanceOptions {
  target: string;
  prediction: string;
  /** Column of ISO 8601 strings or epoch ms; the time axis of the report (row order without it). */
  timestamp?: string;
  /** Reference model to compare with (default: the prediction column's name, else `ensemble`, else the only one). */
  model?: string;
}

const PerformanceOptionsSchema = z.strictObject({
  target: z.string().min(1),
  prediction: z.string().min(1),
  timestamp: z.string().min(1).optional(),
  model: z.string().min(1).optional(),
});

const ColumnsSchema = z.array(z.string().min(1)).min(1).optional();

const stamp = (d: Date) => d.toISOString().replace(/[:.]/g, '-');

const isDriftReference = (v: unknown): boolean =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && 'max_samples' in v && 'format_version' in v;

/**
 * Monitors a deployed forecaster as twiga's `ForecastMonitor` does: data drift of new data against a
 * reference (Evidently's default tests, on the WASM drift core) and forecast performance against the
 * metrics the model was promoted with, each with a self-contained HTML report.
 *
 * @example
 * const monitor = new ForecastMonitor({ referencePerformance: ref.validation_metrics }, { writeReport });
 * monitor.setReference(ref.drift);
 * const [html, summary] = await monitor.runDataDrift(lastWeek);
 * const perf = await monitor.runPerformance(rows, { target: 'load', prediction: 'ensemble', timestamp: 'timestamp' });
 */
export class ForecastMonitor {
  readonly #options: z.output<typeof OptionsSchema>;
  readonly #sink: ReportSink;
  #reference: Record<string, Float64Array> | null = null;

  /**
   * @param options see `ForecastMonitorOptions` (validated; unknown keys are an error).
   * @param sink where reports are written; without `writeReport`, `report_path` stays null.
   */
  constructor(options: ForecastMonitorOptions = {}, sink: ReportSink = {}) {
    this.#options = parseWith(OptionsSchema, options, 'ForecastMonitor options');
    this.#sink = sink;
  }

  /** A monitor comparing with a checkpoint's `reference.json`: its validation metrics and drift sample. */
  static fromCheckpointReference(
    reference: CheckpointReference,
    options: Omit<ForecastMonitorOptions, 'referencePerformance'> = {},
    sink: ReportSink = {},
  ): ForecastMonitor {
    const monitor = new ForecastMonitor(
      { ...options, referencePerformance: reference.validation_metrics },
      sink,
    );
    if (reference.drift) monitor.setReference(reference.drift);
    return monitor;
  }

  /**
   * Sets the data that drift is measured against: records, an object of columns, or a checkpoint's
   * `DriftReference`. Numeric columns are kept; non-numeric ones (e.g. timestamps) are skipped.
   */
  setReference(data: TableInput | DriftReference): this {
    const columns = isDriftReference(data)
      ? referenceColumns(parseWith(DriftReferenceSchema, data, 'drift reference'))
      : numericColumns(data, 'reference data');
    if (Object.keys(columns).length === 0) throw new DataError('reference data has no numeric column');
    this.#reference = columns;
    return this;
  }

  /** The reference's numeric columns (empty before `setReference`). */
  get referenceColumns(): string[] {
    return Object.keys(this.#reference ?? {});
  }

  /**
   * Tests `current` against the reference, column by column (default: every reference column).
   * @returns the HTML report and the `DriftSummary` (`report_path` set when the sink wrote the report).
   */
  async runDataDrift(current: TableInput, columns?: string[]): Promise<[string, DriftSummary]> {
    const reference = this.#reference;
    if (!reference) {
      throw new ConfigError('no drift reference: call setReference first', [
        { path: 'reference', message: 'not set' },
      ]);
    }
    const wanted = parseWith(ColumnsSchema, columns, 'columns', 'columns') ?? Object.keys(reference);
    const data = numericColumns(current, 'current data', wanted);
    const o = this.#options;
    const now = o.now?.() ?? new Date();
    const summary = detectDrift(reference, data, {
      columns: wanted,
      now: () => now,
      ...(o.method ? { method: o.method } : {}),
      ...(o.threshold !== undefined ? { threshold: o.threshold } : {}),
      ...(o.driftShare !== undefined ? { driftShare: o.driftShare } : {}),
      ...(o.categorical ? { categorical: o.categorical } : {}),
    });
    const distributions: Record<string, ColumnDistribution> = {};
    for (const c of wanted)
      distributions[c] = columnDistribution(reference[c]!, data[c]!, summary.columns[c]!.kind);
    const html = renderDriftReport(summary, distributions);
    const path = await this.#write(`data_drift_${stamp(now)}.html`, html);
    return [html, { ...summary, report_path: path }];
  }

  /**
   * Scores predictions against actuals (twiga's metrics) and compares them with the reference
   * performance: a metric is degraded when worse than the reference by more than the tolerance.
   */
  async runPerformance(data: TableInput, options: PerformanceOptions): Promise<PerformanceSummary> {
    const o = parseWith(PerformanceOptionsSchema, options, 'performance options');
    const columns = numericColumns(data, 'performance data', [o.target, o.prediction]);
    const actual = columns[o.target]!;
    const predicted = columns[o.prediction]!;
    const time = o.timestamp ? timeColumn(data, o.timestamp, 'performance data') : null;
    const now = this.#options.now?.() ?? new Date();
    const summary = evaluatePerformance(actual, predicted, {
      reference: this.#options.referencePerformance,
      prediction: o.prediction,
      model: o.model,
      tolerance: this.#options.degradationTolerance ?? 0.1,
      now,
    });
    if (summary.n === 0) {
      throw new DataError(
        `performance data: no row where both "${o.target}" and "${o.prediction}" are finite`,
        {
          columns: [o.target, o.prediction],
        },
      );
    }
    const html = renderPerformanceReport(summary, {
      time,
      actual,
      predicted,
      target: o.target,
      prediction: o.prediction,
    });
    return { ...summary, report_path: await this.#write(`performance_${stamp(now)}.html`, html) };
  }

  async #write(name: string, html: string): Promise<string | null> {
    return this.#sink.writeReport ? this.#sink.writeReport(name, html) : null;
  }
}
