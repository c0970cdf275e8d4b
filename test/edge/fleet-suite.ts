/**
 * The fleet route tests, written once and run against both servers: the Worker inside workerd (a fleet in
 * local R2) and `twiga-edge serve --checkpoints` on Node (a fleet in a folder). Only isomorphic imports here.
 */
import { describe, expect, it } from 'vitest';
import { MODEL_OVERHEAD_BYTES } from '../../src/edge/model-registry.js';
import { loadCheckpoint, saveCheckpoint } from '../../src/runtime/checkpoint/checkpoint.js';
import { encodeJson } from '../../src/runtime/checkpoint/manifest.js';
import type { CheckpointStore } from '../../src/runtime/checkpoint/store.js';
import type { ForecastJson } from '../../src/runtime/forecast-json.js';
import { ROUTE_SETTINGS } from './route-settings.js';

export interface FleetHarness {
  request(path: string, init?: RequestInit): Promise<Response>;
  /** The store the server reads the fleet from. */
  store: CheckpointStore;
  /** `feeders/f001`, … */
  names: string[];
  records: Record<string, ReadonlyArray<{ timestamp: string; net_load: number }>>;
  expected: Record<string, ForecastJson>;
}

type Listed = { name: string; version: number | null; loaded: boolean; loaded_version: number | null };
type ErrorJson = { error: { code: string; message: string; issues?: Array<{ path: string }> } };

export const KEY = { 'x-api-key': ROUTE_SETTINGS.apiKey };
const JSON_HEADERS = { ...KEY, 'content-type': 'application/json' };

/** Requests against a fleet server, shared by the suite and the eviction test. */
export function fleetClient(h: () => FleetHarness) {
  const predict = (name: string, path = `/models/${name}/predict`) =>
    h().request(path, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify({ records: h().records[name] }),
    });
  const list = async (query = '') => {
    const res = await h().request(`/models${query}`, { headers: KEY });
    expect(res.status, await res.clone().text()).toBe(200);
    return (await res.json()) as { models: Listed[]; next_cursor: string | null; total: number };
  };
  const loaded = async (prefix: string) =>
    (await list(`?prefix=${encodeURIComponent(prefix)}&limit=1000`)).models
      .filter((m) => m.loaded)
      .map((m) => m.name);
  return { predict, list, loaded };
}

/** A 4xx JSON error naming `field`, without a stack trace. */
export async function expectNamed(res: Response, status: number, field: string): Promise<ErrorJson> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(text).not.toMatch(/\n\s+at |\.ts:\d+/);
  const body = JSON.parse(text) as ErrorJson;
  expect([body.error.message, ...(body.error.issues ?? []).map((i) => i.path)].join(' ')).toContain(field);
  return body;
}

