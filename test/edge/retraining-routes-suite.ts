/**
 * GET /models/{name}/runs and GET /fleet/retraining, written once and run against both servers (the Worker
 * in workerd over R2, `twiga-edge serve` over files). Run records, pending jobs and leases are written
 * into the server's store as the Workflow and the Node worker write them. Only isomorphic imports here.
 */
import { describe, expect, it } from 'vitest';
import type { CheckpointStore } from '../../src/runtime/checkpoint/store.js';
import { claimKey, writePendingJob } from '../../src/runtime/retrain/hand-off.js';
import type { Lease } from '../../src/runtime/retrain/lease.js';
import { type RunRecord, runRecordKey, writeRunRecord } from '../../src/runtime/retrain/run-record.js';
import { ROUTE_SETTINGS } from './route-settings.js';

/** What the suite needs of a server. */
export interface RetrainingHarness {
  request(path: string, init?: RequestInit): Promise<Response>;
  store: CheckpointStore;
  /** The model served (runs are listed for it; a server serving one model lists only its runs). */
  name: string;
}

const KEY = { 'x-api-key': ROUTE_SETTINGS.apiKey };
const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

const run = (model: string, id: string, started_at: string, outcome: RunRecord['outcome']): RunRecord => ({
  id,
  model,
  outcome,
  reason: 'drift',
  detail: `seeded ${outcome}`,
  incumbent_version: 1,
  ...(outcome === 'promoted' ? { promoted_version: 2 } : {}),
  metrics: { candidate: 1.5, incumbent: 2 },
  steps: [{ name: 'load-incumbent', ms: 3, attempts: 1 }],
  ...(outcome === 'failed' ? { error: 'fit: seeded failure' } : {}),
  started_at,
  finished_at: started_at.replace('00.000Z', '30.000Z'),
});

type Counts = Record<'running' | 'handed_off' | 'promoted' | 'kept' | 'failed' | 'models', number>;

export function describeRetrainingRoutes(label: string, harness: () => RetrainingHarness): void {
  const h = () => harness();
  const get = (path: string) => h().request(path, { headers: KEY });

  describe(`retraining routes on ${label}`, () => {
    it('GET /models/{name}/runs lists the run records newest first, a page at a time', async () => {
      const { store, name } = h();
      // Other tests may have run the real loop on this model: count its records first, and date the
      // seeded ones in the future so they are the newest.
      const before = (await (await get(`/models/${name}/runs`)).json()) as { total?: number };
      const seeded = [
        run(name, 'runs-suite-1', '2999-03-01T00:00:00.000Z', 'kept'),
        run(name, 'runs-suite-3', '2999-03-03T00:00:00.000Z', 'promoted'),
        run(name, 'runs-suite-2', '2999-03-02T00:00:00.000Z', 'failed'),
      ];
      for (const record of seeded) await writeRunRecord(store, record);
      const corrupt = runRecordKey(name, 'runs-suite-corrupt');
      await store.put(corrupt, new TextEncoder().encode('{"id": "half a record'));
      // Another model's records (a series below this name) are not this model's.
      await writeRunRecord(
        store,
        run(`${name}/series`, 'runs-suite-other', '2024-03-04T00:00:00.000Z', 'kept'),
      );
      try {
        const res = await get(`/models/${name}/runs?limit=2`);
        expect(res.status).toBe(200);
        const first = (await res.json()) as {
          runs: RunRecord[];
          next_cursor: string | null;
          total: number;
          unreadable: string[];
        };
        expect(first.runs.map((r) => r.id)).toEqual(['runs-suite-3', 'runs-suite-2']);
        expect(first.runs[0]).toEqual(seeded[1]);
        expect(first).toMatchObject({ total: (before.total ?? 0) + 3, next_cursor: 'runs-suite-2' });
        expect(first.unreadable).toContain(corrupt);
        const rest = (await (
          await get(`/models/${name}/runs?limit=2&cursor=runs-suite-2`)
        ).json()) as typeof first;
        expect(rest.runs[0]?.id).toBe('runs-suite-1');
        expect(rest.runs.map((r) => r.id)).not.toContain('runs-suite-other');
      } finally {
        for (const r of seeded) await store.delete(runRecordKey(r.model, r.id));
        await store.delete(corrupt);
        await store.delete(runRecordKey(`${name}/series`, 'runs-suite-other'));
      }
    });

    it('GET /models/{name}/runs: 400 naming a bad limit, cursor or parameter; 404 for an unknown model; 401 without the key', async () => {
      const { name } = h();
      for (const [query, field] of [
        ['limit=0', 'limit'],
        ['limit=ten', 'limit'],
        ['cursor=no-such-run', 'cursor'],
        ['colour=blue', 'colour'],
      ] as const) {
        const res = await get(`/models/${name}/runs?${query}`);
        const text = await res.text();
        expect(res.status, `${query}: ${text}`).toBe(400);
        expect(text).toContain(field);
      }
      const missing = await get('/models/no-such-model-anywhere/runs');
      expect(missing.status).toBe(404);
      expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('MODEL_NOT_FOUND');
      expect((await h().request(`/models/${name}/runs`)).status).toBe(401);
      expect((await h().request('/fleet/retraining')).status).toBe(401);
    });

    it('GET /fleet/retraining counts latest outcomes per model, leased and waiting hand-offs', async () => {
      const { store } = h();
      const counts = async () => {
        const res = await get('/fleet/retraining');
        expect(res.status).toBe(200);
        return (await res.json()) as Counts;
      };
      const before = await counts();
      const records = [
        // One model promoted, then kept: its latest run counts (kept), not both.
        run('suite-fleet-a', 'suite-a-1', '2024-03-01T00:00:00.000Z', 'promoted'),
        run('suite-fleet-a', 'suite-a-2', '2024-03-02T00:00:00.000Z', 'kept'),
        run('suite-fleet-b', 'suite-b-1', '2024-03-01T00:00:00.000Z', 'failed'),
      ];
      for (const r of records) await writeRunRecord(store, r);
      const job = (id: string) =>
        writePendingJob(store, {
          id,
          model: 'suite-fleet-c',
          incumbent_version: 1,
          data_keys: [],
          estimated_work: 1,
          created_at: '2024-03-01T00:00:00.000Z',
        });
      const lease = (id: string, expires_at: string): Lease => ({
        job: id,
        owner: 'suite-worker',
        acquired_at: '2024-03-01T00:00:00.000Z',
        expires_at,
        takeovers: 0,
      });
      const jobs = ['suite-job-live', 'suite-job-waiting', 'suite-job-expired'];
      for (const id of jobs) await job(id);
      await store.put(
        claimKey('suite-job-live'),
        encode(lease('suite-job-live', '2999-01-01T00:00:00.000Z')),
      );
      await store.put(
        claimKey('suite-job-expired'),
        encode(lease('suite-job-expired', '2000-01-01T00:00:00.000Z')),
      );
      try {
        const after = await counts();
        expect({
          running: after.running - before.running,
          handed_off: after.handed_off - before.handed_off,
          promoted: after.promoted - before.promoted,
          kept: after.kept - before.kept,
          failed: after.failed - before.failed,
          models: after.models - before.models,
        }).toEqual({ running: 1, handed_off: 2, promoted: 0, kept: 1, failed: 1, models: 2 });
      } finally {
        for (const r of records) await store.delete(runRecordKey(r.model, r.id));
        for (const id of jobs) {
          await store.delete(`jobs/pending/${id}.json`);
          await store.delete(claimKey(id));
        }
      }
    });
  });
}
