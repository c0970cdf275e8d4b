/**
 * trainingFlow in process: the result, the MLflow file store it writes (parsed back as MLflow reads it),
 * the markdown report, and an injected I/O fault — retried to success, or exhausted with nothing half-written.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { memoryLogSink } from '../../../src/node/flows/flow-log.js';
import { TaskFailedError } from '../../../src/node/flows/task.js';
import { trainingFlow } from '../../../src/node/flows/training-flow.js';
import { FsCheckpointStore } from '../../../src/node/fs-store.js';
import { listVersions } from '../../../src/runtime/checkpoint/checkpoint.js';
import { settingsFromEnv } from '../../../src/runtime/settings.js';
import { failingWrites } from './faults.js';
import { TRAIN_CONFIG, writeWindows } from './windows.js';

let dir: string;
let reference: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'twiga-training-flow-'));
  ({ reference } = await writeWindows(dir, 'same'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const yamlOf = async (file: string) => parse(await readFile(file, 'utf8'), { version: '1.1' });
const settingsIn = (sub: string) =>
  settingsFromEnv({
    TWIGA_MLFLOW_TRACKING_URI: join(dir, sub, 'mlruns'),
    TWIGA_MODEL_CHECKPOINT_DIR: join(dir, sub, 'checkpoints'),
    TWIGA_MLFLOW_EXPERIMENT: 'net-load',
  });

describe('trainingFlow', () => {
  it('trains, checkpoints and tracks a run in MLflow file-store layout, with the metrics table as artifact', async () => {
    const sink = memoryLogSink();
    const result = await trainingFlow({
      config: TRAIN_CONFIG,
      dataPath: reference,
      testStart: '2024-03-15',
      runName: 'nightly',
      tags: { team: 'grid' },
      reportDir: join(dir, 'a', 'reports'),
      settings: settingsIn('a'),
      log: sink,
    });
    expect(result.checkpoint_path).toBe(join(dir, 'a', 'checkpoints', 'twiga', 'v0001'));
    expect(result.mlflow_run_id).toMatch(/^[0-9a-f]{32}$/);
    expect(result.run_id).toBe(result.mlflow_run_id);
    expect(result.split.test_start).toBe('2024-03-15T00:00:00');
    expect(Object.keys(result.metrics)).toEqual(['seasonal_naive_1D', 'linear', 'ensemble']);
    expect(result.metrics['ensemble']!['mae']).toBeGreaterThan(0);

    // One experiment folder besides Default (0) and .trash, one run in it.
    const root = join(dir, 'a', 'mlruns');
    const experiments = (await readdir(root)).filter((d) => d !== '0' && d !== '.trash');
    expect(experiments).toHaveLength(1);
    const exp = join(root, experiments[0]!);
    expect(await yamlOf(join(exp, 'meta.yaml'))).toMatchObject({
      experiment_id: experiments[0],
      name: 'net-load',
      lifecycle_stage: 'active',
    });
    const run = join(exp, result.mlflow_run_id!);
    const meta = await yamlOf(join(run, 'meta.yaml'));
    expect(meta).toMatchObject({
      run_id: result.mlflow_run_id,
      run_uuid: result.mlflow_run_id,
      experiment_id: experiments[0],
      run_name: 'nightly',
      status: 3, // FINISHED
      lifecycle_stage: 'active',
    });
    expect(meta.end_time).toBeGreaterThanOrEqual(meta.start_time);

    // Params as files (dotted keys), metrics as `timestamp value step` lines, tags, artifacts.
    expect(await readFile(join(run, 'params', 'pipeline.horizon'), 'utf8')).toBe('24');
    expect(await readFile(join(run, 'params', 'models.1.name'), 'utf8')).toBe('linear');
    const mae = (await readFile(join(run, 'metrics', 'ensemble', 'mae'), 'utf8')).trim().split('\n');
    expect(mae).toHaveLength(1);
    const [ts, value, step] = mae[0]!.split(' ');
    expect(Number(ts)).toBeGreaterThanOrEqual(meta.start_time);
    expect(Number(value)).toBeCloseTo(result.metrics['ensemble']!['mae']!, 10);
    expect(step).toBe('0');
    const valMae = await readFile(join(run, 'metrics', 'validation', 'linear', 'mae'), 'utf8');
    expect(Number(valMae.split(' ')[1])).toBeCloseTo(result.validation_metrics['linear']!['mae']!, 10);
    expect(await readFile(join(run, 'tags', 'team'), 'utf8')).toBe('grid');
    expect(await readFile(join(run, 'tags', 'twiga.flow'), 'utf8')).toBe('training');
    expect(await readFile(join(run, 'tags', 'twiga.checkpoint.version'), 'utf8')).toBe('1');
    expect(await readFile(join(run, 'tags', 'mlflow.runName'), 'utf8')).toBe('nightly');
    const table = await readFile(join(run, 'artifacts', 'metrics.md'), 'utf8');
    expect(table).toContain('| model | mae | rmse | corr | nbias | wmape | smape |');
    expect(table).toContain(`| ensemble | ${result.metrics['ensemble']!['mae']!.toPrecision(5)} |`);
    const files = (await readdir(join(run, 'artifacts', 'model'))).sort();
    expect(files).toEqual(['linear.onnx', 'pipeline.json', 'reference.json', 'seasonal_naive_1D.onnx']);
    const checkpointPipeline = await readFile(join(result.checkpoint_path, 'pipeline.json'));
    expect(await readFile(join(run, 'artifacts', 'model', 'pipeline.json'))).toEqual(checkpointPipeline);
    // The dataset input: name, digest, source, profile.
    const [datasetId] = await readdir(join(exp, 'datasets'));
    const dataset = await yamlOf(join(exp, 'datasets', datasetId!, 'meta.yaml'));
    expect(dataset).toMatchObject({ name: 'reference', source_type: 'local' });
    expect(dataset.profile).toBe('{"num_rows": 2160, "num_elements": 4320}');

    // The markdown report beside, and the structured log: every task started and finished, in order.
    expect(await readFile(result.report_path!, 'utf8')).toBe(table);
    const done = sink.events.filter((e) => e.event === 'task.done').map((e) => e.task);
    expect(done).toEqual([
      'load-data',
      'start-run',
      'fit',
      'evaluate',
      'save-checkpoint',
      'log-run',
      'publish-report',
    ]);
    expect(
      sink.events.every((e) => e.flow === 'training' && e.flow_run_id === sink.events[0]!.flow_run_id),
    ).toBe(true);
  });

  it('retries a checkpoint write that fails with EIO and completes', async () => {
    const settings = settingsIn('b');
    const store = failingWrites(new FsCheckpointStore(settings.model.checkpointDir), {
      match: (key) => key.endsWith('linear.onnx'),
      times: 2,
    });
    const sink = memoryLogSink();
    const result = await trainingFlow({
      config: TRAIN_CONFIG,
      dataPath: reference,
      settings,
      store,
      retryDelayMs: 5,
      log: sink,
    });
    expect(store.failures).toHaveLength(2);
    const retries = sink.events.filter((e) => e.event === 'task.retry');
    expect(retries.map((e) => [e.task, e.attempt])).toEqual([
      ['save-checkpoint', 1],
      ['save-checkpoint', 2],
    ]);
    // Each failed attempt removed its partial version, so the third wrote v0001 whole.
    expect(result.version).toBe(1);
    const versions = await listVersions(new FsCheckpointStore(settings.model.checkpointDir), 'twiga');
    expect(versions.map((v) => [v.version, v.complete, v.active])).toEqual([[1, true, true]]);
  });

  it('fails naming the task when the retries run out; no half-written version, the run marked FAILED', async () => {
    const settings = settingsIn('c');
    const fs = new FsCheckpointStore(settings.model.checkpointDir);
    const store = failingWrites(fs, { match: (key) => key.endsWith('.onnx'), times: 99 });
    const error = await trainingFlow({
      config: TRAIN_CONFIG,
      dataPath: reference,
      settings,
      store,
      retries: 1,
      retryDelayMs: 5,
      log: memoryLogSink(),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskFailedError);
    expect((error as Error).message).toMatch(
      /^training flow: task "save-checkpoint" failed after 2 attempts: Error: EIO/,
    );
    expect(await fs.list('twiga/')).toEqual([]);
    // The tracking run exists (it was opened before fitting) and says FAILED.
    const root = settings.mlflow.trackingUri;
    const exp = (await readdir(root)).find((d) => d !== '0' && d !== '.trash')!;
    const runs = (await readdir(join(root, exp))).filter((d) => d !== 'meta.yaml' && d !== 'datasets');
    expect(runs).toHaveLength(1);
    expect((await yamlOf(join(root, exp, runs[0]!, 'meta.yaml'))).status).toBe(4); // FAILED
  });

  it('names the missing data file option', async () => {
    await expect(
      trainingFlow({ config: TRAIN_CONFIG, settings: settingsIn('d'), log: memoryLogSink() }),
    ).rejects.toThrow(/dataPath: a data file is required/);
    await expect(
      // @ts-expect-error an unknown option is refused, not ignored
      trainingFlow({ dataPath: reference, numTrails: 3, settings: settingsIn('d'), log: memoryLogSink() }),
    ).rejects.toThrow(/numTrails/);
  });
});
