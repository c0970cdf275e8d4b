import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  FileStoreTracker,
  fileDigest,
  logDataset,
  logEvaluation,
  logForecasterMetadata,
  logModel,
} from '../../../src/node/tracking/index.js';
import { ConfigError } from '../../../src/runtime/errors.js';

const roots: string[] = [];
async function tempRoot(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'twiga-mlruns-'));
  roots.push(dir);
  return path.join(dir, 'mlruns');
}
afterAll(async () => {
  await Promise.all(roots.map((dir) => rm(dir, { recursive: true, force: true })));
});

const yamlOf = async (file: string) => parse(await readFile(file, 'utf8'), { version: '1.1' });
const text = (file: string) => readFile(file, 'utf8');

describe('FileStoreTracker writes MLflow file-store layout', () => {
  it('creates the Default experiment, .trash, a named experiment and a run with every meta field', async () => {
    const root = await tempRoot();
    let clock = 1_700_000_000_000;
    const tracker = new FileStoreTracker({ root, user: 'ada', sourceName: 'train.ts', now: () => clock++ });
    const run = await tracker.startRun({
      experiment: 'net-load',
      runName: 'nightly',
      tags: { team: 'grid' },
    });

    expect((await stat(path.join(root, '.trash'))).isDirectory()).toBe(true);
    const rootUri = pathToFileURL(root).href;
    const defaultRaw = await text(path.join(root, '0', 'meta.yaml'));
    expect(defaultRaw).toMatch(/^experiment_id: '0'$/mu); // a string id, quoted as PyYAML does
    expect(await yamlOf(path.join(root, '0', 'meta.yaml'))).toEqual({
      artifact_location: `${rootUri}/0`,
      creation_time: 1_700_000_000_000,
      experiment_id: '0',
      last_update_time: 1_700_000_000_000,
      lifecycle_stage: 'active',
      name: 'Default',
    });
    // Sorted keys, block style, as `yaml.dump(sort_keys=True, default_flow_style=False)`.
    expect(
      defaultRaw
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(':')[0]),
    ).toEqual([
      'artifact_location',
      'creation_time',
      'experiment_id',
      'last_update_time',
      'lifecycle_stage',
      'name',
    ]);

    expect(run.experimentId).toMatch(/^[1-9]\d{17}$/u);
    expect(run.runId).toMatch(/^[0-9a-f]{32}$/u);
    const exp = await yamlOf(path.join(root, run.experimentId, 'meta.yaml'));
    expect(exp).toMatchObject({
      name: 'net-load',
      experiment_id: run.experimentId,
      lifecycle_stage: 'active',
    });
    expect(exp['artifact_location']).toBe(`${rootUri}/${run.experimentId}`);

    const runDir = path.join(root, run.experimentId, run.runId);
    const meta = await yamlOf(path.join(runDir, 'meta.yaml'));
    expect(meta).toEqual({
      artifact_uri: `${rootUri}/${run.experimentId}/${run.runId}/artifacts`,
      end_time: null,
      entry_point_name: '',
      experiment_id: run.experimentId,
      lifecycle_stage: 'active',
      run_id: run.runId,
      run_name: 'nightly',
      run_uuid: run.runId,
      source_name: '',
      source_type: 4,
      source_version: '',
      start_time: meta['start_time'],
      status: 1,
      tags: [],
      user_id: 'ada',
    });
    expect(await text(path.join(runDir, 'meta.yaml'))).toContain('tags: []\n');
    for (const sub of ['metrics', 'params', 'artifacts'])
      expect((await stat(path.join(runDir, sub))).isDirectory()).toBe(true);
    const tags = path.join(runDir, 'tags');
    expect(await text(path.join(tags, 'mlflow.runName'))).toBe('nightly');
    expect(await text(path.join(tags, 'mlflow.user'))).toBe('ada');
    expect(await text(path.join(tags, 'mlflow.source.name'))).toBe('train.ts');
    expect(await text(path.join(tags, 'mlflow.source.type'))).toBe('LOCAL');
    expect(await text(path.join(tags, 'team'))).toBe('grid');

    // The same experiment name reuses its id; no name means Default.
    const again = await tracker.startRun({ experiment: 'net-load' });
    expect(again.experimentId).toBe(run.experimentId);
    expect((await tracker.startRun()).experimentId).toBe('0');
    expect(await text(path.join(root, run.experimentId, again.runId, 'tags', 'mlflow.runName'))).toMatch(
      /^[a-z]+-[a-z]+-\d+$/u,
    );

    await run.logParams({ horizon: 48, alpha: 0.5, scale: true, note: 'x'.repeat(7000) });
    const params = path.join(runDir, 'params');
    expect(await text(path.join(params, 'horizon'))).toBe('48');
    expect(await text(path.join(params, 'alpha'))).toBe('0.5');
    expect(await text(path.join(params, 'scale'))).toBe('True');
    expect((await text(path.join(params, 'note'))).length).toBe(6000);
    await run.logParams({ horizon: 48 }); // same value: allowed
    await expect(run.logParams({ horizon: 24 })).rejects.toThrow(ConfigError);

    clock = 1_700_000_100_000;
    await run.logMetrics({ loss: 2, 'linear/mae': 0.1 }, 0);
    await run.logMetrics({ loss: 1e-5, big: 1e16, bad: Number.NaN }, 3);
    const metrics = path.join(runDir, 'metrics');
    expect(await text(path.join(metrics, 'loss'))).toBe('1700000100000 2.0 0\n1700000100001 1e-05 3\n');
    expect(await text(path.join(metrics, 'linear', 'mae'))).toBe('1700000100000 0.1 0\n');
    expect(await text(path.join(metrics, 'big'))).toBe('1700000100001 1e+16 3\n');
    expect(await text(path.join(metrics, 'bad'))).toBe('1700000100001 nan 3\n');
    for (const line of (await text(path.join(metrics, 'loss'))).trim().split('\n')) {
      const parts = line.split(' ');
      expect(parts).toHaveLength(3);
      expect(Number.isInteger(Number(parts[0]))).toBe(true);
      expect(Number.isInteger(Number(parts[2]))).toBe(true);
    }

    await expect(run.logMetrics({ 'bad:key': 1 })).rejects.toThrow(/invalid metric name "bad:key"/u);
    await expect(run.setTags({ '../escape': 'x' })).rejects.toThrow(ConfigError);
    await expect(run.logArtifact('../x', 'x')).rejects.toThrow(ConfigError);

    await run.setTags({ 'mlflow.runName': 'renamed' });
    expect((await yamlOf(path.join(runDir, 'meta.yaml')))['run_name']).toBe('renamed');

    await run.logArtifact('report/metrics.md', '| model | mae |\n');
    await run.logArtifact('blob.bin', new Uint8Array([0, 1, 2]));
    expect(await text(path.join(runDir, 'artifacts', 'report', 'metrics.md'))).toBe('| model | mae |\n');
    expect([...(await readFile(path.join(runDir, 'artifacts', 'blob.bin')))]).toEqual([0, 1, 2]);

    clock = 1_700_000_200_000;
    await run.end('FINISHED');
    const ended = await yamlOf(path.join(runDir, 'meta.yaml'));
    expect(ended).toMatchObject({ status: 3, end_time: 1_700_000_200_000, lifecycle_stage: 'active' });
    await expect(run.logMetrics({ loss: 1 })).rejects.toThrow(/has ended/u);

    await again.end('FAILED');
    expect((await yamlOf(path.join(root, run.experimentId, again.runId, 'meta.yaml')))['status']).toBe(4);
  });

  it('logs twiga steps: dataset input, forecaster params, model artifacts, evaluation metrics', async () => {
    const root = await tempRoot();
    const dataFile = path.join(path.dirname(root), 'load.csv');
    await writeFile(dataFile, 'timestamp,load\n2024-01-01T00:00,1\n');
    const digest = await fileDigest(dataFile);
    expect(digest).toBe(createHash('sha256').update('timestamp,load\n2024-01-01T00:00,1\n').digest('hex'));

    const tracker = new FileStoreTracker({ root, user: 'ada' });
    const run = await tracker.startRun({ experiment: 'twiga' });
    const runDir = path.join(root, run.experimentId, run.runId);

    await logDataset(run, { name: 'load', shape: [1, 2], source: dataFile, digest });
    const datasetId = createHash('md5').update('load').update(digest.slice(0, 8)).digest('hex');
    expect(await yamlOf(path.join(root, run.experimentId, 'datasets', datasetId, 'meta.yaml'))).toEqual({
      digest: digest.slice(0, 8),
      name: 'load',
      profile: '{"num_rows": 1, "num_elements": 2}',
      schema: null,
      source: `{"uri": "${pathToFileURL(dataFile).href}"}`,
      source_type: 'local',
    });
    const inputId = createHash('md5').update(datasetId).update(run.runId).digest('hex');
    expect(await yamlOf(path.join(runDir, 'inputs', inputId, 'meta.yaml'))).toEqual({
      destination_id: datasetId,
      destination_type: 'RUN',
      source_id: datasetId,
      source_type: 'DATASET',
      tags: { 'mlflow.data.context': 'training' },
    });
    expect(await text(path.join(runDir, 'tags', 'twiga.dataset.load.digest'))).toBe(digest);

    await logForecasterMetadata(run, {
      pipeline: { target: 'load', horizon: 48, calendar: ['hour', 'dow'], extra: null },
      models: [{ name: 'linear', alpha: 1 }, { name: 'gbdt' }],
      'weird key!': 'x'.repeat(9000),
    });
    const params = path.join(runDir, 'params');
    expect(await text(path.join(params, 'pipeline.target'))).toBe('load');
    expect(await text(path.join(params, 'pipeline.horizon'))).toBe('48');
    expect(await text(path.join(params, 'pipeline.calendar'))).toBe('["hour","dow"]');
    expect(await text(path.join(params, 'pipeline.extra'))).toBe('');
    expect(await text(path.join(params, 'models.0.name'))).toBe('linear');
    expect(await text(path.join(params, 'models.1.name'))).toBe('gbdt');
    expect((await text(path.join(params, 'weird key_'))).length).toBe(6000);

    await logModel(run, { 'forecaster.json': '{}', 'linear.onnx': new Uint8Array([8, 9]) });
    expect(await readdir(path.join(runDir, 'artifacts', 'model'))).toEqual([
      'forecaster.json',
      'linear.onnx',
    ]);

    await logEvaluation(run, {
      linear: { mae: 25.3, corr: null },
      'seasonal naive:1D': { mae: 40 },
    });
    await logEvaluation(run, { linear: { mae: 26 } }, { prefix: 'validation' });
    const metrics = path.join(runDir, 'metrics');
    expect((await text(path.join(metrics, 'linear', 'mae'))).split(' ')[1]).toBe('25.3');
    expect(await readdir(path.join(metrics, 'linear'))).toEqual(['mae']);
    expect((await text(path.join(metrics, 'seasonal naive_1D', 'mae'))).split(' ').slice(1)).toEqual([
      '40.0',
      '0\n',
    ]);
    expect(await readdir(path.join(metrics, 'validation', 'linear'))).toEqual(['mae']);
    await run.end();
  });
});
