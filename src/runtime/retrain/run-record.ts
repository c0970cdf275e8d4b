/** The record of one retraining run (`runs/<model>/<id>.json`): decision, versions, per-step timings. */
import type { CheckpointStore } from '../checkpoint/store.js';
import type { WindowDrift } from './check-drift.js';

/** Where a run ends. */
export type RunOutcome = 'promoted' | 'kept' | 'handed_off' | 'skipped' | 'failed';

/** One step's line: how long it took and how many attempts it needed. */
export interface StepTiming {
  name: string;
  ms: number;
  attempts: number;
}

/** The run record as written to R2 (or the Node store). */
export interface RunRecord {
  id: string;
  model: string;
  outcome: RunOutcome;
  reason: string;
  detail: string;
  incumbent_version: number;
  /** The version made active, when the run promoted one. */
  promoted_version?: number;
  /** The pending job's key, when the fit was handed to Node. */
  job_key?: string;
  metrics?: { candidate: number | null; incumbent: number | null };
  /** The `check-drift` step's result on the staged window, when it ran. */
  drift?: WindowDrift;
  steps: StepTiming[];
  /** `"<step>: <message>"` when the run failed. */
  error?: string;
  /**
   * Failures after the run that did not change its outcome, `"<step>: <message>"` each (e.g. `track:` when
   * the MLflow server could not be reached past its retries).
   */
  errors?: string[];
  started_at: string;
  finished_at: string;
}

/** Run records of every model live under this prefix. */
export const RUNS_PREFIX = 'runs/';

/** `runs/<model>/<id>.json`. */
export const runRecordKey = (model: string, id: string) => `${RUNS_PREFIX}${model}/${id}.json`;

/** Write a run record (unconditionally: a retried record step rewrites its own record). */
export async function writeRunRecord(store: CheckpointStore, record: RunRecord): Promise<string> {
  const key = runRecordKey(record.model, record.id);
  await store.put(key, new TextEncoder().encode(JSON.stringify(record)));
  return key;
}
