/**
 * HttpTracker against a FAKE MLflow server: a tiny node:http server on 127.0.0.1 standing in for
 * `mlflow server`, answering like its REST API and recording each request so its shape can be checked.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpTracker, logEvaluation } from '../../../src/node/tracking/index.js';
import { DataError } from '../../../src/runtime/errors.js';

interface Seen {
  method: string;
  url: string;
  body: string;
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
      seen.push({ method: req.method ?? '', url: req.url ?? '', body });
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

    await expect(run.logMetrics({ 'fail/me': 1 })).rejects.toThrow(DataError);
    await expect(run.logMetrics({ 'fail/me': 1 })).rejects.toThrow(/INVALID_PARAMETER_VALUE/u);

    await run.end('FAILED');
    expect(JSON.parse(seen.at(-1)!.body)).toEqual({
      run_id: 'r'.repeat(32),
      status: 'FAILED',
      end_time: 1000,
    });
  });
});
