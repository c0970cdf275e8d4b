/**
 * fitCandidate on Node (what the Node `twiga-edge worker` calls): Node's TrainingBackend passed in, a
 * memory store, the window staged by stageDataWindow. The candidate is saved unpromoted, and the holdout
 * scores are checked against the incumbent and candidate evaluated here on the holdout this file places.
 */
import { describe, expect, it } from 'vitest';
import { nodeTrainingBackend } from '../../../src/node/training-backend.js';
import { listVersions, loadCheckpoint } from '../../../src/runtime/checkpoint/checkpoint.js';
import { MemoryCheckpointStore } from '../../../src/runtime/checkpoint/memory-store.js';
import { readManifest } from '../../../src/runtime/checkpoint/read.js';
import { DataError } from '../../../src/runtime/errors.js';
import { retrainPolicy } from '../../../src/runtime/flows/decision.js';
import { Forecaster } from '../../../src/runtime/forecaster.js';
import { createOnnxEngine } from '../../../src/runtime/onnx/engine.js';
import { stageDataWindow } from '../../../src/runtime/retrain/data-window.js';
import { retryingRunner } from '../../../src/runtime/retrain/step-runner.js';
import { runRetrainTasks, type StepRunner } from '../../../src/runtime/retrain/tasks.js';
import { ModelConfigSchema } from '../../../src/runtime/schemas/model-config.js';
import { PipelineConfigSchema } from '../../../src/runtime/schemas/pipeline-config.js';
import { syntheticNetLoad } from '../../../src/runtime/synthetic.js';
import { fitWith, netLoadFile, netLoadFrame, saveIncumbent } from './fixture.js';

const DAY = 24;
const engine = createOnnxEngine();
const fitNode = fitWith(() => engine, nodeTrainingBackend);
const pipelineConfig = PipelineConfigSchema.parse({
  target: 'net_load',
  period: '1h',
  horizon: '6h',
  lookback: '1D',
});
const models = [
  { name: 'linear', alpha: 1 },
  { name: 'gbdt', numTrees: 10, numLeaves: 8 },
].map((m) => ModelConfigSchema.parse(m));
const policy = retrainPolicy();

/** Two weeks train the incumbent; the next week, level-shifted, is the recent window (two CSV files). */
async function setUp() {
  const s = syntheticNetLoad({ days: 21, stepMinutes: 60, seed: 5, levelShift: { day: 14, mw: 400 } });
  const store = new MemoryCheckpointStore();
  await saveIncumbent({
    store,
    name: 'feeder',
    frame: netLoadFrame(s.time, s.net_load, 0, 14 * DAY),
    pipelineConfig,
    models,
    testStart: 12 * DAY,
    engine,
    backend: nodeTrainingBackend,
  });
  const csv = (a: number, b: number) => netLoadFile('csv', s.time, s.net_load, a, b);
  await store.put('data/recent/feeder/2024-01-15.csv', csv(14 * DAY, 18 * DAY));
  await store.put('data/recent/feeder/2024-01-19.csv', csv(18 * DAY, 21 * DAY));
  const window = (await stageDataWindow(store, 'data/recent/feeder/', 10_000))!;
  const input = (runId: string) => ({
    store,
    model: 'feeder',
    incumbentVersion: 1,
    data: window,
    policy,
    runId,
  });
  return { s, store, window, input };
}

