/**
 * The HTTP route tests, written once and run against both servers: the Worker inside workerd (R2) and
 * `twiga-edge serve` on Node over real HTTP (files). Only isomorphic imports here.
 */
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { loadCheckpoint, saveCheckpoint } from '../../src/runtime/checkpoint/checkpoint.js';
import { CheckpointConflictError } from '../../src/runtime/checkpoint/conflict.js';
import { manifestKey } from '../../src/runtime/checkpoint/keys.js';
import { encodeJson } from '../../src/runtime/checkpoint/manifest.js';
import { promote } from '../../src/runtime/checkpoint/promote.js';
import { readManifest } from '../../src/runtime/checkpoint/read.js';
import type { CheckpointStore } from '../../src/runtime/checkpoint/store.js';
import { UrlCheckpointStore } from '../../src/runtime/checkpoint/url-store.js';
import type { ForecastJson } from '../../src/runtime/forecast-json.js';
import { ROUTE_SETTINGS } from './route-settings.js';

export interface RouteHarness {
  /** Sends a request to the server under test; `path` starts with `/`. */
  request(path: string, init?: RequestInit): Promise<Response>;
  /** The store the server reads its checkpoint from (R2 binding, or the folder's parent). */
  store: CheckpointStore;
  name: string;
  records: ReadonlyArray<{ timestamp: string; net_load: number }>;
  /** `twiga-edge predict` on Node for the same checkpoint and records. */
  predicted: ForecastJson;
}

type Json = Record<string, unknown>;
type ErrorJson = {
  error: { code: string; message: string; issues?: Array<{ path: string; message: string }> };
};

