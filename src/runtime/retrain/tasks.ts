/**
 * The retraining run's tasks, platform-free: the Workflow runs each as a `step.do` (with the flow's retry
 * settings), the Node worker through a plain runner, so both apply the same rules (decision.ts) and the
 * same compare-and-swap promotion.
 */
import { CheckpointConflictError } from '../checkpoint/conflict.js';
import { versionKey } from '../checkpoint/keys.js';
import { promote } from '../checkpoint/promote.js';
import { readManifest } from '../checkpoint/read.js';
import type { CheckpointStore } from '../checkpoint/store.js';
import { CheckpointError } from '../errors.js';
import { beatsIncumbent, type RetrainPolicy } from '../flows/decision.js';
import { decodePipelineFile, PIPELINE_FILE } from '../forecaster-files.js';
import type { WindowDrift } from './check-drift.js';
import { doneJobKey, estimateWork, writePendingJob } from './hand-off.js';
import { type JobResult, readJobResult } from './job-result.js';
import type { RetrainMessage } from './message.js';
import { fitRounds } from './recipe.js';
import { type RunRecord, type StepTiming, writeRunRecord } from './run-record.js';

/** Runs one named step with retries; the Workflow passes `step.do`, Node a plain loop. */
export interface StepRunner {
  do<T extends object | number | string | boolean | null>(name: string, fn: () => Promise<T>): Promise<T>;
  /** A durable pause (`step.sleep` in a Workflow); without it a run does not wait for a handed-off fit. */
  sleep?(name: string, ms: number): Promise<void>;
}

/** How a handed-off run waits for `jobs/done/<id>.json`: this many checks, `intervalMs` apart. */
export interface AwaitHandOff {
  checks: number;
  intervalMs: number;
}

/** The current data of one model, as the load step reports it (keys, not rows: outputs stay small). */
export interface DataWindow {
  files: string[];
  rows: number;
  features: number;
}

/** A candidate fitted and saved (not promoted) as `version`, scored with the incumbent on one holdout. */
export interface FittedCandidate {
  version: number;
  candidateMetric: number | null;
  incumbentMetric: number | null;
}

/**
 * The trainer as a capability: fit on the window, save the candidate unpromoted, score both on the same
 * holdout (`fitCandidate` in fit-candidate.ts, with the platform's engine and backend bound). Absent where
 * no trainer is wired: every fit is then handed to Node.
 */
export type FitCandidate = (input: {
  store: CheckpointStore;
  model: string;
  incumbentVersion: number;
  data: DataWindow;
  policy: RetrainPolicy;
  /** The run's instance id, recorded as the candidate's run id. */
  runId: string;
}) => Promise<FittedCandidate>;

/** What the tasks need besides the message. */
export interface RetrainTaskOptions {
  store: CheckpointStore;
  policy: RetrainPolicy;
  /** Reads the model's current data (the edge: R2 under the drift data prefix). */
  loadData: (model: string) => Promise<DataWindow | undefined>;
  fitCandidate?: FitCandidate;
  /**
   * The drift test rerun on the staged window against the incumbent (check-drift.ts), as the `check-drift`
   * step; a run queued for drift whose window no longer drifts ends `skipped`. Absent: the cron's decision stands.
   */
  checkDrift?: (input: {
    store: CheckpointStore;
    model: string;
    incumbentVersion: number;
    data: DataWindow;
  }) => Promise<WindowDrift | null>;
  /** Work (rows × features × rounds) above which the fit goes to Node. */
  edgeMaxWork: number;
  /**
   * Boosting rounds of the fit, for the estimate. @default read from the incumbent's pipeline.json
   * (`fitRounds`: each GBDT's numTrees, 1 per closed-form model)
   */
  rounds?: number;
  /**
   * Wait for the Node worker's result after a hand-off (needs `runner.sleep`), then record its outcome;
   * past the last check the run fails naming the `await-node` step. Unset: record `handed_off` and end.
   */
  awaitHandOff?: AwaitHandOff;
  /** `false` where nothing can take the fit over (the Node worker): a fit that cannot run here fails. @default true */
  handOff?: boolean;
  now?: () => Date;
  /** Called at the start of every attempt of every step: a fault hook for tests, unset otherwise. */
  beforeAttempt?: (step: string) => void;
}

/**
 * The incumbent's fit rounds from its pipeline.json (one small read, not hash-checked: it only sizes the
 * estimate; the fit loads and verifies the whole checkpoint).
 * @throws CheckpointError CHECKPOINT_CORRUPT when the version has no pipeline.json.
 */
