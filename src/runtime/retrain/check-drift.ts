/**
 * The Workflow's `check-drift` step: the drift test of the retraining flow, rerun on the exact window the
 * run staged against the incumbent's own training sample, with decision.ts's rule. A run queued for drift
 * whose window no longer drifts (the message is stale: newer data came, or another run already retrained)
 * ends `skipped` instead of training on it. Platform-free: the Worker and the Node worker run it alike.
 */
import { loadCheckpoint } from '../checkpoint/checkpoint.js';
import type { CheckpointStore } from '../checkpoint/store.js';
import { decodeReference, REFERENCE_FILE } from '../drift/checkpoint-reference.js';
import { ForecastMonitor } from '../drift/monitor.js';
import { driftDecision, type RetrainPolicy } from '../flows/decision.js';
import { readDataFiles } from '../input/data-files.js';
import type { DataWindow } from './tasks.js';

/** What the step reports (and the run record keeps): the drifted share and the rule's verdict. */
export interface WindowDrift {
  /** Whether the drift rule alone calls for a retrain on this window. */
  due: boolean;
  /** Drifted share of the tested columns (`dataset_drift_score`). */
  share: number;
  drifted: number;
  columns: number;
  detail: string;
}

/**
 * Drift of the staged window (its newest `maxRows` rows, as the cron tests) against version
 * `incumbentVersion`'s training sample.
 * @returns null when there is nothing to test against (no drift sample in the checkpoint, or none of its
 *   columns in the data): the run then goes on, as the cron's decision stands.
 */
export async function checkWindowDrift(input: {
  store: CheckpointStore;
  model: string;
  incumbentVersion: number;
  data: DataWindow;
  maxRows: number;
  policy: RetrainPolicy;
}): Promise<WindowDrift | null> {
  const loaded = await loadCheckpoint(input.store, input.model, { version: input.incumbentVersion });
  const bytes = loaded.files[REFERENCE_FILE];
  const reference = bytes ? decodeReference(bytes, input.store.describe(input.model)).drift : undefined;
  if (!reference) return null;
  const monitor = new ForecastMonitor().setReference(reference);
  const all = await readDataFiles(input.store, input.data.files);
  const tested = monitor.referenceColumns.filter((c) => c in all);
  if (tested.length === 0) return null;
  const recent = Object.fromEntries(
    tested.map((c) => {
      const values = all[c]!;
      return [c, values.slice(Math.max(0, values.length - input.maxRows))];
    }),
  );
  const [, summary] = await monitor.runDataDrift(recent, tested);
  const decision = driftDecision(summary, input.policy);
  return {
    due: decision.retrain,
    share: summary.dataset_drift_score,
    drifted: summary.n_drifted,
    columns: summary.total,
    detail: decision.detail,
  };
}
