/**
 * The fit step at the edge inside workerd (real local R2 and Workflow): a model with a real incumbent and a
 * drifted recent week, so the run gets past check-drift and fits here. Staged data that cannot be parsed
 * fails the fit once, without retries (NonRetryableError), naming the step; a fit that fails after its save
 * (a fault injected on purpose, TWIGA_RETRAIN_FAULT `fit-saved-once:fit-saved:1` in vitest.config.ts) is
 * retried and reuses the candidate it saved, so the model gains exactly one version.
 */
import { env, introspectWorkflowInstance } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { R2CheckpointStore } from '../../../src/edge/r2-store.js';
import { initEdgeRuntime } from '../../../src/edge/wasm.js';
import { listVersions } from '../../../src/runtime/checkpoint/checkpoint.js';
import { readManifest } from '../../../src/runtime/checkpoint/read.js';
import type { OnnxEngine } from '../../../src/runtime/onnx/engine.js';
import { candidateOfRun } from '../../../src/runtime/retrain/fit-candidate.js';
import type { RetrainMessage } from '../../../src/runtime/retrain/message.js';
import { ModelConfigSchema } from '../../../src/runtime/schemas/model-config.js';
import { PipelineConfigSchema } from '../../../src/runtime/schemas/pipeline-config.js';
import { syntheticNetLoad } from '../../../src/runtime/synthetic.js';
import { netLoadFrame, netLoadRecords, saveIncumbent } from '../../runtime/retrain/fixture.js';
import { runRecord } from './retrain-helpers.js';

const DAY = 24;
const pipelineConfig = PipelineConfigSchema.parse({
  target: 'net_load',
  period: '1h',
  horizon: '6h',
  lookback: '1D',
});
const models = [ModelConfigSchema.parse({ name: 'linear', alpha: 1 })];
const store = new R2CheckpointStore(env.CHECKPOINTS, { bucketName: 'twiga-checkpoints' });
/** Two weeks of training, then a week shifted by 400 MW: drifted, and a retrain wins. */
const s = syntheticNetLoad({ days: 21, stepMinutes: 60, seed: 7, levelShift: { day: 14, mw: 400 } });
let engine: OnnxEngine;

/** `name`'s incumbent (v1) and its recent week in R2, with `edit` applied to the records. */
async function seed(name: string, edit: (rows: ReturnType<typeof netLoadRecords>) => unknown[] = (r) => r) {
  await saveIncumbent({
    store,
    name,
    frame: netLoadFrame(s.time, s.net_load, 0, 14 * DAY),
    pipelineConfig,
    models,
    testStart: 12 * DAY,
    engine,
  });
  const rows = edit(netLoadRecords(s.time, s.net_load, 14 * DAY, 21 * DAY));
  await env.CHECKPOINTS.put(`data/recent/${name}/recent.json`, JSON.stringify(rows));
}

/** Starts one run of `model` against v1 with retry delays disabled; waits for `status`. */
async function run(model: string, status: 'complete' | 'errored') {
  const id = `${model}_v1_fit`;
  const instance = await introspectWorkflowInstance(env.RETRAIN_WORKFLOW, id);
  try {
    await instance.modify(async (m) => m.disableRetryDelays());
    const params: RetrainMessage = { model, version: 1, reason: 'drift', window: 'fit' };
    await env.RETRAIN_WORKFLOW.create({ id, params });
    await instance.waitForStatus(status);
    const error = status === 'errored' ? (await instance.getError()).message : undefined;
    return { error, record: await runRecord(model, id) };
  } finally {
    await instance.dispose();
  }
}

beforeAll(async () => {
  engine = (await initEdgeRuntime()).engine;
});

describe('the fit step at the edge (workerd)', () => {
  it('bad staged data fails the fit after one attempt, naming the step, and promotes nothing', async () => {
    const model = 'fit-bad-data';
    // A timestamp that does not parse: load-data and check-drift (numbers only) pass, the fit cannot.
    await seed(model, (rows) => rows.map((r, i) => (i === 30 ? { ...r, timestamp: 'not-a-time' } : r)));
    const before = (await readManifest(store, model))!;
    const { error, record } = await run(model, 'errored');
    expect(error).toContain('fit');
    expect(record.outcome).toBe('failed');
    expect(record.error).toMatch(/^fit: .*not-a-time/);
    expect(record.steps.map((st) => [st.name, st.attempts])).toEqual([
      ['load-incumbent', 1],
      ['load-data', 1],
      ['check-drift', 1],
      ['fit', 1],
    ]);
    expect(record.promoted_version).toBeUndefined();
    expect((await readManifest(store, model))!.etag).toBe(before.etag);
    expect((await listVersions(store, model)).map((v) => v.version)).toEqual([1]);
  }, 120_000);

  it('a fit failing once after its save is retried and leaves exactly one candidate version', async () => {
    const model = 'fit-saved-once';
    await seed(model);
    const { record } = await run(model, 'complete');
    expect(record.steps.find((st) => st.name === 'fit')?.attempts).toBe(2);
    expect(['kept', 'promoted'], record.detail).toContain(record.outcome);
    // One candidate, saved by this run, whatever the comparison decided.
    const versions = await listVersions(store, model);
    expect(versions.map((v) => v.version)).toEqual([1, 2]);
    expect((await candidateOfRun(store, model, 1, record.id))?.version).toBe(2);
    expect((await readManifest(store, model))!.manifest.version).toBe(record.promoted_version ?? 1);
  }, 120_000);
});
