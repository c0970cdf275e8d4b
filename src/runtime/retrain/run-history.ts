/**
 * Reading the retraining loop's records back: one model's run records newest first, and the fleet's
 * counts (due, running, promoted, kept, failed, handed off) from run records, pending jobs and leases.
 * Platform-free, so `GET /models/{name}/runs` and `GET /fleet/retraining` answer the same on Node and Workers.
 */
import { z } from 'zod';
import type { CheckpointStore } from '../checkpoint/store.js';
import { mapLimit } from '../map-limit.js';
import { decodeJson, listPendingJobs } from './hand-off.js';
import { readLease } from './lease.js';
import { RUNS_PREFIX } from './run-record.js';

/** A run record as read back; loose, so records written by a newer version with more fields still parse. */
export const RunRecordSchema = z.looseObject({
  id: z.string(),
  model: z.string(),
  outcome: z.enum(['promoted', 'kept', 'handed_off', 'skipped', 'failed']),
  reason: z.string(),
  detail: z.string(),
  incumbent_version: z.number().int(),
  promoted_version: z.number().int().optional(),
  job_key: z.string().optional(),
  metrics: z.object({ candidate: z.number().nullable(), incumbent: z.number().nullable() }).optional(),
  steps: z.array(z.object({ name: z.string(), ms: z.number(), attempts: z.number().int() })),
  error: z.string().optional(),
  started_at: z.string(),
  finished_at: z.string(),
});

/** A run record as read back (the fields of `RunRecord`, plus any a newer writer added). */
export type StoredRunRecord = z.output<typeof RunRecordSchema>;
type RunRecord = StoredRunRecord;

/** Records read, plus the keys that did not parse (reported, never dropped silently). */
export interface RunRecords {
  records: RunRecord[];
  unreadable: string[];
}

const PARALLEL = 8;

/** Newest first: by start time, then id, so equal times still page stably. */
const newestFirst = (a: RunRecord, b: RunRecord) =>
  a.started_at === b.started_at ? (a.id < b.id ? 1 : -1) : a.started_at < b.started_at ? 1 : -1;

async function readRecords(store: CheckpointStore, keys: readonly string[]): Promise<RunRecords> {
  const read = await mapLimit(keys, PARALLEL, async (key) => {
    const found = await store.get(key);
    if (!found) return { key, record: undefined, gone: true };
    const parsed = RunRecordSchema.safeParse(decodeJson(found.bytes));
    return { key, record: parsed.success ? parsed.data : undefined, gone: false };
  });
  const records = read.flatMap((r) => (r.record ? [r.record] : []));
  // A key listed then deleted is not unreadable; one that does not parse is.
  const unreadable = read.filter((r) => !r.record && !r.gone).map((r) => r.key);
  return { records: records.sort(newestFirst), unreadable };
}

/**
 * Every run record of `model` (`runs/<model>/<id>.json`, not those of `<model>/<series>`), newest first.
 * Reads each record: the cost grows with the runs kept.
 */
export async function listRunRecords(store: CheckpointStore, model: string): Promise<RunRecords> {
  const prefix = `${RUNS_PREFIX}${model}/`;
  const keys = (await store.list(prefix)).filter(
    (k) => k.endsWith('.json') && !k.slice(prefix.length).includes('/'),
  );
  return readRecords(store, keys);
}

/** One page of records after `cursor` (the previous page's last id). */
export interface RunPage {
  runs: RunRecord[];
  next_cursor: string | null;
  total: number;
}

/**
 * A page of `records` (already newest first) of at most `limit`, after the record whose id is `cursor`.
 * @returns `undefined` when `cursor` names no record (the caller answers 400).
 */
export function pageOfRuns(
  records: readonly RunRecord[],
  limit: number,
  cursor?: string,
): RunPage | undefined {
  let from = 0;
  if (cursor !== undefined) {
    const at = records.findIndex((r) => r.id === cursor);
    if (at < 0) return undefined;
    from = at + 1;
  }
  const runs = records.slice(from, from + limit);
  const more = from + limit < records.length;
  return { runs, next_cursor: more ? (runs.at(-1)?.id ?? null) : null, total: records.length };
}

/** The part of the cron's fleet drift summary the counts need. */
const FleetDriftSchema = z.looseObject({ checked_at: z.string(), retraining_due: z.array(z.string()) });

/** `GET /fleet/retraining`. */
export interface FleetRetrainingStatus {
  /** When the cron last checked the fleet (its drift summary), or null when it has not. */
  checked_at: string | null;
  /** Due at that check and without a run record finished since: waiting for, or in, their Workflow run. */
  due: number;
  /** Handed-off jobs a Node worker holds a live lease on. */
  running: number;
  /** Handed-off jobs waiting for a Node worker (no live lease). */
  handed_off: number;
  /** Models whose latest run promoted a candidate. */
  promoted: number;
  /** Models whose latest run kept the incumbent. */
  kept: number;
  /** Models whose latest run failed. */
  failed: number;
  /** Models whose latest run found no data. */
  skipped: number;
  /** Models with at least one run record, and the records read. */
  models: number;
  runs: number;
  /** Record keys that do not parse. */
  unreadable: string[];
}

/**
 * The fleet's retraining counts. Reads every run record and lease (cost grows with the runs kept).
 * @param fleetSummaryKey where the cron's fleet drift summary is (`<reportPrefix>_fleet/drift/latest.json`).
 */
export async function fleetRetrainingStatus(
  store: CheckpointStore,
  fleetSummaryKey: string,
  now: Date,
): Promise<FleetRetrainingStatus> {
  const keys = (await store.list(RUNS_PREFIX)).filter((k) => k.endsWith('.json'));
  const { records, unreadable } = await readRecords(store, keys);
  const latest = new Map<string, RunRecord>();
  for (const record of records) if (!latest.has(record.model)) latest.set(record.model, record);
  const count = (outcome: RunRecord['outcome']) =>
    [...latest.values()].filter((r) => r.outcome === outcome).length;

  const summary = await store.get(fleetSummaryKey);
  const parsed = summary ? FleetDriftSchema.safeParse(decodeJson(summary.bytes)) : undefined;
  if (parsed && !parsed.success) unreadable.push(fleetSummaryKey);
  const drift = parsed?.success ? parsed.data : undefined;
  const due = drift
    ? drift.retraining_due.filter((m) => {
        const last = latest.get(m);
        return !last || last.finished_at < drift.checked_at;
      }).length
    : 0;

  const pending = await listPendingJobs(store);
  const leases = await mapLimit(pending, PARALLEL, (id) => readLease(store, id));
  const running = leases.filter((l) => l && Date.parse(l.expires_at) > now.getTime()).length;
  return {
    checked_at: drift?.checked_at ?? null,
    due,
    running,
    handed_off: pending.length - running,
    promoted: count('promoted'),
    kept: count('kept'),
    failed: count('failed'),
    skipped: count('skipped'),
    models: latest.size,
    runs: records.length,
    unreadable,
  };
}
