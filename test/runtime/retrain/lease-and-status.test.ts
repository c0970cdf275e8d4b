/**
 * Leases on handed-off jobs and the fleet's retraining counts, over the in-memory store (the same
 * compare-and-swap contract as R2 and the folder store): a live lease blocks, an expired one is taken over
 * by exactly one of two racing workers, a renewal after a takeover fails; `due` counts only models with no
 * run since the cron's last check.
 */
import { describe, expect, it } from 'vitest';
import { MemoryCheckpointStore } from '../../../src/runtime/checkpoint/memory-store.js';
import { writePendingJob } from '../../../src/runtime/retrain/hand-off.js';
import { acquireLease, isHeld, releaseLease, renewLease } from '../../../src/runtime/retrain/lease.js';
import { fleetRetrainingStatus } from '../../../src/runtime/retrain/run-history.js';
import { type RunRecord, writeRunRecord } from '../../../src/runtime/retrain/run-record.js';

const T0 = new Date('2024-03-01T00:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

describe('job leases', () => {
  it('a live lease blocks; an expired one goes to exactly one of two racing workers', async () => {
    const store = new MemoryCheckpointStore();
    const first = await acquireLease(store, 'job-1', 'a', 1000, T0);
    if (!isHeld(first)) throw new Error('the first claim of a free job must hold');
    expect(await acquireLease(store, 'job-1', 'b', 1000, at(500))).toEqual({
      owner: 'a',
      expires_at: at(1000).toISOString(),
    });
    const race = await Promise.all([
      acquireLease(store, 'job-1', 'b', 1000, at(2000)),
      acquireLease(store, 'job-1', 'c', 1000, at(2000)),
    ]);
    const won = race.filter(isHeld);
    expect(won).toHaveLength(1);
    expect(won[0]!.lease.takeovers).toBe(1);
    // The first owner's renewal fails now: its etag no longer matches.
    expect(await renewLease(store, first, 1000, at(2100))).toBeUndefined();
    expect(await releaseLease(store, first)).toBe(false);
    expect(await releaseLease(store, won[0]!)).toBe(true);
    expect(isHeld(await acquireLease(store, 'job-1', 'd', 1000, at(2200)))).toBe(true);
  });

  it('a claim that does not parse does not block the job for ever', async () => {
    const store = new MemoryCheckpointStore();
    await store.put('jobs/claims/job-2.json', new TextEncoder().encode('not json'));
    const claim = await acquireLease(store, 'job-2', 'a', 1000, T0);
    expect(isHeld(claim) && claim.lease.owner).toBe('a');
  });
});

const record = (model: string, finished_at: string, outcome: RunRecord['outcome']): RunRecord => ({
  id: `${model}-${finished_at}`,
  model,
  outcome,
  reason: 'drift',
  detail: '',
  incumbent_version: 1,
  steps: [],
  started_at: finished_at,
  finished_at,
});

describe('fleetRetrainingStatus', () => {
  it('counts due models without a run since the last check, latest outcomes, and hand-offs', async () => {
    const store = new MemoryCheckpointStore();
    const summaryKey = 'reports/_fleet/drift/latest.json';
    await store.put(
      summaryKey,
      new TextEncoder().encode(
        JSON.stringify({ checked_at: '2024-03-02T00:00:00.000Z', retraining_due: ['a', 'b', 'c'] }),
      ),
    );
    await writeRunRecord(store, record('a', '2024-03-03T00:00:00.000Z', 'promoted')); // ran since: not due
    await writeRunRecord(store, record('b', '2024-03-01T00:00:00.000Z', 'kept')); // before the check: due
    await writeRunRecord(store, record('d', '2024-03-01T00:00:00.000Z', 'failed'));
    await writePendingJob(store, {
      id: 'c-job',
      model: 'c',
      incumbent_version: 1,
      data_keys: [],
      estimated_work: 1,
      created_at: '2024-03-02T00:00:00.000Z',
    });
    await acquireLease(store, 'c-job', 'w', 60_000, at(0));
    const status = await fleetRetrainingStatus(store, summaryKey, at(1000));
    expect(status).toEqual({
      checked_at: '2024-03-02T00:00:00.000Z',
      due: 2,
      running: 1,
      handed_off: 0,
      promoted: 1,
      kept: 1,
      failed: 1,
      skipped: 0,
      models: 3,
      runs: 3,
      unreadable: [],
    });
    // Once the lease has expired the job counts as waiting for a worker.
    const later = await fleetRetrainingStatus(store, summaryKey, at(120_000));
    expect([later.running, later.handed_off]).toEqual([0, 1]);
  });
});
