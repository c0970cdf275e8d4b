/**
 * The retraining Workflow: the platform-free tasks (src/runtime/retrain) with each task a durable
 * `step.do` carrying the flow's retry settings, and the fit run here (fit-candidate.ts) with gbdt.wasm as
 * the GBDT kernel. Outputs stay small (keys and numbers, never rows).
 */
import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from 'cloudflare:workers';
import { NonRetryableError } from 'cloudflare:workflows';
import { z } from 'zod';
import gbdtModule from '../../wasm/build/gbdt.wasm';
import { ENGINE_CHOICES, type EngineChoice } from '../runtime/engine/contract.js';
import { ConfigError } from '../runtime/errors.js';
import { retrainPolicy } from '../runtime/flows/decision.js';
import { checkWindowDrift } from '../runtime/retrain/check-drift.js';
import { stageDataWindow } from '../runtime/retrain/data-window.js';
import { fitCandidate } from '../runtime/retrain/fit-candidate.js';
import type { RetrainMessage } from '../runtime/retrain/message.js';
import { isPermanentFailure } from '../runtime/retrain/step-runner.js';
import { type AwaitHandOff, runRetrainTasks, type StepRunner } from '../runtime/retrain/tasks.js';
import { parseWith } from '../runtime/schemas/parse.js';
import { settingsFromEnv } from '../runtime/settings.js';
import type { StartRuntime } from './edge-predictors.js';
import { R2CheckpointStore } from './r2-store.js';
import { trackingRunner } from './retrain-tracking.js';
import type { Env } from './worker-handlers.js';

/** The flow's retry settings per step: 2 retries, exponential from 1 s (tests disable the delays). */
const RETRIES = { retries: { limit: 2, delay: '1 second', backoff: 'exponential' as const } };

/**
 * A step's callback that fails without retries on a permanent failure (bad data, invalid config): the
 * error crosses into the engine as `NonRetryableError`, keeping its message, so the record names it.
 */
function noRetryOnPermanent<T>(fn: () => Promise<T>): () => Promise<T> {
  return async () => {
    try {
      return await fn();
    } catch (error) {
      if (!isPermanentFailure(error)) throw error;
      const { name, message } = error as Error;
      throw new NonRetryableError(`${name}: ${message}`);
    }
  };
}

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

/**
 * The hand-off wait from the Worker's settings: checks `poll` seconds apart until `timeout` has passed.
 * @throws ConfigError naming the setting when one is not a positive number
 */
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
  const pollMs = settings.TWIGA_RETRAIN_HANDOFF_POLL_SECONDS * 1000;
  const checks = Math.min(MAX_HANDOFF_CHECKS, Math.ceil(timeoutMs / pollMs) + 1);
  // Whole milliseconds for step.sleep.
  return { checks, intervalMs: Math.ceil(checks > 1 ? timeoutMs / (checks - 1) : timeoutMs) };
}

