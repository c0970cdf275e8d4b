/**
 * The result of a handed-off job, `jobs/done/<id>.json`: what the Node worker's run decided. The Workflow
 * that handed the job off polls for it and writes its run record from it; `/fleet/retraining` counts it.
 */
import { z } from 'zod';
import type { CheckpointStore } from '../checkpoint/store.js';
import { parseWith } from '../schemas/parse.js';
import { decodeJson, doneJobKey } from './hand-off.js';

const StepTimingSchema = z.object({
  name: z.string(),
  ms: z.number().nonnegative(),
  attempts: z.number().int().nonnegative(),
});

/** `jobs/done/<id>.json` as the Node worker writes it. */
export const JobResultSchema = z
  .object({
    id: z.string().min(1),
    model: z.string().min(1),
    outcome: z.enum(['promoted', 'kept', 'skipped', 'failed']),
    detail: z.string(),
    incumbent_version: z.number().int().min(0),
    promoted_version: z.number().int().min(0).optional(),
    metrics: z.object({ candidate: z.number().nullable(), incumbent: z.number().nullable() }).optional(),
    /** `"<step>: <message>"` when the run failed on the worker. */
    error: z.string().optional(),
    /** The worker that ran it (its lease owner). */
    worker: z.string().min(1),
    steps: z.array(StepTimingSchema),
    started_at: z.string(),
    finished_at: z.string(),
  })
  .strict();
/** A parsed job result. */
export type JobResult = z.output<typeof JobResultSchema>;

/**
 * Writes the result once (put-if-absent): a second worker that ran the same job after losing its lease
 * does not overwrite the first result.
 * @returns whether this call wrote it.
 */
export async function writeJobResult(store: CheckpointStore, result: JobResult): Promise<boolean> {
  const bytes = new TextEncoder().encode(JSON.stringify(parseWith(JobResultSchema, result, 'job result')));
  return (await store.put(doneJobKey(result.id), bytes, { ifMatch: null })) !== undefined;
}

/** The result of job `id`, or `undefined` while there is none. @throws ConfigError when it is corrupt */
export async function readJobResult(store: CheckpointStore, id: string): Promise<JobResult | undefined> {
  const found = await store.get(doneJobKey(id));
  if (!found) return undefined;
  return parseWith(JobResultSchema, decodeJson(found.bytes), store.describe(doneJobKey(id)));
}
