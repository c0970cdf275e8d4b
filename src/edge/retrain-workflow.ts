/**
 * The retraining Workflow: the platform-free tasks (src/runtime/retrain) with each task a durable
 * `step.do` carrying the flow's retry settings. Outputs stay small (keys and numbers, never rows).
 */
import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from 'cloudflare:workers';
import { retrainPolicy } from '../runtime/flows/decision.js';
import type { RetrainMessage } from '../runtime/retrain/message.js';
import { runRetrainTasks, type StepRunner } from '../runtime/retrain/tasks.js';
import { R2CheckpointStore } from './r2-store.js';
import { readRecentData } from './recent-data.js';
import { trackingRunner } from './retrain-tracking.js';
import type { Env } from './worker-handlers.js';

/** The flow's retry settings per step: 2 retries, exponential from 1 s (tests disable the delays). */
const RETRIES = { retries: { limit: 2, delay: '1 second', backoff: 'exponential' as const } };

/** Default work limit (rows × features × rounds) for a fit at the edge; `TWIGA_RETRAIN_EDGE_MAX_WORK`. */
export const DEFAULT_EDGE_MAX_WORK = 2_000_000;

const str = (env: Env, name: string) => {
  const value = env[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
};

/**
 * A fault injected on purpose for tests: `TWIGA_RETRAIN_FAULT="<model>:<step>:<n>,…"` makes the first `n`
 * attempts of that step throw in runs of that model. Unset in every real deployment.
 */
function faultHook(env: Env, model: string): (step: string) => void {
  const spec = (str(env, 'TWIGA_RETRAIN_FAULT') ?? '').split(',').find((f) => f.startsWith(`${model}:`));
  if (!spec) return () => {};
  const [, target, count] = spec.split(':');
  let left = Number(count ?? '0');
  return (step) => {
    if (step === target && left > 0) {
      left--;
      throw new Error(`injected fault (TWIGA_RETRAIN_FAULT) in step ${step}`);
    }
  };
}

/** The Workflow class wrangler.toml binds as `RETRAIN_WORKFLOW`. */
export class RetrainWorkflow extends WorkflowEntrypoint<Env, RetrainMessage> {
  override async run(event: Readonly<WorkflowEvent<RetrainMessage>>, step: WorkflowStep) {
    const env = this.env;
    const store = new R2CheckpointStore(env.CHECKPOINTS, {
      bucketName: env.TWIGA_R2_BUCKET ?? 'CHECKPOINTS',
    });
    // Each task a step.do; after the record step, a `track` step (MLflow, when the URI is http(s)).
    const runner: StepRunner = trackingRunner(step, env, store, {
      do: (name, fn) => step.do(name, RETRIES, fn),
    });
    const prefix = str(env, 'TWIGA_DRIFT_DATA_PREFIX') ?? 'data/recent/';
    const maxRows = Number(str(env, 'TWIGA_DRIFT_MAX_ROWS') ?? '10000');
    const record = await runRetrainTasks(event.instanceId, event.payload, runner, {
      store,
      beforeAttempt: faultHook(env, event.payload.model),
      policy: retrainPolicy({
        metricKey: str(env, 'TWIGA_RETRAIN_METRIC_KEY') ?? 'mae',
        minimize: str(env, 'TWIGA_RETRAIN_MINIMIZE') !== 'false',
      }),
      edgeMaxWork: Number(str(env, 'TWIGA_RETRAIN_EDGE_MAX_WORK') ?? DEFAULT_EDGE_MAX_WORK),
      loadData: async (model) => {
        const data = await readRecentData(store, `${prefix}${model}/`, maxRows, true);
        if (!data) return undefined;
        return { files: data.files, rows: data.rows, features: Object.keys(data.columns).length };
      },
      // No platform-free trainer yet (train-core moves it to src/runtime/train): fits go to Node.
    });
    return { outcome: record.outcome, key: `runs/${record.model}/${record.id}.json` };
  }
}
