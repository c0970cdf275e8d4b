/**
 * `twiga-edge worker`: the Node side of the hand-off. Pulls `jobs/pending/` from a checkpoint store (a
 * folder, or R2 over its S3 API), runs each job under a lease (src/runtime/retrain/work-job.ts) and loops
 * with a poll interval. Several workers, on one machine or many, share one store's jobs.
 */
import { hostname } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import type { CheckpointStore } from '../runtime/checkpoint/store.js';
import type { EngineChoice } from '../runtime/engine/contract.js';
import type { RetrainPolicy } from '../runtime/flows/decision.js';
import { fitCandidate } from '../runtime/retrain/fit-candidate.js';
import { listPendingJobs } from '../runtime/retrain/hand-off.js';
import type { FitCandidate } from '../runtime/retrain/tasks.js';
import { type JobAttempt, workJob } from '../runtime/retrain/work-job.js';
import { createNodeEngine } from './engine.js';
import { nodeTrainingBackend } from './training-backend.js';

/**
 * The fit the Node worker runs: the same platform-free `fitCandidate` as the Workflow, with Node's
 * TrainingBackend (worker-thread GBDT, bit-identical to the single-thread path) and inference engine.
 */
export function nodeFitCandidate(
  options: { engine?: EngineChoice; holdoutFraction?: number } = {},
): FitCandidate {
  const engine = createNodeEngine(options.engine);
  return (input) =>
    fitCandidate({
      ...input,
      engine,
      backend: nodeTrainingBackend,
      ...(options.holdoutFraction === undefined ? {} : { holdoutFraction: options.holdoutFraction }),
    });
}

/** What `runJobWorker` needs. */
export interface JobWorkerLoopOptions {
  store: CheckpointStore;
  fitCandidate: FitCandidate;
  policy: RetrainPolicy;
  /** Lease name. @default `<hostname>:<pid>` */
  owner?: string;
  /** Lease length; renewed every third of it while a job runs. @default 60 000 */
  leaseMs?: number;
  /** Pause between scans of `jobs/pending/` when there was nothing to do. @default 5 000 */
  pollMs?: number;
  /** Run what can be claimed now, then return (instead of polling for ever). */
  once?: boolean;
  /** Step retries and their first delay. @default { retries: 2, delayMs: 1000 } */
  retry?: { retries: number; delayMs: number };
  /** Aborted on SIGTERM: no new job starts, a running one stops at its next step and releases its lease. */
  signal?: AbortSignal;
  /** One line per job attempt (JSON). @default stderr */
  log?: (line: string) => void;
}

/** What a worker did, printed as JSON when it exits. */
export interface JobWorkerSummary {
  owner: string;
  /** Jobs this worker completed (their result is in `jobs/done/`), in order. */
  done: string[];
  /** Of those, the ones whose run ended `failed`. */
  failed: string[];
  /** Jobs it stopped on SIGTERM and released for another worker. */
  released: string[];
  /** Jobs whose lease it lost (it was too slow to renew); their run was abandoned. */
  lease_lost: string[];
  /** Why it stopped: `drained` (--once), `signal`. */
  stopped: 'drained' | 'signal';
}

/** Starts at a different job in every worker, so workers that scan together rarely race for one lease. */
function rotated(ids: string[]): string[] {
  if (ids.length < 2) return ids;
  const start = Math.floor(Math.random() * ids.length);
  return [...ids.slice(start), ...ids.slice(0, start)];
}

/**
 * Runs jobs until `signal` aborts (or, with `once`, until a scan finds nothing it can claim).
 * @example
 * const controller = new AbortController();
 * process.once('SIGTERM', () => controller.abort());
 * await runJobWorker({ store: new FsCheckpointStore('ckpt'), fitCandidate, policy, signal: controller.signal });
 */
export async function runJobWorker(options: JobWorkerLoopOptions): Promise<JobWorkerSummary> {
  const owner = options.owner ?? `${hostname()}:${process.pid}`;
  const leaseMs = options.leaseMs ?? 60_000;
  const pollMs = options.pollMs ?? 5_000;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const stopping = () => options.signal?.aborted === true;
  const summary: JobWorkerSummary = {
    owner,
    done: [],
    failed: [],
    released: [],
    lease_lost: [],
    stopped: 'signal',
  };
  const note = (attempt: JobAttempt) => {
    if (attempt.status === 'done' && attempt.written) {
      summary.done.push(attempt.id);
      if (attempt.result.outcome === 'failed') summary.failed.push(attempt.id);
    }
    if (attempt.status === 'released') summary.released.push(attempt.id);
    if (attempt.status === 'lease-lost') summary.lease_lost.push(attempt.id);
    if (attempt.status !== 'busy' && attempt.status !== 'gone') {
      const outcome = attempt.status === 'done' ? attempt.result.outcome : undefined;
      log(JSON.stringify({ worker: owner, job: attempt.id, status: attempt.status, outcome }));
    }
  };
  while (!stopping()) {
    let worked = 0;
    for (const id of rotated(await listPendingJobs(options.store))) {
      if (stopping()) break;
      const attempt = await workJob(id, {
        store: options.store,
        owner,
        leaseMs,
        fitCandidate: options.fitCandidate,
        policy: options.policy,
        ...(options.retry ? { retry: options.retry } : {}),
        stopping,
        sleep: (ms) => delay(ms),
        log,
      });
      note(attempt);
      if (attempt.status !== 'busy') worked++;
    }
    if (stopping()) break;
    if (options.once && worked === 0) {
      summary.stopped = 'drained';
      break;
    }
    if (worked === 0) {
      await delay(pollMs, undefined, options.signal ? { signal: options.signal } : {}).catch((error) => {
        // Aborted by SIGTERM while idle: the loop condition ends the run; anything else is a real error.
        if (!stopping()) throw error;
      });
    }
  }
  return summary;
}
