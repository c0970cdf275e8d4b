/**
 * A handed-off run inside workerd (real local R2, Queue and Workflow): after the hand-off step the
 * Workflow sleeps durably between checks of jobs/done/<id>.json and records the Node worker's outcome;
 * without a result it ends failed naming `await-node`; a failed Node run fails the instance. The models
 * here have no incumbent, so the Workflow hands their fit off. One test writes the result, acting as the
 * Node worker; another runs the worker's job runner (work-job.ts) here on the job, which fails as it would
 * on Node for lack of an incumbent (test/node/retrain-worker.test.ts runs the real worker processes). Also the consumer: one createBatch
 * call per batch, and a failed lookup's error kept in the `retried` entry.
 */
import {
  createExecutionContext,
  createMessageBatch,
  env,
  getQueueResult,
  introspectWorkflowInstance,
  SELF,
} from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { WorkflowLike } from '../../../src/edge/retrain-bindings.js';
import { consumeRetrainBatch } from '../../../src/edge/retrain-queue.js';
import { initEdgeRuntime } from '../../../src/edge/wasm.js';
import { retrainPolicy } from '../../../src/runtime/flows/decision.js';
import { doneJobKey, pendingJobKey } from '../../../src/runtime/retrain/hand-off.js';
import { type RetrainMessage, retrainInstanceId } from '../../../src/runtime/retrain/message.js';
import type { RunRecord } from '../../../src/runtime/retrain/run-record.js';
import { workJob } from '../../../src/runtime/retrain/work-job.js';
import { fitWith } from '../../runtime/retrain/fixture.js';
import { ROUTE_SETTINGS } from '../route-settings.js';
import {
  actAsNodeWorker,
  deliver,
  r2Store,
  runRecord,
  seedSmallWindow,
  waitForPendingJob,
} from './retrain-helpers.js';

const WINDOW = '2024-04-01T00:00:00.000Z';
const message = (model: string): RetrainMessage => ({ model, version: 0, reason: 'drift', window: WINDOW });

/** Delivers `model`'s message, lets `node` act while the run waits, returns how the instance ended. */
async function handOff(
  model: string,
  status: 'complete' | 'errored',
  node: (id: string) => Promise<unknown>,
  options: { noSleeps?: boolean } = {},
) {
  await seedSmallWindow(model, '2024-03-30');
  const id = retrainInstanceId(message(model));
  const instance = await introspectWorkflowInstance(env.RETRAIN_WORKFLOW, id);
  try {
    await instance.modify(async (m) => {
      await m.disableRetryDelays();
      if (options.noSleeps) await m.disableSleeps();
    });
    await deliver([message(model)], model);
    await node(id);
    await instance.waitForStatus(status);
    const error = status === 'errored' ? (await instance.getError()).message : undefined;
    return { id, error, run: await runRecord(model, id) };
  } finally {
    await instance.dispose();
  }
}

