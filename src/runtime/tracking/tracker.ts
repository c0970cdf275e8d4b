/** The experiment-tracking contract: experiments and runs, as MLflow models them. */
import type { RunStatus } from './mlflow-format.js';

/** A value MLflow can store as a param. */
export type ParamValue = string | number | boolean | null;

/** A dataset input as MLflow's `Dataset` entity holds it (mlflow/entities/dataset.py). */
export interface DatasetInput {
  name: string;
  /** At most 36 characters (MLflow's MAX_DATASET_DIGEST_SIZE). */
  digest: string;
  /** `local`, `http`, … */
  sourceType: string;
  /** JSON describing the source, e.g. `{"uri": "file:///data/load.csv"}`. */
  source: string;
  /** JSON schema (`{"mlflow_colspec": [...]}`), if known. */
  schema?: string;
  /** JSON profile (`{"num_rows": …, "num_elements": …}`), if known. */
  profile?: string;
  /** Input tags; `mlflow.data.context` (e.g. `training`) is the one MLflow's UI shows. */
  tags?: Record<string, string>;
}

/** One run in progress. Every method may be called until `end`. */
export interface TrackedRun {
  readonly runId: string;
  readonly experimentId: string;
  /** Where artifacts go, e.g. `file:///abs/mlruns/0/<run_id>/artifacts`. */
  readonly artifactUri: string;
  /** Params are immutable in MLflow: logging a key again with another value throws ConfigError. */
  logParams(params: Record<string, ParamValue>): Promise<void>;
  /** One point per metric at `step` (default 0), timestamped now. */
  logMetrics(metrics: Record<string, number>, step?: number): Promise<void>;
  setTags(tags: Record<string, string>): Promise<void>;
  /** Write `content` as the artifact at relative path `name` (`model/forecaster.json`). */
  logArtifact(name: string, content: Uint8Array | string): Promise<void>;
  logInput(dataset: DatasetInput): Promise<void>;
  /** Mark the run terminated (default `FINISHED`) with its end time. */
  end(status?: Exclude<RunStatus, 'RUNNING' | 'SCHEDULED'>): Promise<void>;
}

/** Experiment, run name and tags of a new run. */
export interface StartRunOptions {
  /** Experiment name; created when missing. Default: MLflow's `Default` experiment (id `0`). */
  experiment?: string;
  /** Default: MLflow-style `<adjective>-<animal>-<n>`. */
  runName?: string;
  tags?: Record<string, string>;
}

/**
 * Where runs are recorded: {@link FileStoreTracker} (MLflow's file store) or {@link HttpTracker}
 * (an MLflow tracking server).
 * @example
 * const run = await tracker.startRun({ experiment: 'net-load', runName: 'nightly' });
 * await run.logMetrics({ 'linear/mae': 25.3 });
 * await run.end();
 */
export interface Tracker {
  startRun(options?: StartRunOptions): Promise<TrackedRun>;
}