export function describeFleet(label: string, harness: () => FleetHarness): void {
  const h = () => harness();
  const { predict, list } = fleetClient(h);
  const name = (i: number) => h().names[i]!;
  const prefix = () => `${name(0).split('/')[0]}/`;

  describe(`fleet routes on ${label}`, () => {
    it('GET /models lists the fleet with active versions, a page at a time', async () => {
      const all = await list(`?prefix=${prefix()}`);
      expect(all.models.map((m) => m.name)).toEqual(h().names);
      expect(all.models.every((m) => m.version === 1)).toBe(true);
      expect(all.total).toBe(h().names.length);
      const first = await list(`?prefix=${prefix()}&limit=2`);
      expect(first.models.map((m) => m.name)).toEqual(h().names.slice(0, 2));
      expect(first.next_cursor).toBe(name(1));
      const second = await list(
        `?prefix=${prefix()}&limit=2&cursor=${encodeURIComponent(first.next_cursor!)}`,
      );
      expect(second.models.map((m) => m.name)).toEqual(h().names.slice(2, 4));
      await expectNamed(await h().request('/models?limit=0', { headers: KEY }), 400, 'limit');
      expect((await h().request('/models')).status).toBe(401);
    });

    it('POST /models/{fleet}/{series}/predict answers with that model; %2F works as the slash', async () => {
      for (const n of h().names) {
        const res = await predict(n);
        expect(res.status, await res.clone().text()).toBe(200);
        const got = (await res.json()) as ForecastJson;
        expect(got).toEqual(h().expected[n]);
      }
      expect(h().expected[name(0)]).not.toEqual(h().expected[name(1)]);
      const encoded = await predict(name(0), `/models/${encodeURIComponent(name(0))}/predict`);
      expect(await encoded.json()).toEqual(h().expected[name(0)]);
      const listed = await list(`?prefix=${prefix()}`);
      expect(listed.models.filter((m) => m.loaded).length).toBeGreaterThan(0);
    });

    it('predict-interval, health and monitor routes work by name', async () => {
      const n = name(0);
      const interval = await h().request(`/models/${n}/predict-interval`, {
        method: 'POST',
        headers: JSON_HEADERS,
        body: JSON.stringify({ records: h().records[n], levels: [0.8] }),
      });
      expect(interval.status, await interval.clone().text()).toBe(200);
      expect(JSON.stringify(await interval.json())).toMatch(/0\.8/);
      const health = await h().request(`/models/${n}/health`, { headers: KEY });
      expect(await health.json()).toMatchObject({ status: 'ok', checkpoint: n, version: 1 });
      const drift = await h().request(`/models/${n}/monitor/drift`, {
        method: 'POST',
        headers: JSON_HEADERS,
        body: JSON.stringify({ records: h().records[n] }),
      });
      expect(drift.status, await drift.clone().text()).toBe(200);
      const perf = await h().request(`/models/${n}/monitor/performance`, { headers: KEY });
      await expectNamed(perf, 404, 'performance');
    });

    it('a name that does not exist is a 404 naming it; path-like names are refused', async () => {
      const missing = await expectNamed(
        await predict(name(0), `/models/${prefix()}nope/predict`),
        404,
        'nope',
      );
      expect(missing.error.code).toBe('MODEL_NOT_FOUND');
      await expectNamed(await predict(name(0), '/models/nope/health'), 404, 'nope');
      // A bare `..` segment never reaches a server (URL parsing removes it); encoded inside a name it does.
      await expectNamed(await predict(name(0), '/models/..%2Fetc/predict'), 400, 'name');
      await expectNamed(await predict(name(0), `/models/${prefix()}..%2F..%2Fx/predict`), 400, 'name');
      await expectNamed(await predict(name(0), '/models/a%2Fb%2Fc/predict'), 400, 'name');
      await expectNamed(await predict(name(0), '/models/a/b/c/predict'), 404, 'name');
      await expectNamed(await predict(name(0), `/models/${'x'.repeat(201)}/predict`), 400, 'name');
      await expectNamed(await predict(name(0), '/models/bad%20name/predict'), 400, 'name');
      await expectNamed(await predict(name(0), '/models/twiga%2Fv0001/predict'), 400, 'name');
    });

    it('reloads one model without touching the others', async () => {
      const [a, b] = [name(0), name(1)];
      await predict(a);
      await predict(b);
      const before = (await (await h().request(`/models/${a}/health`, { headers: KEY })).json()) as {
        loaded_at: string;
      };
      const current = await loadCheckpoint(h().store, b);
      await saveCheckpoint(h().store, b, current.files, {
        modelType: current.manifest.model_type,
        checkpointFile: 'pipeline.json',
      });
      const reload = await h().request(`/models/${b}/reload`, { method: 'POST', headers: KEY });
      expect(reload.status, await reload.clone().text()).toBe(200);
      expect(await reload.json()).toMatchObject({ status: 'reloaded', model: { version: 2 } });
      const after = (await (await h().request(`/models/${a}/health`, { headers: KEY })).json()) as {
        loaded_at: string;
        version: number;
      };
      expect(after).toMatchObject({ version: 1, loaded_at: before.loaded_at });
      const got = (await (await predict(b)).json()) as ForecastJson;
      expect(got).toEqual({ ...h().expected[b], version: 2 });
      expect(((await (await predict(a)).json()) as ForecastJson).version).toBe(1);
    });

    it('a corrupt model fails alone: its requests get a JSON error, the others keep answering', async () => {
      const good = name(2);
      const current = await loadCheckpoint(h().store, good);
      const broken = 'corrupt/c1';
      await saveCheckpoint(h().store, broken, current.files, {
        modelType: current.manifest.model_type,
        checkpointFile: 'pipeline.json',
      });
      await h().store.put(`${broken}/v0001/linear.onnx`, new TextEncoder().encode('not a model'));
      const failed = await expectNamed(await predict(good, `/models/${broken}/predict`), 503, 'linear.onnx');
      expect(failed.error.code).toBe('CHECKPOINT_CORRUPT');
      const health = await h().request(`/models/${broken}/health`, { headers: KEY });
      expect(await health.json()).toMatchObject({
        status: 'degraded',
        last_error: expect.stringMatching(/linear\.onnx/),
      });
      expect((await predict(good)).status).toBe(200);
      // A manifest that is not JSON at all: also that model's error only.
      await h().store.put(`${broken}/_checkpoint_manifest.json`, encodeJson('nonsense'));
      expect((await predict(good)).status).toBe(200);
    });
  });
}

/** TWIGA_SERVE_MAX_LOADED_MB that fits the default model and one more, not two more. */
export function twoModelBudgetMb(modelBytes: Record<string, number>): string {
  const biggest = Math.max(...Object.values(modelBytes)) + MODEL_OVERHEAD_BYTES;
  return String((2 * biggest + MODEL_OVERHEAD_BYTES / 2) / (1024 * 1024));
}

/**
 * LRU eviction: the server's budget fits the default model plus ONE fleet model, so loading a third
 * unloads the least recently used; an evicted model reloads on its next request with the same answer.
 */
export function describeEviction(label: string, harness: () => FleetHarness): void {
  const h = () => harness();
  const { predict, loaded } = fleetClient(h);
  describe(`LRU eviction on ${label}`, () => {
    it('unloads the least recently used model past the budget and reloads it with the same answer', async () => {
      const [, b, c] = h().names as [string, string, string];
      const prefix = `${b.split('/')[0]}/`;
      // Versions aside: the suite before may have promoted a copy of a model as version 2.
      const answer = async (name: string) => ({
        ...((await (await predict(name)).json()) as ForecastJson),
        version: 0,
      });
      const first = await answer(b);
      expect(first).toEqual({ ...h().expected[b], version: 0 });
      expect(await loaded(prefix)).toContain(b);
      expect(await answer(c)).toEqual({ ...h().expected[c], version: 0 });
      let now = await loaded(prefix);
      expect(now).toContain(c);
      expect(now).not.toContain(b);
      expect(await answer(b)).toEqual(first);
      now = await loaded(prefix);
      expect(now).toContain(b);
      expect(now).not.toContain(c);
      // Requests racing over the two models all answer while they evict each other.
      const race = await Promise.all(
        Array.from({ length: 12 }, (_, i) => predict(i % 2 ? b : c).then((r) => r.status)),
      );
      expect(race).toEqual(new Array(12).fill(200));
    });
  });
}
