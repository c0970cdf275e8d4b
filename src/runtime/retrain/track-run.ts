/**
 * One retraining run record logged as an MLflow run (the Worker's `track` step): tags, params, metrics of
 * candidate and incumbent, step timings, and the run ended FINISHED or FAILED. Safe to retry: an attempt
 * first looks for the run an earlier attempt created (by its instance-id tag) and completes that one.
 */
import type { HttpTracker } from '../tracking/http.js';
import type { TrackedRun } from '../tracking/tracker.js';
import type { RunRecord } from './run-record.js';

/** The tag that ties an MLflow run to its Workflow instance (and makes the step idempotent). */
export const INSTANCE_TAG = 'twiga.instance_id';

/** Where and under which names the run is logged. */
export interface TrackRunOptions {
  /** MLflow experiment name (created when missing), e.g. `TWIGA_MLFLOW_EXPERIMENT`. */
  experiment: string;
  /** The decision metric (`mae`, `<model>/<metric>`): logged as `candidate/<key>` and `incumbent/<key>`. */
  metricKey: string;
}

/** The run's tags: model, outcome, versions, instance id (strings, as MLflow stores tags). */
export function runTags(record: RunRecord): Record<string, string> {
  return {
    [INSTANCE_TAG]: record.id,
    'twiga.model': record.model,
    'twiga.outcome': record.outcome,
    'twiga.reason': record.reason,
    'twiga.incumbent_version': String(record.incumbent_version),
    ...(record.promoted_version === undefined
      ? {}
      : { 'twiga.promoted_version': String(record.promoted_version) }),
    ...(record.job_key === undefined ? {} : { 'twiga.job_key': record.job_key }),
    'twiga.source': 'edge-workflow',
  };
}

/** The run's metrics: both scores on the holdout (when fitted) and each step's wall time and attempts. */
export function runMetrics(record: RunRecord, metricKey: string): Record<string, number> {
  const metrics: Record<string, number> = {};
  if (record.metrics?.candidate != null) metrics[`candidate/${metricKey}`] = record.metrics.candidate;
  if (record.metrics?.incumbent != null) metrics[`incumbent/${metricKey}`] = record.metrics.incumbent;
  for (const step of record.steps) {
    metrics[`step/${step.name}/ms`] = step.ms;
    metrics[`step/${step.name}/attempts`] = step.attempts;
  }
  return metrics;
}

/**
 * Log `record` on the MLflow server behind `tracker` and end the run.
 * @returns the MLflow run id and whether an earlier attempt's run was completed instead of a new one.
 * @example
 * const { runId } = await trackRunRecord(new HttpTracker({ uri, fetch }), record, { experiment: 'twiga', metricKey: 'mae' });
 */
export async function trackRunRecord(
  tracker: HttpTracker,
  record: RunRecord,
  options: TrackRunOptions,
): Promise<{ runId: string; resumed: boolean }> {
  const earlier = await tracker.findRunByTag(options.experiment, INSTANCE_TAG, record.id);
  // Already ended by an attempt whose answer was lost: logging again would duplicate metric points.
  if (earlier && earlier.status !== 'RUNNING') return { runId: earlier.run.runId, resumed: true };
  const run: TrackedRun =
    earlier?.run ??
    (await tracker.startRun({ experiment: options.experiment, runName: record.id, tags: runTags(record) }));
  // Tags again on a resumed run: the earlier attempt may have died before its outcome was known.
  if (earlier) await run.setTags(runTags(record));
  await run.logParams({
    model: record.model,
    reason: record.reason,
    incumbent_version: record.incumbent_version,
    started_at: record.started_at,
  });
  await run.logMetrics(runMetrics(record, options.metricKey));
  await run.setTags({
    'twiga.detail': record.detail,
    ...(record.error ? { 'twiga.error': record.error } : {}),
  });
  await run.end(record.outcome === 'failed' ? 'FAILED' : 'FINISHED');
  return { runId: run.runId, resumed: earlier !== undefined };
}
