/** What a fleet training thread does: fit, evaluate and build the checkpoint files of one series. */
import type { SeriesScore } from '../runtime/fleet/fleet-metrics.js';
import type { Reply } from '../runtime/serving/error-wire.js';
import type { MetricsByModel } from '../runtime/training-result.js';
import type { SeriesCalibration } from './evaluate.js';
import type { FitInput } from './training-steps.js';

/** One series to fit: everything `fitModels` takes except what the thread owns (engine, logger). */
export interface SeriesJob {
  id: string;
  input: Omit<FitInput, 'engine' | 'log'>;
}

/** A fitted, evaluated series: its checkpoint files (saved by the caller) and its scores. */
export interface SeriesFit {
  files: Record<string, Uint8Array>;
  labels: string[];
  metrics: MetricsByModel;
  validationMetrics: MetricsByModel;
  testWindows: number;
  score: SeriesScore;
  /** The series' calibration method and 90 % test coverage (absent without a conformal table). */
  calibration?: SeriesCalibration;
  models: Array<{ label: string; kind: string; seconds: number; windows: number }>;
  /** What the fit logged (warnings, split), for the caller to pass on. */
  log: string[];
}

export interface FleetThreadApi {
  fitSeries(job: SeriesJob): Promise<Reply<SeriesFit>>;
}