const str = (env: Env, name: string) => {
  const value = env[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
};

/**
 * A fault injected on purpose for tests: `TWIGA_RETRAIN_FAULT="<model>:<step>:<n>,…"` makes the first `n`
 * attempts of that step throw in runs of that model; the step `fit-saved` throws in the fit step right
 * after the candidate is saved (a crash between save and step result). Unset in every real deployment.
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

/** TWIGA_INFERENCE_ENGINE as the fit's engine choice; an unknown value fails the fit step, naming it. */
function engineOf(env: Env): EngineChoice {
  const value = str(env, 'TWIGA_INFERENCE_ENGINE') ?? 'auto';
  const known = ENGINE_CHOICES.find((c) => c === value);
  if (!known) {
    throw new ConfigError(
      `TWIGA_INFERENCE_ENGINE: expected one of ${ENGINE_CHOICES.join(', ')}, got "${value}"`,
      [{ path: 'TWIGA_INFERENCE_ENGINE', message: `unknown engine "${value}"` }],
    );
  }
  return known;
}

/** `TWIGA_RETRAIN_HOLDOUT_FRACTION`: a share strictly between 0 and 1; unset = fitCandidate's default. */
const HoldoutFraction = z.object({
  TWIGA_RETRAIN_HOLDOUT_FRACTION: z.coerce.number().gt(0).lt(1).optional(),
});

/** The Workers training backend: single-thread GBDT on the precompiled gbdt.wasm module. */
const EDGE_BACKEND = { gbdtKernel: () => gbdtModule };

/**
 * The retraining Workflow over the engines `start` gives. Each Worker entry exports a subclass named
 * `RetrainWorkflow` (wrangler.toml `class_name`) that sets its own `start`, so the lean build's stays free of
 * ORT: `export class RetrainWorkflow extends RetrainWorkflowOn { protected readonly start = initEdgeRuntime; }`.
 */
export abstract class RetrainWorkflowOn extends WorkflowEntrypoint<Env, RetrainMessage> {
  /** Starts this build's engines (once per isolate). */
  protected abstract readonly start: StartRuntime;

  override async run(event: Readonly<WorkflowEvent<RetrainMessage>>, step: WorkflowStep) {
    const start = this.start;
    const env = this.env;
    const store = new R2CheckpointStore(env.CHECKPOINTS, {
      bucketName: env.TWIGA_R2_BUCKET ?? 'CHECKPOINTS',
    });
    // Each task a step.do; after the record step, a `track` step (MLflow, when the URI is http(s)).
    const runner: StepRunner = trackingRunner(step, env, store, {
      do: (name, fn) => step.do(name, RETRIES, noRetryOnPermanent(fn)),
      sleep: (name, ms) => step.sleep(name, ms),
    });
    const prefix = str(env, 'TWIGA_DRIFT_DATA_PREFIX') ?? 'data/recent/';
    const maxRows = Number(str(env, 'TWIGA_DRIFT_MAX_ROWS') ?? '10000');
    const holdoutVar = str(env, 'TWIGA_RETRAIN_HOLDOUT_FRACTION');
    const fault = faultHook(env, event.payload.model);
    const record = await runRetrainTasks(event.instanceId, event.payload, runner, {
      store,
      beforeAttempt: fault,
      policy: retrainPolicy({
        metricKey: str(env, 'TWIGA_RETRAIN_METRIC_KEY') ?? 'mae',
        minimize: str(env, 'TWIGA_RETRAIN_MINIMIZE') !== 'false',
      }),
      edgeMaxWork: Number(str(env, 'TWIGA_RETRAIN_EDGE_MAX_WORK') ?? DEFAULT_EDGE_MAX_WORK),
      // A handed-off fit: the run sleeps durably between checks of jobs/done/<id>.json, then records it.
      awaitHandOff: handOffWait(env),
      // Keys and counts only: the fit step reads the same keys once.
      loadData: (model) => stageDataWindow(store, `${prefix}${model}/`, maxRows),
      // The cron's drift rule on the staged window (its thresholds from the same TWIGA_RETRAIN_* variables).
      checkDrift: (input) =>
        checkWindowDrift({ ...input, maxRows, policy: retrainPolicy(settingsFromEnv(env).retrain) }),
      // Bad variables fail the fit step, naming the variable (the run record says so).
      fitCandidate: async (input) => {
        const { TWIGA_RETRAIN_HOLDOUT_FRACTION: holdoutFraction } = parseWith(
          HoldoutFraction,
          { TWIGA_RETRAIN_HOLDOUT_FRACTION: holdoutVar },
          'retraining settings',
        );
        const fitted = await fitCandidate({
          ...input,
          engine: (await start(engineOf(env))).engine,
          backend: EDGE_BACKEND,
          ...(holdoutFraction !== undefined ? { holdoutFraction } : {}),
        });
        fault('fit-saved');
        return fitted;
      },
    });
    return { outcome: record.outcome, key: `runs/${record.model}/${record.id}.json` };
  }
}
