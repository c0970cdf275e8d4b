/**
 * One handed-off job, run by a worker: claim its lease, run the same retraining tasks the Workflow runs
 * (with the fit at hand, never handed off again), write `jobs/done/<id>.json`, remove the pending job,
 * release the lease. Platform-free: the Node `twiga-edge worker` loops over it; a test can run it anywhere.
 */
import type { CheckpointStore } from '../checkpoint/store.js';
import { crashPoint } from '../crash-points.js';
import type { RetrainPolicy } from '../flows/decision.js';
import { pendingJobKey, readPendingJob } from './hand-off.js';
import { type JobResult, readJobResult, writeJobResult } from './job-result.js';
import { acquireLease, type HeldLease, isHeld, releaseLease, renewLease } from './lease.js';
import type { RunRecord } from './run-record.js';
import { interruptionOf, RunInterruptedError, retryingRunner } from './step-runner.js';
import { type FitCandidate, RetrainStepError, runRetrainTasks } from './tasks.js';

/** What a worker needs to run jobs. */
export interface JobWorkerOptions {
  store: CheckpointStore;
  /** This worker's name in leases and results, e.g. `<host>:<pid>`. */
  owner: string;
  /** How long a lease lasts without renewal; renewed every third of it while the job runs. */
  leaseMs: number;
  fitCandidate: FitCandidate;
  policy: RetrainPolicy;
  /** Step retries and their first delay. @default { retries: 2, delayMs: 1000 } */
  retry?: { retries: number; delayMs: number };
  /** Set when the worker should stop: the run stops at the next step boundary and the lease is released. */
  stopping?: () => boolean;
  sleep: (ms: number) => Promise<void>;
  now?: () => Date;
  log?: (line: string) => void;
}

/** How one attempt at a job ended. */
export type JobAttempt =
  | { id: string; status: 'done'; result: JobResult; written: boolean }
  | { id: string; status: 'busy'; owner: string }
  | { id: string; status: 'gone' }
  | { id: string; status: 'released' | 'lease-lost'; detail: string };

/**
 * Tries job `id` once. A job already done elsewhere only has its pending object removed; a job whose run
 * is interrupted (SIGTERM, a lease lost) writes no result, so another worker runs it again.
 */
export async function workJob(id: string, options: JobWorkerOptions): Promise<JobAttempt> {
  const { store, owner, leaseMs } = options;
  const now = options.now ?? (() => new Date());
  const claim = await acquireLease(store, id, owner, leaseMs, now());
  if (!isHeld(claim)) return { id, status: 'busy', owner: claim.owner };
  crashPoint('worker.claimed');
  let held: HeldLease | undefined = claim;
  let renewing: Promise<void> = Promise.resolve();
  const renew = () => {
    renewing = renewing.then(async () => {
      if (!held) return;
      try {
        held = await renewLease(store, held, leaseMs, now());
      } catch (error) {
        // A failed renewal is retried on the next tick; the lease still has two thirds of its time.
        options.log?.(`lease ${id}: renewal failed: ${error instanceof Error ? error.message : error}`);
      }
    });
  };
  const timer = setInterval(renew, Math.max(10, Math.floor(leaseMs / 3)));
  try {
    // Finished by a worker whose clean-up was cut short: only the pending object is left to remove.
    const already = await readJobResult(store, id);
    if (already) {
      await store.delete(pendingJobKey(id));
      return { id, status: 'gone' };
    }
    const job = await readPendingJob(store, id);
    if (!job) return { id, status: 'gone' };
    const runner = retryingRunner({
      ...(options.retry ?? {}),
      sleep: options.sleep,
      beforeAttempt: () => {
        if (!held) throw new RunInterruptedError(`lease on ${id} lost to another worker`, 'lease-lost');
        if (options.stopping?.()) throw new RunInterruptedError(`worker ${owner} stopping`, 'stopping');
      },
    });
    const startedAt = now().toISOString();
    let record: RunRecord | undefined;
    let failure: RetrainStepError | undefined;
    try {
      record = await runRetrainTasks(
        id,
        {
          model: job.model,
          version: job.incumbent_version,
          reason: job.reason ?? 'handed off',
          window: job.created_at,
        },
        runner,
        {
          store,
          policy: options.policy,
          fitCandidate: options.fitCandidate,
          // Node is where large fits go: never hand this one off again.
          edgeMaxWork: Number.POSITIVE_INFINITY,
          handOff: false,
          loadData: async () => ({ files: job.data_keys, rows: job.rows ?? 0, features: job.features ?? 1 }),
          now,
        },
      );
    } catch (error) {
      const interrupted = interruptionOf(error);
      if (interrupted) {
        return {
          id,
          status: interrupted.reason === 'stopping' ? 'released' : 'lease-lost',
          detail: interrupted.message,
        };
      }
      if (!(error instanceof RetrainStepError)) throw error;
      failure = error;
    }
    const result = resultOf(
      id,
      job.model,
      owner,
      startedAt,
      now().toISOString(),
      record,
      failure,
      job.incumbent_version,
    );
    const written = await writeJobResult(store, result);
    if (!written) options.log?.(`job ${id}: a result was already written by another worker; kept that one`);
    await store.delete(pendingJobKey(id));
    return {
      id,
      status: 'done',
      result: written ? result : ((await readJobResult(store, id)) ?? result),
      written,
    };
  } finally {
    clearInterval(timer);
    await renewing;
    if (held) await releaseLease(store, held);
  }
}

function resultOf(
  id: string,
  model: string,
  worker: string,
  started_at: string,
  finished_at: string,
  record: RunRecord | undefined,
  failure: RetrainStepError | undefined,
  incumbentVersion: number,
): JobResult {
  if (!record || record.outcome === 'handed_off') {
    const error = failure?.message ?? 'run ended without a record';
    return {
      id,
      model,
      outcome: 'failed',
      detail: error,
      error,
      incumbent_version: incumbentVersion,
      worker,
      steps: [],
      started_at,
      finished_at,
    };
  }
  return {
    id,
    model,
    outcome: record.outcome,
    detail: record.detail,
    incumbent_version: record.incumbent_version,
    ...(record.promoted_version === undefined ? {} : { promoted_version: record.promoted_version }),
    ...(record.metrics ? { metrics: record.metrics } : {}),
    ...(record.error ? { error: record.error } : {}),
    worker,
    steps: record.steps,
    started_at,
    finished_at,
  };
}
