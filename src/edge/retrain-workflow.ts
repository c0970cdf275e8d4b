/**
 * The retraining Workflow: the platform-free tasks (src/runtime/retrain) with each task a durable
 * `step.do` carrying the flow's retry settings. Outputs stay small (keys and numbers, never rows).
 */
import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from 'cloudflare:workers';
import { z } from 'zod';
import { retrainPolicy } from '../runtime/flows/decision.js';
import type { RetrainMessage } from '../runtime/retrain/message.js';
import { type AwaitHandOff, runRetrainTasks, type StepRunner } from '../runtime/retrain/tasks.js';
import { parseWith } from '../runtime/schemas/parse.js';
import { R2CheckpointStore } from './r2-store.js';
import { readRecentData } from './recent-data.js';
import type { Env } from './worker-handlers.js';

/** The flow's retry settings per step: 2 retries, exponential from 1 s (tests disable the delays). */
const RETRIES = { retries: { limit: 2, delay: '1 second', backoff: 'exponential' as const } };

/** Default work limit (rows × features × rounds) for a fit at the edge; `TWIGA_RETRAIN_EDGE_MAX_WORK`. */
export const DEFAULT_EDGE_MAX_WORK = 2_000_000;

/**
 * Most polls of `jobs/done/` one run makes: each is a `step.do` plus a `step.sleep`, and an instance has at
 * most 1,024 steps on the Workers Free plan (10,000 on Paid), so a long timeout gets a longer interval.
 */
export const MAX_HANDOFF_CHECKS = 400;

const HandOffWaitSchema = z.object({
  /** How long a run waits for a Node worker's result before it fails naming `await-node`. */
  TWIGA_RETRAIN_HANDOFF_TIMEOUT_SECONDS: z.coerce
    .number()
    .positive()
    .default(6 * 3600),
  /** Pause between two checks for the result (lengthened to stay within MAX_HANDOFF_CHECKS). */
  TWIGA_RETRAIN_HANDOFF_POLL_SECONDS: z.coerce.number().positive().default(60),
});

/** The hand-off wait from the Worker's settings: checks `poll` seconds apart until `timeout` has passed. */
export function handOffWait(env: Record<string, unknown>): AwaitHandOff {
  const pick = (name: keyof z.input<typeof HandOffWaitSchema>) =>
    typeof env[name] === 'string' && env[name] !== '' ? env[name] : undefined;
  const settings = parseWith(
    HandOffWaitSchema,
    {
      TWIGA_RETRAIN_HANDOFF_TIMEOUT_SECONDS: pick('TWIGA_RETRAIN_HANDOFF_TIMEOUT_SECONDS'),
      TWIGA_RETRAIN_HANDOFF_POLL_SECONDS: pick('TWIGA_RETRAIN_HANDOFF_POLL_SECONDS'),
    },
    'hand-off wait settings',
  );
  const timeoutMs = settings.TWIGA_RETRAIN_HANDOFF_TIMEOUT_SECONDS * 1000;
  const checks = Math.min(
    MAX_HANDOFF_CHECKS,
    Math.ceil(timeoutMs / (settings.TWIGA_RETRAIN_HANDOFF_POLL_SECONDS * 1000)) + 1,
  );
  return { checks, intervalMs: checks > 1 ? timeoutMs / (checks - 1) : timeoutMs };
}

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
    const runner: StepRunner = {
      do: (name, fn) => step.do(name, RETRIES, fn),
      sleep: (name, ms) => step.sleep(name, ms),
    };
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
      // A handed-off fit: the run sleeps durably between checks of jobs/done/<id>.json, then records it.
      awaitHandOff: handOffWait(env),
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