const KEY = { 'x-api-key': ROUTE_SETTINGS.apiKey };
const JSON_HEADERS = { ...KEY, 'content-type': 'application/json' };

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function describeRoutes(label: string, harness: () => RouteHarness): void {
  const h = () => harness();
  const post = (path: string, body: unknown, headers: Record<string, string> = JSON_HEADERS) =>
    h().request(path, {
      method: 'POST',
      headers,
      body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
    });
  const records = () => h().records.map((r) => ({ ...r }));
  const json = async <T = Json>(res: Response): Promise<T> => (await res.json()) as T;
  const health = async () =>
    json<{ version: number; loaded: boolean; last_error: string | null }>(await h().request('/health'));

  /** A 4xx JSON error whose message or issues name `field`, with no stack trace in the body. */
  async function expectClientError(res: Response, status: number, field: string): Promise<ErrorJson> {
    const text = await res.text();
    expect(res.status, text).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(text).not.toMatch(/\n\s+at |\.ts:\d+/);
    const body = JSON.parse(text) as ErrorJson;
    const named = [body.error.message, ...(body.error.issues ?? []).map((i) => i.path)].join(' ');
    expect(named).toContain(field);
    return body;
  }

  async function waitForVersion(version: number, seconds: number): Promise<number> {
    const start = Date.now();
    while (Date.now() - start < seconds * 1000) {
      if ((await health()).version === version) return (Date.now() - start) / 1000;
      await pause(100);
    }
    throw new Error(
      `/health did not reach version ${version} within ${seconds} s (still ${(await health()).version})`,
    );
  }

  describe(`routes on ${label}`, () => {
    it('GET /health is open and says which model is loaded', async () => {
      const res = await h().request('/health');
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        status: 'ok',
        loaded: true,
        checkpoint: h().name,
        version: 1,
        models: ['seasonal_naive_1D', 'linear'],
        horizon: 48,
        targets: ['net_load'],
        poll_seconds: ROUTE_SETTINGS.pollSeconds,
      });
    });

    it('every other route needs X-API-Key: 401 JSON when missing or wrong', async () => {
      for (const [path, method] of [
        ['/predict', 'POST'],
        ['/predict-interval', 'POST'],
        ['/monitor/drift', 'POST'],
        ['/monitor/performance', 'POST'],
        ['/monitor/performance', 'GET'],
        ['/reload', 'POST'],
        ['/openapi.json', 'GET'],
        ['/checkpoints/twiga/_checkpoint_manifest.json', 'GET'],
      ] as const) {
        const body = method === 'POST' ? JSON.stringify({ records: records() }) : null;
        const missing = await h().request(path, {
          method,
          body,
          headers: { 'content-type': 'application/json' },
        });
        await expectClientError(missing, 401, 'X-API-Key');
        const wrong = await h().request(path, {
          method,
          body,
          headers: { 'content-type': 'application/json', 'x-api-key': `${ROUTE_SETTINGS.apiKey}x` },
        });
        await expectClientError(wrong, 401, 'X-API-Key');
      }
    });

    it('serves an OpenAPI document of every route, generated from the request schemas', async () => {
      const res = await h().request('/openapi.json', { headers: KEY });
      expect(res.status).toBe(200);
      const doc = await json<{
        paths: Record<string, Record<string, { requestBody?: { content: Json } }>>;
        components: Json;
      }>(res);
      expect(Object.keys(doc.paths).sort()).toEqual(
        [
          '/health',
          '/monitor/drift',
          '/monitor/performance',
          '/predict',
          '/predict-interval',
          '/reload',
          '/checkpoints/{name}/{file}',
          // The fleet routes (issue 12): the same handlers by model name, and the listings.
          '/checkpoints/_models.json',
          '/models',
          ...['health', 'predict', 'predict-interval', 'monitor/drift', 'monitor/performance', 'reload'].map(
            (route) => `/models/{name}/${route}`,
          ),
          // The retraining loop's records (issue 15).
          '/models/{name}/runs',
          '/fleet/retraining',
        ].sort(),
      );
      expect(Object.keys(doc.paths['/predict']!['post']!.requestBody!.content)).toEqual([
        'application/json',
        'application/vnd.apache.arrow.stream',
        'application/vnd.apache.arrow.file',
      ]);
      expect(Object.keys(doc.components['schemas'] as Json)).toEqual(
        expect.arrayContaining(['PredictRequest', 'Forecast', 'DriftSummary', 'PerformanceSummary', 'Error']),
      );
    });

    it('POST /predict equals `twiga-edge predict` on Node for the same checkpoint and records', async () => {
      const res = await post('/predict', { records: records() });
      expect(res.status).toBe(200);
      const got = await json<ForecastJson>(res);
      const want = h().predicted;
      expect({ ...got, forecasts: undefined }).toEqual({ ...want, forecasts: undefined });
      expect(Object.keys(got.forecasts)).toEqual(['seasonal_naive_1D', 'linear', 'ensemble']);
      for (const [model, byTarget] of Object.entries(want.forecasts)) {
        const values = got.forecasts[model]!['net_load']!;
        byTarget['net_load']!.forEach((v, i) => {
          expect(Math.abs(values[i]! - v)).toBeLessThanOrEqual(1e-9 * Math.abs(v));
        });
      }
    });

    it('POST /predict takes an Arrow IPC body and gives the same forecast; ensemble_strategy picks the combination', async () => {
      const rows = records();
      const table = tableFromArrays({
        timestamp: rows.map((r) => new Date(`${r.timestamp}Z`)),
        net_load: Float64Array.from(rows, (r) => r.net_load),
      });
      const arrow = await post('/predict?ensemble_strategy=median', tableToIPC(table, 'stream'), {
        ...KEY,
        'content-type': 'application/vnd.apache.arrow.stream',
      });
      expect(arrow.status, await arrow.clone().text()).toBe(200);
      const viaArrow = await json<ForecastJson>(arrow);
      const viaJson = await json<ForecastJson>(
        await post('/predict', { records: rows, ensemble_strategy: 'median' }),
      );
      expect(viaArrow).toEqual(viaJson);
      expect(viaJson.ensemble_strategy).toBe('median');
      const [a, b] = [
        viaJson.forecasts['seasonal_naive_1D']!['net_load']!,
        viaJson.forecasts['linear']!['net_load']!,
      ];
      viaJson.forecasts['ensemble']!['net_load']!.forEach((v, i) => {
        expect(v).toBeCloseTo((a[i]! + b[i]!) / 2, 6);
      });
    });

    it('POST /predict-interval adds conformal bounds per level that contain the forecast and widen with the level', async () => {
      const res = await post('/predict-interval', { records: records(), levels: [0.8, 0.95] });
      expect(res.status).toBe(200);
      const body = await json<ForecastJson>(res);
      for (const model of ['seasonal_naive_1D', 'linear', 'ensemble']) {
        const point = body.forecasts[model]!['net_load']!;
        const i80 = body.intervals![model]!['net_load']!['0.8']!;
        const i95 = body.intervals![model]!['net_load']!['0.95']!;
        point.forEach((p, i) => {
          expect(i80.lower[i]!).toBeLessThanOrEqual(p);
          expect(i80.upper[i]!).toBeGreaterThanOrEqual(p);
          expect(i95.upper[i]! - i95.lower[i]!).toBeGreaterThanOrEqual(i80.upper[i]! - i80.lower[i]!);
        });
      }
      const tooHigh = await post('/predict-interval', { records: records(), levels: [0.9999] });
      await expectClientError(tooHigh, 422, 'level');
    });

    it('serves the active checkpoint read-only: a URL store loads and verifies the same files', async () => {
      const { store, name } = h();
      const base = 'http://edge.test/checkpoints';
      const overHttp = new UrlCheckpointStore(base, {
        headers: KEY,
        fetch: (url, init) => h().request(url.slice('http://edge.test'.length), init),
      });
      const remote = await loadCheckpoint(overHttp, name);
      const local = await loadCheckpoint(store, name);
      expect(remote.version).toBe(local.version);
      expect(remote.files).toEqual(local.files);
      const manifest = await h().request(`/checkpoints/${name}/_checkpoint_manifest.json`, { headers: KEY });
      expect(manifest.headers.get('cache-control')).toBe('no-cache');
      const etag = manifest.headers.get('etag')!;
      expect(etag).toMatch(/^".+"$/);
      const again = await h().request(`/checkpoints/${name}/_checkpoint_manifest.json`, {
        headers: { ...KEY, 'if-none-match': etag },
      });
      expect(again.status).toBe(304);
      const onnx = await h().request(
        `/checkpoints/${name}/v${String(local.version).padStart(4, '0')}/linear.onnx`,
        { headers: KEY },
      );
      expect(onnx.status).toBe(200);
      expect(onnx.headers.get('cache-control')).toMatch(/immutable/);
      expect(new Uint8Array(await onnx.arrayBuffer())).toEqual(local.files['linear.onnx']);
      await expectClientError(
        await h().request(`/checkpoints/${name}/../reports/x.html`, { headers: KEY }),
        404,
        'file',
      );
      await expectClientError(
        await h().request('/checkpoints/other/_checkpoint_manifest.json', { headers: KEY }),
        404,
        'other',
      );
    });

    it('rejects bad input with a 4xx naming the field, never a 500', async () => {
      const rows = records();
      await expectClientError(await post('/predict', '{"records": [{"timestamp": '), 400, 'body');
      await expectClientError(
        await post('/predict', { records: [{ timestamp: true, net_load: 1 }] }),
        400,
        'records[0].timestamp',
      );
      await expectClientError(await post('/predict', { records: rows, horizon: 3 }), 400, 'horizon');
      await expectClientError(await post('/predict', { records: 'many' }), 400, 'records');
      await expectClientError(
        await h().request('/predict', { method: 'POST', headers: KEY }),
        415,
        'content-type',
      );
      await expectClientError(await post('/predict', ''), 400, 'body');
      await expectClientError(await post('/predict', { records: rows, levels: [0.9] }), 400, 'levels');
      await expectClientError(
        await post('/predict', { records: rows.map(({ timestamp }) => ({ timestamp })) }),
        422,
        'net_load',
      );
      await expectClientError(await post('/predict', { records: rows.slice(-20) }), 422, 'lookback');
      const backwards = rows.map((r) => ({ ...r }));
      backwards[11]!.timestamp = rows[5]!.timestamp;
      const decreasing = await expectClientError(
        await post('/predict', { records: backwards }),
        422,
        'records[11].timestamp',
      );
      expect(decreasing.error.message).toMatch(/must increase/);
      const duplicated = rows.map((r) => ({ ...r }));
      duplicated[31]!.timestamp = duplicated[30]!.timestamp;
      await expectClientError(await post('/predict', { records: duplicated }), 422, 'records[31].timestamp');
      const gap = rows.filter((_, i) => i !== 40);
      await expectClientError(await post('/predict', { records: gap }), 422, 'records[40].timestamp');
      const nan = rows.map((r, i) => (i === 7 ? { ...r, net_load: 'NaN' } : r));
      await expectClientError(await post('/predict', { records: nan }), 422, 'records[7].net_load');
      // JSON has no Infinity, but 1e999 parses to it; the request schema takes finite numbers only.
      const text = JSON.stringify({ records: rows }).replace(
        `"net_load":${rows[9]!.net_load}`,
        '"net_load":1e999',
      );
      const infinite = await expectClientError(await post('/predict', text), 400, 'records[9].net_load');
      expect(infinite.error.message).toMatch(/finite number, got Infinity/);
      await expectClientError(
        await post('/predict', { records: rows.map((r, i) => (i === 3 ? { ...r, net_load: null } : r)) }),
        422,
        'records[3].net_load',
      );
      await expectClientError(
        await post('/predict', 'x'.repeat(ROUTE_SETTINGS.maxBodyBytes + 1)),
        413,
        'body',
      );
      await expectClientError(
        await post('/predict', 'timestamp,net_load', { ...KEY, 'content-type': 'text/csv' }),
        415,
        'content-type',
      );
      const arrowJunk = await post('/predict', 'not arrow', {
        ...KEY,
        'content-type': 'application/vnd.apache.arrow.stream',
      });
      await expectClientError(arrowJunk, 400, 'body');
      await expectClientError(
        await post('/predict-interval', { records: rows, levels: [1.5] }),
        400,
        'levels[0]',
      );
      await expectClientError(
        await post('/monitor/drift', { records: rows, columns: ['nope'] }),
        422,
        'nope',
      );
      await expectClientError(await h().request('/nowhere', { headers: KEY }), 404, '/nowhere');
    });

    it('POST /monitor/drift tests the records against the checkpoint reference', async () => {
      type Drift = {
        drift_detected: boolean;
        columns: Json;
        total: number;
        feature_drift: Record<string, number>;
      };
      const same = await json<Drift>(await post('/monitor/drift', { records: records() }));
      expect(same.total).toBe(1);
      expect(Object.keys(same.columns)).toEqual(['net_load']);
      const shifted = records().map((r) => ({ ...r, net_load: r.net_load * 3 + 500 }));
      const res = await post('/monitor/drift', { records: shifted });
      expect(res.status).toBe(200);
      const drifted = await json<Drift & { report_path: string | null }>(res);
      expect(drifted.drift_detected).toBe(true);
      // The last days of the series sit near the training sample (normed Wasserstein ≈ 0.13); the shifted copy is far off.
      expect(same.feature_drift['net_load']!).toBeLessThan(0.5);
      expect(drifted.feature_drift['net_load']!).toBeGreaterThan(10 * same.feature_drift['net_load']!);
      expect(drifted.report_path).toMatch(/data_drift_.*\.html$/);
    });

    it('GET /monitor/performance is 404 until a summary is posted, then returns the latest one', async () => {
      await expectClientError(
        await h().request('/monitor/performance', { headers: KEY }),
        404,
        'performance',
      );
      const rows = records().map((r) => ({ ...r, prediction: r.net_load * 1.05 }));
      const res = await post('/monitor/performance', { records: rows });
      expect(res.status).toBe(200);
      const summary = await json<{
        n: number;
        mae: number;
        reference: { model: string } | null;
        degraded: boolean;
      }>(res);
      expect(summary.n).toBe(rows.length);
      expect(summary.reference?.model).toBe('ensemble');
      const latest = await h().request('/monitor/performance', { headers: KEY });
      expect(latest.status).toBe(200);
      expect(await latest.json()).toEqual(summary);
      await expectClientError(await post('/monitor/performance', { records: records() }), 422, 'prediction');
    });

    it('POST /reload swaps in a new version while requests in flight finish', async () => {
      const { store, name } = h();
      const current = await loadCheckpoint(store, name);
      await saveCheckpoint(store, name, current.files, {
        modelType: current.manifest.model_type,
        checkpointFile: 'pipeline.json',
      });
      const inFlight = Array.from({ length: 12 }, () => post('/predict', { records: records() }));
      const reload = await post('/reload', '');
      const statuses = await Promise.all(inFlight.map(async (r) => (await r).status));
      expect(statuses).toEqual(new Array(12).fill(200));
      expect(reload.status, await reload.clone().text()).toBe(200);
      const reloaded = await json<{ status: string; previous_version: number; model: { version: number } }>(
        reload,
      );
      expect(reloaded).toMatchObject({ status: 'reloaded', model: { version: 2 } });
      // 1, unless a poll (every second) picked the new manifest up first.
      expect([1, 2]).toContain(reloaded.previous_version);
      expect((await json<ForecastJson>(await post('/predict', { records: records() }))).version).toBe(2);
    });

    it('a corrupted checkpoint fails /reload with a message naming the file, and the old model keeps serving', async () => {
      const { store, name } = h();
      const current = await loadCheckpoint(store, name);
      const saved = await saveCheckpoint(
        store,
        name,
        current.files,
        { modelType: current.manifest.model_type, checkpointFile: 'pipeline.json' },
        { activate: false },
      );
      // Corrupt a file of the new version, then point the manifest at it (as a botched publish would).
      const onnx = `${saved.key}/linear.onnx`;
      await store.put(onnx, new TextEncoder().encode('not a model'));
      const live = await readManifest(store, name);
      await store.put(manifestKey(name), encodeJson(saved.manifest), { ifMatch: live!.etag });
      const body = await expectClientError(await post('/reload', ''), 422, 'linear.onnx');
      expect(body.error.message).toMatch(/still serving version 2/);
      expect(body.error.message).toMatch(/sha256|hash/);
      expect((await health()).version).toBe(2);
      const still = await post('/predict', { records: records() });
      expect(still.status).toBe(200);
      expect((await json<ForecastJson>(still)).version).toBe(2);
      // Put the good bytes back so later tests start from a loadable manifest.
      await store.put(onnx, current.files['linear.onnx']!);
    });

    it('two concurrent promotions: exactly one wins the manifest swap, and the server follows it by polling', async () => {
      const { store, name } = h();
      const current = await loadCheckpoint(store, name);
      const meta = { modelType: current.manifest.model_type, checkpointFile: 'pipeline.json' };
      const a = await saveCheckpoint(store, name, current.files, meta, { activate: false });
      const b = await saveCheckpoint(store, name, current.files, meta, { activate: false });
      const seen = await readManifest(store, name);
      const results = await Promise.allSettled([
        promote(store, name, a.version, { ifMatch: seen!.etag }),
        promote(store, name, b.version, { ifMatch: seen!.etag }),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect((lost[0] as PromiseRejectedResult).reason).toBeInstanceOf(CheckpointConflictError);
      const winner = (await readManifest(store, name))!.manifest.version;
      expect([a.version, b.version]).toContain(winner);
      // No /reload: the server sees the manifest's new etag within the poll interval (plus a load).
      const seconds = await waitForVersion(winner, ROUTE_SETTINGS.pollSeconds + 10);
      expect(seconds).toBeLessThan(ROUTE_SETTINGS.pollSeconds + 10);
      expect((await health()).last_error).toBeNull();
    });

    it('adaptive intervals: actuals posted after a level shift widen the served interval; bad steps are 422', async () => {
      const { store, name } = h();
      const current = await loadCheckpoint(store, name);
      // The same models with `intervals.adaptive` switched on, as `train.intervals.adaptive` records it.
      const pipeline = JSON.parse(new TextDecoder().decode(current.files['pipeline.json']!)) as Json;
      pipeline['intervals'] = { adaptive: { gamma: 0.05, target: 0.9 } };
      const files = { ...current.files, 'pipeline.json': new TextEncoder().encode(JSON.stringify(pipeline)) };
      const saved = await saveCheckpoint(store, name, files, {
        modelType: current.manifest.model_type,
        checkpointFile: 'pipeline.json',
      });
      expect((await post('/reload', '')).status).toBe(200);
      expect((await health()).version).toBe(saved.version);

      type Adaptive = ForecastJson & {
        adaptive: {
          target: number;
          updates: Record<string, number>;
          models: Record<string, Record<string, { level: number[]; lower: number[]; upper: number[] }>>;
        };
      };
      const interval = async () =>
        json<Adaptive>(await post('/predict-interval', { records: records(), levels: [0.9] }));
      const before = await interval();
      const width = (f: Adaptive, h: number) =>
        f.adaptive.models['ensemble']!['net_load']!.upper[h]! -
        f.adaptive.models['ensemble']!['net_load']!.lower[h]!;
      const horizon = before.horizon;
      const fixed = before.intervals!['ensemble']!['net_load']!['0.9']!;
      // No actuals yet: ACI serves its target level, the static 90 % interval.
      expect(before.adaptive.updates['ensemble']).toBe(0);
      for (let h = 0; h < horizon; h++) {
        expect(before.adaptive.models['ensemble']!['net_load']!.level[h]).toBeCloseTo(0.9, 12);
        expect(width(before, h)).toBeCloseTo(fixed.upper[h]! - fixed.lower[h]!, 6);
      }

      // A level shift: two days of actuals 1,000 MW above what was forecast, each row tagged with its step.
      const shifted = records()
        .slice(-2 * horizon)
        .map((r, i) => ({
          ...r,
          prediction: r.net_load,
          net_load: r.net_load + 1000,
          step: (i % horizon) + 1,
        }));
      const res = await post('/monitor/performance', { records: shifted, step: 'step' });
      expect(res.status, await res.clone().text()).toBe(200);
      const perf = await json<{ adaptive: { model: string; observations: number; level: number[] } }>(res);
      expect(perf.adaptive).toMatchObject({ model: 'ensemble', observations: 2 * horizon });
      for (const level of perf.adaptive.level) expect(level).toBeGreaterThan(0.9);

      const after = await interval();
      expect(after.adaptive.updates['ensemble']).toBe(2 * horizon);
      for (let h = 0; h < horizon; h++) {
        expect(after.adaptive.models['ensemble']!['net_load']!.level[h]).toBeGreaterThan(0.9);
        expect(width(after, h)).toBeGreaterThan(width(before, h));
      }
      // Other models keep their own state: nothing was posted for linear.
      expect(after.adaptive.updates['linear']).toBe(0);

      const bad = (step: unknown) => shifted.map((r, i) => (i === 3 ? { ...r, step } : r));
      await expectClientError(
        await post('/monitor/performance', { records: bad(0), step: 'step' }),
        422,
        'records[3].step',
      );
      await expectClientError(
        await post('/monitor/performance', { records: bad(2.5), step: 'step' }),
        422,
        'records[3].step',
      );
      await expectClientError(
        await post('/monitor/performance', { records: shifted, step: 'no_such_column' }),
        422,
        'records[0].no_such_column',
      );
      await expectClientError(
        await post('/monitor/performance', { records: shifted, step: 'step', model: 'nope' }),
        422,
        'model',
      );
      await expectClientError(
        await post('/monitor/performance', { records: shifted, step: '' }),
        400,
        'step',
      );
      // The rejected posts changed nothing.
      expect((await interval()).adaptive.updates['ensemble']).toBe(2 * horizon);
    });
  });
}
