/**
 * Hand-off of fits too large for a Worker: a job object at `jobs/pending/<id>.json` that a Node
 * `twiga-edge worker` claims and completes (`jobs/done/<id>.json`). Platform-free: both sides use it.
 */
import { z } from 'zod';
import type { CheckpointStore } from '../checkpoint/store.js';
import { parseWith } from '../schemas/parse.js';

/** Pending jobs live here; results under `jobs/done/`, claims under `jobs/claims/`. */
export const JOBS_PREFIX = 'jobs/';

/** The job a Worker hands to Node: enough to rerun the same tasks there. */
export const HandOffJobSchema = z
  .object({
    id: z.string().min(1),
    model: z.string().min(1),
    incumbent_version: z.number().int().min(0),
    /** The data keys the run read, so Node reads the same window. */
    data_keys: z.array(z.string()),
    /** The estimate that sent it to Node (rows × features × work per row). */
    estimated_work: z.number().nonnegative(),
    /** The window's size as the load step counted it, so Node need not recount before fitting. */
    rows: z.number().int().nonnegative().optional(),
    features: z.number().int().nonnegative().optional(),
    /** Why the run was due (the message's `reason`), kept for Node's run record. */
    reason: z.string().min(1).optional(),
    created_at: z.string(),
  })
  .strict();
/** A parsed hand-off job. */
export type HandOffJob = z.output<typeof HandOffJobSchema>;

/** `jobs/pending/<id>.json`. */
export const pendingJobKey = (id: string) => `${JOBS_PREFIX}pending/${id}.json`;
/** `jobs/done/<id>.json`. */
export const doneJobKey = (id: string) => `${JOBS_PREFIX}done/${id}.json`;
/** `jobs/claims/<id>.json`: the lease of the worker running the job (lease.ts). */
export const claimKey = (id: string) => `${JOBS_PREFIX}claims/${id}.json`;

const PENDING = `${JOBS_PREFIX}pending/`;

/** The ids of every pending job, sorted. */
export async function listPendingJobs(store: CheckpointStore): Promise<string[]> {
  const keys = await store.list(PENDING);
  return keys.filter((k) => k.endsWith('.json')).map((k) => k.slice(PENDING.length, -'.json'.length));
}

/** The pending job `id`, or `undefined` when it is gone (done and removed). @throws ConfigError if corrupt */
export async function readPendingJob(store: CheckpointStore, id: string): Promise<HandOffJob | undefined> {
  const found = await store.get(pendingJobKey(id));
  if (!found) return undefined;
  return parseWith(HandOffJobSchema, decodeJson(found.bytes), store.describe(pendingJobKey(id)));
}

/** JSON of stored bytes; a parse failure yields the text itself, so the schema names what is wrong. */
export function decodeJson(bytes: Uint8Array): unknown {
  const text = new TextDecoder().decode(bytes);
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Writes the job once (put-if-absent): a retried step or a redelivered message finds it there and reuses it.
 * @returns the job's key.
 */
export async function writePendingJob(store: CheckpointStore, job: HandOffJob): Promise<string> {
  const key = pendingJobKey(job.id);
  const body = new TextEncoder().encode(JSON.stringify(parseWith(HandOffJobSchema, job, 'hand-off job')));
  await store.put(key, body, { ifMatch: null });
  return key;
}

/** Which families cost more per row: boosters multiply the work. */
export interface WorkloadInput {
  rows: number;
  features: number;
  /** Boosting rounds (GBDT) or epochs; 1 for closed-form fits. */
  rounds: number;
}

/**
 * The work estimate the hand-off threshold is compared with: rows × features × rounds. The default
 * threshold (`TWIGA_RETRAIN_EDGE_MAX_WORK`) keeps a fit well inside a Worker's CPU and 128 MB limits.
 */
export function estimateWork(input: WorkloadInput): number {
  return Math.max(0, input.rows) * Math.max(1, input.features) * Math.max(1, input.rounds);
}