async function incumbentRounds(store: CheckpointStore, model: string, version: number): Promise<number> {
  const key = `${versionKey(model, version)}/${PIPELINE_FILE}`;
  const found = await store.get(key);
  if (!found) {
    throw new CheckpointError('CHECKPOINT_CORRUPT', `${store.describe(key)} is missing`, { key });
  }
  return fitRounds(decodePipelineFile(found.bytes).models);
}

/** Wraps a runner so every step's time and attempts land in `timings`. */
function timed(
  runner: StepRunner,
  timings: StepTiming[],
  now: () => number,
  beforeAttempt: (step: string) => void,
): StepRunner {
  const sleep = runner.sleep?.bind(runner);
  return {
    ...(sleep ? { sleep } : {}),
    do: async (name, fn) => {
      const line: StepTiming = { name, ms: 0, attempts: 0 };
      const t0 = now();
      try {
        return await runner.do(name, () => {
          line.attempts++;
          beforeAttempt(name);
          return fn();
        });
      } finally {
        line.ms = now() - t0;
        timings.push(line);
      }
    },
  };
}

/** A step's failure, naming the step (the run record's `error`). */
export class RetrainStepError extends Error {
  constructor(
    readonly step: string,
    cause: unknown,
  ) {
    super(`${step}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'RetrainStepError';
  }
}

/**
 * One retraining run for `message` under instance `id`: load incumbent → load data → plan (edge or Node)
 * → fit + evaluate → promote by compare-and-swap only when the candidate beats the incumbent → record.
 * A step failing past its retries ends the run `failed` with the step named, and promotes nothing.
 * @returns the run record, also written to `runs/<model>/<id>.json`.
 */
export async function runRetrainTasks(
  id: string,
  message: RetrainMessage,
  runner: StepRunner,
  options: RetrainTaskOptions,
): Promise<RunRecord> {
  const { store, policy } = options;
  const clock = options.now ?? (() => new Date());
  const steps: StepTiming[] = [];
  const run = timed(runner, steps, () => clock().getTime(), options.beforeAttempt ?? (() => {}));
  const started_at = clock().toISOString();
  const base = { id, model: message.model, reason: message.reason, started_at };
  let incumbentVersion = message.version;
  let jobKey: string | undefined;
  let drift: WindowDrift | null = null;
  const step = async <T extends object | number | string | boolean | null>(
    name: string,
    fn: () => Promise<T>,
  ): Promise<T> => {
    try {
      return await run.do(name, fn);
    } catch (error) {
      throw new RetrainStepError(name, error);
    }
  };
  const finish = (rest: Omit<RunRecord, keyof typeof base | 'steps' | 'finished_at' | 'incumbent_version'>) =>
    step('record', async () => {
      const record: RunRecord = {
        ...base,
        incumbent_version: incumbentVersion,
        ...(drift ? { drift } : {}),
        ...rest,
        steps: [...steps],
        finished_at: clock().toISOString(),
      };
      await writeRunRecord(store, record);
      return record;
    });
  try {
    const incumbent = await step('load-incumbent', async () => {
      const live = await readManifest(store, message.model);
      if (!live) return { version: 0, etag: null, rounds: 1 };
      const { version } = live.manifest;
      return {
        version,
        etag: live.etag,
        rounds: options.rounds ?? (await incumbentRounds(store, message.model, version)),
      };
    });
    incumbentVersion = incumbent.version;
    const data = await step('load-data', async () => (await options.loadData(message.model)) ?? null);
    if (!data) return await finish({ outcome: 'skipped', detail: 'no current data for this model' });
    const checkDrift = options.checkDrift;
    if (checkDrift && incumbent.version > 0) {
      drift = await step('check-drift', () =>
        checkDrift({ store, model: message.model, incumbentVersion: incumbent.version, data }),
      );
      if (drift && !drift.due && message.reason === 'drift') {
        return await finish({
          outcome: 'skipped',
          detail: `queued for drift, but the staged window no longer drifts: ${drift.detail}`,
        });
      }
    }
    const work = estimateWork({ rows: data.rows, features: data.features, rounds: incumbent.rounds });
    const fitCandidate = options.fitCandidate;
    // Without an incumbent there is no recipe to retrain here: Node trains the first one from a config.
    if (!fitCandidate || incumbent.version === 0 || work > options.edgeMaxWork) {
      const why = !fitCandidate
        ? 'no trainer at the edge'
        : incumbent.version === 0
          ? 'no incumbent to take the pipeline and models from'
          : `work ${work} > edge limit ${options.edgeMaxWork}`;
      if (options.handOff === false) {
        // Already on Node (the worker of a handed-off job): nowhere further to send it.
        throw new RetrainStepError('fit', new Error(`cannot fit here: ${why}`));
      }
      const job_key = await step('hand-off', () =>
        writePendingJob(store, {
          id,
          model: message.model,
          incumbent_version: incumbent.version,
          data_keys: data.files,
          estimated_work: work,
          rows: data.rows,
          features: data.features,
          reason: message.reason,
          created_at: clock().toISOString(),
        }),
      );
      jobKey = job_key;
      if (!options.awaitHandOff || !run.sleep) {
        return await finish({ outcome: 'handed_off', job_key, detail: `fit handed to Node: ${why}` });
      }
      const done = await awaitJobResult(id, run, steps, options.awaitHandOff, store);
      if (done.outcome === 'failed') {
        const cause = new Error(`Node worker ${done.worker}: ${done.error ?? done.detail}`);
        throw new RetrainStepError('await-node', cause);
      }
      return await finish({
        outcome: done.outcome,
        job_key,
        ...(done.promoted_version === undefined ? {} : { promoted_version: done.promoted_version }),
        ...(done.metrics ? { metrics: done.metrics } : {}),
        detail: `fit handed to Node (${why}); worker ${done.worker}: ${done.detail}`,
      });
    }
    const candidate = await step('fit', () =>
      fitCandidate({
        store,
        model: message.model,
        incumbentVersion: incumbent.version,
        data,
        policy,
        runId: id,
      }),
    );
    const metrics = { candidate: candidate.candidateMetric, incumbent: candidate.incumbentMetric };
    const better = beatsIncumbent(candidate.candidateMetric, candidate.incumbentMetric, policy);
    if (!better) {
      return await finish({
        outcome: 'kept',
        metrics,
        detail: `candidate does not beat the incumbent on ${policy.metricKey}`,
      });
    }
    const promoted = await step('promote', async () => {
      try {
        await promote(store, message.model, candidate.version, { ifMatch: incumbent.etag });
        return true;
      } catch (error) {
        // Lost the race to another run: the incumbent changed, so this decision no longer holds.
        if (error instanceof CheckpointConflictError) return false;
        throw error;
      }
    });
    return await finish(
      promoted
        ? {
            outcome: 'promoted',
            promoted_version: candidate.version,
            metrics,
            detail: `candidate v${candidate.version} beats the incumbent`,
          }
        : {
            outcome: 'kept',
            metrics,
            detail: 'the incumbent changed during the run (compare-and-swap lost)',
          },
    );
  } catch (error) {
    if (!(error instanceof RetrainStepError) || error.step === 'record') throw error;
    // The failure is recorded (naming the step), then rethrown so the instance ends errored.
    await finish({
      outcome: 'failed',
      detail: error.message,
      error: error.message,
      ...(jobKey ? { job_key: jobKey } : {}),
    });
    throw error;
  }
}

/**
 * Polls `jobs/done/<id>.json` with a durable sleep between checks; the checks' timing lines are folded
 * into one `await-node` line so a long wait does not flood the run record.
 * @throws RetrainStepError naming `await-node` after the last check, or when reading fails past retries
 */
async function awaitJobResult(
  id: string,
  run: StepRunner,
  steps: StepTiming[],
  wait: AwaitHandOff,
  store: CheckpointStore,
): Promise<JobResult> {
  const first = steps.length;
  try {
    for (let i = 1; i <= wait.checks; i++) {
      const done = await run.do(`await-node-${i}`, async () => (await readJobResult(store, id)) ?? null);
      if (done) return done;
      if (i < wait.checks) await run.sleep?.(`await-node-sleep-${i}`, wait.intervalMs);
    }
  } catch (error) {
    throw new RetrainStepError('await-node', error);
  } finally {
    const lines = steps.splice(first);
    steps.push({
      name: 'await-node',
      ms: lines.reduce((sum, l) => sum + l.ms, 0),
      attempts: lines.reduce((sum, l) => sum + l.attempts, 0),
    });
  }
  const seconds = ((wait.checks - 1) * wait.intervalMs) / 1000;
  throw new RetrainStepError(
    'await-node',
    new Error(
      `no result at ${doneJobKey(id)} after ${wait.checks} checks over ${seconds} s ` +
        '(TWIGA_RETRAIN_HANDOFF_TIMEOUT_SECONDS)',
    ),
  );
}
