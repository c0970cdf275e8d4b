/** The harness page's API on `window.harness` (test/browser/pages/worker-page.ts), as the tests drive it. */
import type { DriftSummary } from '../../src/runtime/drift/summary.js';
import type { ForecastJson } from '../../src/runtime/forecast-json.js';
import type { ModelInfo } from '../../src/runtime/serving/model-info.js';
import type {
  CheckpointSource,
  ForecastInput,
  IntervalOptions,
  WindowsOptions,
  WorkerHealth,
} from '../../src/worker/api.js';

/** A rejection as the page saw it: the runtime error classes it is an instance of, and what it carries. */
export interface PageError {
  name: string;
  message: string;
  classes: string[];
  code?: string;
  issues?: { path: string; message: string }[];
  context?: Record<string, unknown>;
}

/** A call's outcome as plain data (what Playwright can hand back to the test). */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: PageError };

export interface LongTask {
  startTime: number;
  duration: number;
}

/** Columns by name as plain numbers; the page turns each into a Float64Array that moves to the worker. */
export type ColumnsPayload = Record<string, number[]>;

/** `WindowsForecast` with its typed arrays as plain arrays. */
export interface PlainWindows {
  targets: string[];
  horizon: number;
  originTimes: number[];
  periodMs: number;
  predictions: Record<string, number[]>;
}

export interface WindowsRun {
  result: Outcome<PlainWindows>;
  /** Wall time of the call on the page. */
  ms: number;
  /** Length of each prediction array as the page received it. */
  sizes: Record<string, number>;
  /** Main-thread long tasks that overlapped the call. */
  longTasks: LongTask[];
  /** Bytes of the page's typed columns before and after the call (0 after: they were transferred). */
  bytesBefore: number;
  bytesAfter: number;
}

export interface Harness {
  /** A relative `url` is made absolute against the page (a worker resolves against its own script). */
  load(source: CheckpointSource): Promise<Outcome<ModelInfo>>;
  predict(input: ForecastInput): Promise<Outcome<ForecastJson>>;
  predictInterval(input: ForecastInput, options?: IntervalOptions): Promise<Outcome<ForecastJson>>;
  detectDrift(input: ForecastInput): Promise<Outcome<DriftSummary>>;
  health(): Promise<Outcome<WorkerHealth>>;
  /**
   * `predictWindows` over typed columns, watched for main-thread long tasks. With `values: false` each
   * prediction array comes back empty (its length in `sizes`), to keep big answers off the test's wire.
   */
  predictWindows(columns: ColumnsPayload, options?: WindowsOptions, values?: boolean): Promise<WindowsRun>;
  /** Blocks the main thread for `ms` (the long-task recorder's control); the long tasks seen meanwhile. */
  busy(ms: number): Promise<LongTask[]>;
}
