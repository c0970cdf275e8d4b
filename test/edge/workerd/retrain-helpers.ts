/** Inside workerd: the test side of a hand-off, standing in for the Node worker's last write. */
import { env } from 'cloudflare:test';
import { R2CheckpointStore } from '../../../src/edge/r2-store.js';
import { pendingJobKey } from '../../../src/runtime/retrain/hand-off.js';
import { type JobResult, writeJobResult } from '../../../src/runtime/retrain/job-result.js';

/** The R2 binding as the Workflow sees it. */
export const r2Store = () => new R2CheckpointStore(env.CHECKPOINTS, { bucketName: 'CHECKPOINTS' });

/** Waits (bounded) until the run's hand-off step has written `jobs/pending/<id>.json`. */
export async function waitForPendingJob(id: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await env.CHECKPOINTS.head(pendingJobKey(id)))) {
    if (Date.now() > end) throw new Error(`no ${pendingJobKey(id)} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Acts as the Node worker for a job whose model has no incumbent to fit from: once the job is pending,
 * writes the result a worker writes, here `outcome` (default `kept`), and removes the pending job.
 */
export async function actAsNodeWorker(
  id: string,
  model: string,
  result: Partial<JobResult> = {},
): Promise<JobResult> {
  await waitForPendingJob(id);
  const now = new Date().toISOString();
  const done: JobResult = {
    id,
    model,
    outcome: 'kept',
    detail: 'candidate does not beat the incumbent on mae',
    incumbent_version: 0,
    metrics: { candidate: 2, incumbent: 1 },
    worker: 'test-as-node',
    steps: [{ name: 'fit', ms: 1, attempts: 1 }],
    started_at: now,
    finished_at: now,
    ...result,
  };
  await writeJobResult(r2Store(), done);
  await env.CHECKPOINTS.delete(pendingJobKey(id));
  return done;
}
