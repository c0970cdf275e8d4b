/**
 * MLflow from the Worker: after a retraining run writes its record, a `track` step (with retries) logs the
 * same run on the MLflow server named by `TWIGA_MLFLOW_TRACKING_URI` when that is an http(s) URL. Tracking
 * never decides a run: past its retries the failure lands in the record's `errors` and the run stands.
 */
import type { WorkflowStep } from 'cloudflare:workers';
import { z } from 'zod';
import type { CheckpointStore } from '../runtime/checkpoint/store.js';
import { ConfigError } from '../runtime/errors.js';
import { type RunRecord, writeRunRecord } from '../runtime/retrain/run-record.js';
import type { StepRunner } from '../runtime/retrain/tasks.js';
import { trackRunRecord } from '../runtime/retrain/track-run.js';
import { HttpTracker } from '../runtime/tracking/http.js';

/** The retraining flow's retry settings (as retrain-workflow.ts): 2 retries, exponential from 1 s. */
const TRACK_RETRIES = { retries: { limit: 2, delay: '1 second', backoff: 'exponential' as const } };

/** The step of runRetrainTasks whose output is the run record. */
const RECORD_STEP = 'record';

// Unset and "" both mean "not configured" (wrangler vars cannot be unset per environment).
const optional = z
  .string()
  .optional()
  .transform((v) => (v === '' ? undefined : v));

/** The Worker variables tracking reads; validated when a run is tracked, so a bad value is a run error. */
const TrackingEnvSchema = z.object({
  TWIGA_MLFLOW_TRACKING_URI: optional,
  TWIGA_MLFLOW_EXPERIMENT: optional.pipe(z.string().min(1).max(500).default('twiga')),
  TWIGA_MLFLOW_TRACKING_TOKEN: optional,
  TWIGA_RETRAIN_METRIC_KEY: optional.pipe(z.string().min(1).default('mae')),
});

/** Where the Worker tracks runs; undefined when the tracking URI is not an http(s) server. */
export interface EdgeTracking {
  uri: string;
  experiment: string;
  token: string | undefined;
  metricKey: string;
}

/**
 * Tracking settings from the Worker's variables. A tracking URI that is not http(s) (e.g. Node's `mlruns`
 * folder, shared in a config) means no tracking here: a Worker has no file store to write.
 * @throws ConfigError naming the variable when one is malformed.
 * @example
 * edgeTracking({ TWIGA_MLFLOW_TRACKING_URI: 'https://mlflow.example.com' })?.experiment; // 'twiga'
 */
export function edgeTracking(env: Record<string, unknown>): EdgeTracking | undefined {
  const parsed = TrackingEnvSchema.safeParse(env);
  if (!parsed.success)
    throw new ConfigError(
      'Invalid MLflow tracking variables',
      parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  const e = parsed.data;
  if (!e.TWIGA_MLFLOW_TRACKING_URI || !/^https?:\/\//iu.test(e.TWIGA_MLFLOW_TRACKING_URI)) return undefined;
  return {
    uri: e.TWIGA_MLFLOW_TRACKING_URI,
    experiment: e.TWIGA_MLFLOW_EXPERIMENT,
    token: e.TWIGA_MLFLOW_TRACKING_TOKEN,
    metricKey: e.TWIGA_RETRAIN_METRIC_KEY,
  };
}

/**
 * `runner` with a `track` step after the `record` step: whatever the outcome (the failed record is written
 * by that step too, before the run's error is rethrown), the record that step wrote is tracked.
 * @example
 * const runner = trackingRunner(step, env, store, { do: (name, fn) => step.do(name, RETRIES, fn) });
 */
export function trackingRunner(
  step: WorkflowStep,
  env: Record<string, unknown>,
  store: CheckpointStore,
  runner: StepRunner,
): StepRunner {
  return {
    ...runner,
    do: async (name, fn) => {
      const out = await runner.do(name, fn);
      // The record step's output is the record (fresh, or replayed from the step cache after a restart).
      if (name === RECORD_STEP) await trackRun(step, env, store, out as unknown as RunRecord);
      return out;
    },
  };
}

/**
 * The `track` step for one record; when it fails past its retries, a `record-errors` step rewrites the
 * record with `track: <message>` in `errors`.
 */
export async function trackRun(
  step: WorkflowStep,
  env: Record<string, unknown>,
  store: CheckpointStore,
  record: RunRecord,
): Promise<void> {
  let tracking: EdgeTracking | undefined;
  try {
    tracking = edgeTracking(env);
  } catch (error) {
    return recordError(step, store, record, error);
  }
  if (!tracking) return;
  const { uri, token, experiment, metricKey } = tracking;
  try {
    await step.do('track', TRACK_RETRIES, async () => {
      const tracker = new HttpTracker({
        uri,
        sourceName: 'twiga-edge RetrainWorkflow',
        // Called unbound: workerd refuses a `fetch` invoked with another `this`.
        fetch: (input, init) => fetch(input, init),
        ...(token ? { headers: { Authorization: `Bearer ${token}` } } : {}),
      });
      return (await trackRunRecord(tracker, record, { experiment, metricKey })).runId;
    });
  } catch (error) {
    await recordError(step, store, record, error);
  }
}

async function recordError(step: WorkflowStep, store: CheckpointStore, record: RunRecord, error: unknown) {
  const message = `track: ${error instanceof Error ? error.message : String(error)}`;
  await step.do('record-errors', TRACK_RETRIES, async () => {
    await writeRunRecord(store, { ...record, errors: [...(record.errors ?? []), message] });
    return message;
  });
}
