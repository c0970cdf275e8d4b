/**
 * HttpTracker against a FAKE MLflow server: a tiny node:http server on 127.0.0.1 standing in for
 * `mlflow server`, answering like its REST API and recording each request so its shape can be checked.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLogSink } from '../../../src/node/flows/flow-log.js';
import { trainingFlow } from '../../../src/node/flows/training-flow.js';
import { HttpTracker, logEvaluation, openTracker } from '../../../src/node/tracking/index.js';
import { TrackingError } from '../../../src/runtime/errors.js';
import { settingsFromEnv } from '../../../src/runtime/settings.js';
import { TRAIN_CONFIG, writeWindows } from '../flows/windows.js';

interface Seen {
  method: string;
  url: string;
  body: string;
  authorization: string | undefined;
}
const seen: Seen[] = [];
let server: Server;
let uri = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        body,
        authorization: req.headers.authorization,
      });
      const send = (status: number, json: object) => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(json));
      };
      if (req.url?.startsWith('/api/2.0/mlflow/experiments/get-by-name'))
        return send(404, { error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'no such experiment' });
      if (req.url === '/api/2.0/mlflow/experiments/create') return send(200, { experiment_id: '42' });
      if (req.url === '/api/2.0/mlflow/runs/create')
        return send(200, {
          run: {
            info: {
              run_id: 'r'.repeat(32),
              experiment_id: '42',
              artifact_uri: `mlflow-artifacts:/42/${'r'.repeat(32)}/artifacts`,
            },
          },
        });
      if (req.url === '/api/2.0/mlflow/runs/log-batch' && body.includes('"fail/me"'))
        return send(400, { error_code: 'INVALID_PARAMETER_VALUE', message: 'bad metric' });
      return send(200, {});
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  uri = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('HttpTracker speaks MLflow REST', () => {
  it('creates the experiment and run, logs batches, inputs, artifacts, and ends the run', async () => {
    const tracker = new HttpTracker({ uri, user: 'ada', sourceName: 'train.ts', now: () => 1000 });
    const run = await tracker.startRun({ experiment: 'net load', runName: 'nightly' });
    expect(run.runId).toBe('r'.repeat(32));
    expect(seen[0]).toMatchObject({
      method: 'GET',
      url: '/api/2.0/mlflow/experiments/get-by-name?experiment_name=net%20load',
    });
    expect(JSON.parse(seen[1]!.body)).toEqual({ name: 'net load' });
    expect(JSON.parse(seen[2]!.body)).toEqual({
      experiment_id: '42',
      user_id: 'ada',
      run_name: 'nightly',
      start_time: 1000,
      tags: [
        { key: 'mlflow.user', value: 'ada' },
        { key: 'mlflow.source.name', value: 'train.ts' },
        { key: 'mlflow.source.type', value: 'LOCAL' },
        { key: 'mlflow.runName', value: 'nightly' },
      ],
    });
    seen.length = 0;

    await run.logParams(Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`p${i}`, i])));
    expect(seen.map((s) => JSON.parse(s.body).params.length)).toEqual([100, 50]);
    expect(JSON.parse(seen[0]!.body).run_id).toBe('r'.repeat(32));
    seen.length = 0;

    await logEvaluation(run, { linear: { mae: 25.3, corr: Number.NaN } }, { step: 2 });
    expect(JSON.parse(seen[0]!.body)).toEqual({
      run_id: 'r'.repeat(32),
      metrics: [
        { key: 'linear/mae', value: 25.3, timestamp: 1000, step: 2 },
        { key: 'linear/corr', value: 'NaN', timestamp: 1000, step: 2 },
      ],
    });
    seen.length = 0;

    await run.logInput({
      name: 'load',
      digest: 'abcd1234',
      sourceType: 'local',
      source: '{"uri": "file:///x"}',
    });
    expect(seen[0]!.url).toBe('/api/2.0/mlflow/runs/log-inputs');
    expect(JSON.parse(seen[0]!.body).datasets[0].dataset).toEqual({
      name: 'load',
      digest: 'abcd1234',
      source_type: 'local',
      source: '{"uri": "file:///x"}',
    });

    await run.logArtifact('model/forecaster.json', '{}');
    expect(seen[1]).toEqual({
      method: 'PUT',
      url: `/api/2.0/mlflow-artifacts/artifacts/42/${'r'.repeat(32)}/artifacts/model/forecaster.json`,
      body: '{}',
    });

    await expect(run.logMetrics({ 'fail/me': 1 })).rejects.toThrow(TrackingError);
    await expect(run.logMetrics({ 'fail/me': 1 })).rejects.toThrow(/INVALID_PARAMETER_VALUE/u);

    await run.end('FAILED');
    expect(JSON.parse(seen.at(-1)!.body)).toEqual({
      run_id: 'r'.repeat(32),
      status: 'FAILED',
      end_time: 1000,
    });
  });
});

describe('the training flow over REST', () => {
  it('tracks to the server an http(s) TWIGA_MLFLOW_TRACKING_URI names, with the bearer token', async () => {
    expect(openTracker(uri)).toBeInstanceOf(HttpTracker);
    const dir = await mkdtemp(join(tmpdir(), 'twiga-rest-flow-'));
    try {
      const { reference } = await writeWindows(dir, 'same');
      const from = seen.length;
      const result = await trainingFlow({
        config: TRAIN_CONFIG,
        dataPath: reference,
        settings: settingsFromEnv({
          TWIGA_MLFLOW_TRACKING_URI: uri,
          TWIGA_MLFLOW_TRACKING_TOKEN: 'tok-9',
          TWIGA_MODEL_CHECKPOINT_DIR: join(dir, 'checkpoints'),
        }),
        log: memoryLogSink(),
      });
      expect(result.mlflow_run_id).toBe('r'.repeat(32));
      const calls = seen.slice(from);
      expect(calls.every((c) => c.authorization === 'Bearer tok-9')).toBe(true);
      const urls = calls.map((c) => `${c.method} ${c.url.split('?')[0]}`);
      expect(urls[0]).toBe('GET /api/2.0/mlflow/experiments/get-by-name');
      expect(urls).toContain('POST /api/2.0/mlflow/runs/create');
      expect(urls).toContain('POST /api/2.0/mlflow/runs/log-inputs');
      expect(urls).toContain(
        `PUT /api/2.0/mlflow-artifacts/artifacts/42/${'r'.repeat(32)}/artifacts/metrics.md`,
      );
      const update = calls.filter((c) => c.url === '/api/2.0/mlflow/runs/update').at(-1)!;
      expect(JSON.parse(update.body)).toMatchObject({ run_id: 'r'.repeat(32), status: 'FINISHED' });
      const batches = calls
        .filter((c) => c.url === '/api/2.0/mlflow/runs/log-batch')
        .map((c) => JSON.parse(c.body));
      const metrics = batches.flatMap(
        (b: { metrics?: Array<{ key: string; value: number }> }) => b.metrics ?? [],
      );
      expect(metrics.find((m) => m.key === 'ensemble/mae')?.value).toBeCloseTo(
        result.metrics['ensemble']!['mae']!,
        10,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
