/**
 * The retraining loop inside workerd with real local R2, Queue and Workflow bindings: queue message →
 * one Workflow instance (idempotent id) → run record; a redelivery starts no second run; a step failing
 * twice is retried to success; a step failing past its retries ends the run naming the step. Faults are
 * injected on purpose via TWIGA_RETRAIN_FAULT (vitest.config.ts) for the `fault-*` models only. These
 * models have no incumbent, so their fit is handed to Node: the test writes the job's result, acting as
 * the Node worker (retrain-handoff.test.ts covers the wait itself).
 */
import { env, introspectWorkflow, introspectWorkflowInstance } from 'cloudflare:test';
import { describe, expect, it, vi } from 'vitest';
import { sendRetrainMessages } from '../../../src/edge/retrain-queue.js';
import type { Env } from '../../../src/edge/worker.js';
import { pendingJobKey } from '../../../src/runtime/retrain/hand-off.js';
import { type RetrainMessage, retrainInstanceId } from '../../../src/runtime/retrain/message.js';
import { actAsNodeWorker, deliver, runRecord, seedSmallWindow } from './retrain-helpers.js';

const WINDOW = '2024-03-01T00:00:00.000Z';

const message = (model: string): RetrainMessage => ({ model, version: 0, reason: 'drift', window: WINDOW });

/** Seeds the model's data, delivers its message with retry delays disabled, waits for `status`. */
async function runOne(model: string, status: 'complete' | 'errored') {
  await seedSmallWindow(model, '2024-02-28');
  const id = retrainInstanceId(message(model));
  const instance = await introspectWorkflowInstance(env.RETRAIN_WORKFLOW, id);
  try {
    await instance.modify(async (m) => m.disableRetryDelays());
    const delivered = await deliver([message(model)], 'm');
    if (status === 'complete') await actAsNodeWorker(id, model);
    await instance.waitForStatus(status);
    const error = status === 'errored' ? (await instance.getError()).message : undefined;
    return { id, delivered, error, run: await runRecord(model, id) };
  } finally {
    await instance.dispose();
  }
}

describe('retraining queue + workflow', () => {
  it('starts one instance per message and none on redelivery; hands the fit to Node', async () => {
    const { id, delivered, run } = await runOne('loop-a', 'complete');
    expect(delivered.explicitAcks).toEqual(['m-0']);
    expect(run.outcome).toBe('kept');
    expect(run.job_key).toBe(pendingJobKey(id));
    expect(run.steps.map((s) => s.name)).toEqual(['load-incumbent', 'load-data', 'hand-off', 'await-node']);
    // Redelivered: the same id exists, so the message is acked and no second run starts.
    const again = await deliver([message('loop-a')], 'again');
    expect(again.explicitAcks).toEqual(['again-0']);
    expect((await runRecord('loop-a', id)).started_at).toBe(run.started_at);
  });

  it('retries a step that fails twice, and the run completes', async () => {
    const { run } = await runOne('fault-retry', 'complete');
    expect(run.outcome).toBe('kept');
    expect(run.steps.find((s) => s.name === 'load-data')?.attempts).toBe(3);
  });

  it('ends the run with an error naming the step when retries run out, and promotes nothing', async () => {
    const { run, error } = await runOne('fault-fail', 'errored');
    expect(error).toContain('load-data');
    expect(run.outcome).toBe('failed');
    expect(run.error).toMatch(/^load-data: injected fault/);
    expect(run.promoted_version).toBeUndefined();
    expect(await env.CHECKPOINTS.head('fault-fail/_manifest.json')).toBeNull();
  });

  it("sends the cron's messages in sendBatch calls of at most 100, so 101 due models all start", async () => {
    const messages = Array.from({ length: 101 }, (_, i) => message(`send-${String(i).padStart(3, '0')}`));
    const queue = (env as unknown as Env).RETRAIN_QUEUE!;
    const introspector = await introspectWorkflow(env.RETRAIN_WORKFLOW);
    try {
      await introspector.modifyAll(async (m) => m.disableRetryDelays());
      // The real local queue refuses one call with all of them, as Cloudflare's does (locally the error
      // reads "Unknown Internal Error"; Miniflare's broker checks "batch message count … exceeds limit of 100").
      await expect(queue.sendBatch(messages.map((body) => ({ body })))).rejects.toThrow();
      expect(await sendRetrainMessages(queue, messages)).toBe(2);
      await vi.waitUntil(() => introspector.get().length >= messages.length, {
        timeout: 120_000,
        interval: 200,
      });
      for (const instance of introspector.get()) await instance.waitForStatus('complete');
      expect(introspector.get().length).toBe(messages.length);
      // No data for these models: every run ends skipped, one per model.
      const last = messages.at(-1)!;
      expect((await runRecord(last.model, retrainInstanceId(last))).outcome).toBe('skipped');
    } finally {
      await introspector.dispose();
    }
  }, 300_000);
});