describe('fitCandidate (Node backend, memory store)', () => {
  it('retrains the incumbent recipe on the staged window, saves it unpromoted, scores both on one holdout', async () => {
    const { s, store, window, input } = await setUp();
    expect(window).toEqual({
      files: ['data/recent/feeder/2024-01-15.csv', 'data/recent/feeder/2024-01-19.csv'],
      rows: 7 * DAY,
      features: 2,
    });
    const fitted = await fitNode(input('run-1'));
    expect(fitted.version).toBe(2);
    expect((await readManifest(store, 'feeder'))!.manifest.version).toBe(1);

    // The holdout by this file's arithmetic: the last 30% of 168 rows, cut at whole 6-hour horizons.
    const start = Math.floor((7 * DAY * 0.7) / 6) * 6;
    const recent = netLoadFrame(s.time, s.net_load, 14 * DAY, 21 * DAY);
    const score = async (version: number) => {
      const f = await Forecaster.fromFiles(
        (await loadCheckpoint(store, 'feeder', { version })).files,
        engine,
      );
      return (await f.evaluate(recent, start)).metrics['ensemble']!.mae;
    };
    expect(fitted.incumbentMetric).toBeCloseTo(await score(1), 9);
    expect(fitted.candidateMetric).toBeCloseTo(await score(2), 9);
    // The recipe is the incumbent's: same models, run id recorded.
    const candidate = await loadCheckpoint(store, 'feeder', { version: 2 });
    const manifest = (await Forecaster.fromFiles(candidate.files, engine)).manifest;
    expect(manifest.models.map((m) => m.kind)).toEqual(['linear', 'gbdt']);
    expect(manifest.trained?.['run_id']).toBe('run-1');
    expect(Object.keys(candidate.files)).toContain('reference.json');
    // A level shift the incumbent never saw: the retrained candidate is better on the holdout.
    expect(fitted.candidateMetric!).toBeLessThan(fitted.incumbentMetric!);
  });

  it('fails naming a staged data file that is gone, and saves nothing', async () => {
    const { store, input } = await setUp();
    await store.delete('data/recent/feeder/2024-01-19.csv');
    const run = fitNode(input('run-2'));
    await expect(run).rejects.toBeInstanceOf(DataError);
    await expect(run).rejects.toThrow(/2024-01-19\.csv: data file not found/);
    expect((await store.list('feeder/')).some((k) => k.startsWith('feeder/v0002/'))).toBe(false);
  });

  it('refuses a data file with a timestamp outside the supported range, naming it, and saves nothing', async () => {
    const { store, input } = await setUp();
    // An epoch-milliseconds value past what a Date holds (issue 18's class of 500s): a DataError, not a crash.
    await store.put(
      'data/recent/feeder/2024-01-22.json',
      new TextEncoder().encode(JSON.stringify([{ timestamp: 8_640_000_000_000_001, net_load: 500 }])),
    );
    const window = (await stageDataWindow(store, 'data/recent/feeder/', 10_000))!;
    const run = fitNode({ ...input('run-3'), data: window });
    await expect(run).rejects.toBeInstanceOf(DataError);
    await expect(run).rejects.toThrow(/8640000000000001/);
    expect((await store.list('feeder/')).some((k) => k.startsWith('feeder/v0002/'))).toBe(false);
  });

  it('runRetrainTasks on Node: sizes the work by the incumbent (GBDT trees count), fits when it fits, promotes', async () => {
    const { store } = await setUp();
    const message = { model: 'feeder', version: 1, reason: 'drift', window: 'w' };
    const options = {
      store,
      policy: retrainPolicy(),
      loadData: (model: string) => stageDataWindow(store, `data/recent/${model}/`, 10_000),
      fitCandidate: fitNode,
    };
    const plain = { do: <T>(_name: string, fn: () => Promise<T>) => fn() };
    // 168 rows × 2 columns × (1 ridge + 10 trees) = 3696: above a limit of 3000, below 4000.
    const handed = await runRetrainTasks('small-limit', message, plain, { ...options, edgeMaxWork: 3000 });
    expect(handed.outcome).toBe('handed_off');
    expect(handed.detail).toContain('work 3696 > edge limit 3000');
    const run = await runRetrainTasks('fits', message, plain, { ...options, edgeMaxWork: 4000 });
    expect(run.outcome, run.detail).toBe('promoted');
    expect(run.promoted_version).toBe(2);
    expect((await readManifest(store, 'feeder'))!.manifest.version).toBe(2);
  });

  it('a fit retried after its save reuses the saved candidate: one version per run, same scores', async () => {
    const { store, input } = await setUp();
    const first = await fitNode(input('run-4'));
    // The same run's fit step again (its first attempt saved, then failed before returning).
    const again = await fitNode(input('run-4'));
    expect(again).toEqual(first);
    expect((await listVersions(store, 'feeder')).map((v) => v.version)).toEqual([1, 2]);
    // Another run saves its own candidate.
    expect((await fitNode(input('run-5'))).version).toBe(3);
  });

  it('the plain runner does not retry a permanent failure (bad data): one attempt, the DataError kept', async () => {
    const { store } = await setUp();
    await store.put(
      'data/recent/feeder/2024-01-22.csv',
      new TextEncoder().encode('timestamp,net_load\nnot-a-time,500\n'),
    );
    const attempts: string[] = [];
    const runner: StepRunner = retryingRunner({
      retries: 2,
      delayMs: 0,
      sleep: async () => {},
      beforeAttempt: (step) => attempts.push(step),
    });
    const run = runRetrainTasks(
      'bad-data',
      { model: 'feeder', version: 1, reason: 'drift', window: 'w' },
      runner,
      {
        store,
        policy: retrainPolicy(),
        loadData: (model) => stageDataWindow(store, `data/recent/${model}/`, 10_000),
        fitCandidate: fitNode,
        edgeMaxWork: 1e9,
      },
    );
    await expect(run).rejects.toThrow(/^fit: .*not-a-time/);
    expect(attempts.filter((s) => s === 'fit')).toEqual(['fit']);
    expect((await listVersions(store, 'feeder')).map((v) => v.version)).toEqual([1]);
  });
});