describe('a handed-off retraining run', () => {
  it('waits for the Node worker and records its outcome; the run is listed by GET /models/{name}/runs', async () => {
    const model = 'handoff-promoted';
    const { id, run } = await handOff(model, 'complete', (id) =>
      actAsNodeWorker(id, model, {
        outcome: 'promoted',
        promoted_version: 1,
        detail: 'candidate v1 beats the incumbent',
        metrics: { candidate: 1.25, incumbent: 2.5 },
      }),
    );
    expect(run).toMatchObject({
      outcome: 'promoted',
      promoted_version: 1,
      job_key: pendingJobKey(id),
      metrics: { candidate: 1.25, incumbent: 2.5 },
    });
    expect(run.detail).toContain('worker test-as-node: candidate v1 beats the incumbent');
    expect(run.steps.map((s) => s.name)).toEqual(['load-incumbent', 'load-data', 'hand-off', 'await-node']);
    expect(run.steps.at(-1)!.attempts).toBeGreaterThanOrEqual(1);

    const res = await SELF.fetch(`http://twiga.test/models/${model}/runs`, {
      headers: { 'x-api-key': ROUTE_SETTINGS.apiKey },
    });
    expect(res.status).toBe(200);
    const page = (await res.json()) as { runs: RunRecord[]; total: number };
    expect(page.total).toBe(1);
    expect(page.runs[0]).toEqual(run);
  });

  it('without a result before the timeout, ends failed naming await-node and keeps the job pending', async () => {
    const model = 'handoff-timeout';
    const { id, run, error } = await handOff(model, 'errored', waitForPendingJob, { noSleeps: true });
    expect(error).toContain('await-node');
    expect(run.outcome).toBe('failed');
    expect(run.error).toMatch(/^await-node: no result at jobs\/done\/.+ after 121 checks over 60 s/);
    expect(run.job_key).toBe(pendingJobKey(id));
    expect(run.steps.find((s) => s.name === 'await-node')?.attempts).toBe(121);
    // A worker that comes later still finds the job.
    expect(await env.CHECKPOINTS.head(pendingJobKey(id))).not.toBeNull();
    expect(await env.CHECKPOINTS.head(doneJobKey(id))).toBeNull();
  });

  it("runs the worker's own code on the job and fails the instance with its error", async () => {
    const model = 'handoff-node-failed';
    let attempt: Awaited<ReturnType<typeof workJob>> | undefined;
    // The Node worker's job runner (lease, the same tasks, result, clean-up) run here on the real R2 binding.
    // This model has no incumbent, so the run fails before any fit, as it does on Node.
    const { id, run, error } = await handOff(model, 'errored', async (id) => {
      await waitForPendingJob(id);
      attempt = await workJob(id, {
        store: r2Store(),
        owner: 'workerd-as-node',
        leaseMs: 30_000,
        fitCandidate: fitWith(async () => (await initEdgeRuntime('auto')).engine),
        policy: retrainPolicy({}),
        retry: { retries: 0, delayMs: 0 },
        sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      });
    });
    const cause = 'fit: cannot fit here: no incumbent to take the pipeline and models from';
    expect(attempt).toMatchObject({
      id,
      status: 'done',
      written: true,
      result: { outcome: 'failed', error: cause },
    });
    expect(error).toContain('await-node');
    expect(run.outcome).toBe('failed');
    expect(run.error).toBe(`await-node: Node worker workerd-as-node: ${cause}`);
    expect(run.promoted_version).toBeUndefined();
    // The worker cleaned up after itself: no pending job, no lease.
    expect(await env.CHECKPOINTS.head(pendingJobKey(id))).toBeNull();
    expect(await env.CHECKPOINTS.head(`jobs/claims/${id}.json`)).toBeNull();
  });
});

describe('the retraining queue consumer', () => {
  it('starts a batch with one createBatch call on the real binding', async () => {
    const models = ['batch-a', 'batch-b', 'batch-c'];
    const ids = models.map((m) => retrainInstanceId(message(m)));
    const instances = await Promise.all(
      ids.map((id) => introspectWorkflowInstance(env.RETRAIN_WORKFLOW, id)),
    );
    const real = env.RETRAIN_WORKFLOW as unknown as Required<WorkflowLike<RetrainMessage>>;
    const calls: string[][] = [];
    // Records the calls and forwards them to the real local binding.
    const recording: WorkflowLike<RetrainMessage> = {
      create: (o) => real.create(o),
      get: (id) => real.get(id),
      createBatch: (batch) => {
        calls.push(batch.map((b) => b.id));
        return real.createBatch(batch);
      },
    };
    try {
      const batch = createMessageBatch(
        'twiga-retrain',
        models.map((m, i) => ({ id: `b-${i}`, timestamp: new Date(), attempts: 1, body: message(m) })),
      );
      const out = await consumeRetrainBatch(batch, recording);
      expect(calls).toEqual([ids]);
      expect(out.map((o) => o.outcome)).toEqual(['started', 'started', 'started']);
      // No data for these models: each run ends `skipped`, proving the instances really started.
      for (const instance of instances) await instance.waitForStatus('complete');
      for (const [i, m] of models.entries()) expect((await runRecord(m, ids[i]!)).outcome).toBe('skipped');
    } finally {
      for (const instance of instances) await instance.dispose();
    }
  });

  it("retries a message whose create and lookup both fail, keeping every call's error", async () => {
    // Faults injected on purpose: a binding whose createBatch, create and get all fail.
    const failing: WorkflowLike<RetrainMessage> = {
      create: async () => {
        throw new Error('create refused (injected)');
      },
      get: async () => {
        throw new Error('lookup unavailable (injected)');
      },
      createBatch: async () => {
        throw new Error('batch refused (injected)');
      },
    };
    const batch = createMessageBatch('twiga-retrain', [
      { id: 'f-0', timestamp: new Date(), attempts: 1, body: message('fail-a') },
      { id: 'f-1', timestamp: new Date(), attempts: 1, body: message('fail-b') },
    ]);
    const ctx = createExecutionContext();
    const out = await consumeRetrainBatch(batch, failing);
    expect(out.map((o) => o.outcome)).toEqual(['retried', 'retried']);
    expect(out[0]!.error).toBe(
      'createBatch: batch refused (injected); create: create refused (injected); get: lookup unavailable (injected)',
    );
    const result = await getQueueResult(batch, ctx);
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(['f-0', 'f-1']);
  });
});
