/**
 * Inside workerd, the retraining tests' shared set-up: a small data window for a model, a queue delivery to
 * the Worker's consumer, a run record read back, and the test side of a hand-off (standing in for the Node
 * worker's last write).
 */
import { createExecutionContext, createMessageBatch, env, getQueueResult } from 'cloudflare:test';
import { expect } from 'vitest';
import { R2CheckpointStore } from '../../../src/edge/r2-store.js';
import worker, { type Env } from '../../../src/edge/worker.js';
import { pendingJobKey } from '../../../src/runtime/retrain/hand-off.js';
import { type JobResult, writeJobResult } from '../../../src/runtime/retrain/job-result.js';
import type { RetrainMessage } from '../../../src/runtime/retrain/message.js';
import { type RunRecord, runRecordKey } from '../../../src/runtime/retrain/run-record.js';

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

/** Two days of hourly rows starting on `day` (`YYYY-MM-DD`) as `data/recent/<model>/<day>.json`. */
export async function seedSmallWindow(model: string, day: string): Promise<void> {
  const rows = Array.from({ length: 48 }, (_, i) => ({
    timestamp: `${day}T${String(i % 24).padStart(2, '0')}:00:00`,
    net_load: 100 + i,
  }));
  await env.CHECKPOINTS.put(`data/recent/${model}/${day}.json`, JSON.stringify(rows));
}

/** Delivers `messages` as one batch (ids `<id>-<i>`) to the Worker's queue consumer; what it acked. */
export async function deliver(messages: RetrainMessage[], id: string) {
  const batch = createMessageBatch(
    'twiga-retrain',
    messages.map((body, i) => ({ id: `${id}-${i}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env as unknown as Env);
  return getQueueResult(batch, ctx);
}

/** The run record of instance `id` (it must exist). */
export async function runRecord(model: string, id: string): Promise<RunRecord> {
  const object = await env.CHECKPOINTS.get(runRecordKey(model, id));
  expect(object, runRecordKey(model, id)).not.toBeNull();
  return JSON.parse(new TextDecoder().decode(await object!.arrayBuffer()));
}
