/**
 * The cron job: drift of the recent data under `TWIGA_DRIFT_DATA_PREFIX` against the served checkpoint's
 * reference, with the DriftSummary and its HTML report written back to the store, then twiga's retraining
 * decision on it (the Node flow's rules). The decision is recorded here; the Worker's handler sends due
 * models to the retraining queue (retrain-workflow.ts trains them).
 */
import type { CheckpointStore } from '../runtime/checkpoint/store.js';
import { ForecastMonitor } from '../runtime/drift/monitor.js';
import {
  PERFORMANCE_METRICS,
  type PerformanceSummary,
  PerformanceSummarySchema,
} from '../runtime/drift/performance.js';
import type { DriftReference } from '../runtime/drift/reference.js';
import type { DriftSummary } from '../runtime/drift/summary.js';
import {
  driftDecision,
  metricValue,
  performanceDecision,
  type RetrainDecision,
  type RetrainPolicy,
  type RetrainReason,
  retrainPolicy,
} from '../runtime/flows/decision.js';
import { ENSEMBLE_LABEL } from '../runtime/forecaster.js';
import { issuePath } from '../runtime/schemas/parse.js';
import type { TwigaSettings } from '../runtime/settings.js';
import type { ModelHost } from './model-host.js';
import { readRecentData } from './recent-data.js';
import { storeReportSink } from './report-sink.js';

/** What `…/retraining/latest.json` (and, when due, `…/retraining/due/<time>.json`) holds. */
export interface RetrainingRecord {
  due: boolean;
  reason: RetrainReason;
  /** One sentence: the drift share against its threshold, then the performance check or why there was none. */
  detail: string;
  /** The checkpoint version checked. */
  version: number;
  /** `performanceThreshold` is null when unset (decided on drift alone). */
  policy: Omit<RetrainPolicy, 'performanceThreshold'> & { performanceThreshold: number | null };
  drift_summary_key: string;
  /** ISO 8601. */
  decided_at: string;
  /** The policy's metric in the stored performance summary, when one was read (null: undefined there). */
  incumbent_metric?: number | null;
  /** The performance summary the decision read. */
  performance_summary_key?: string;
}

/** What the cron drift check did: the files it read, its summary and retraining record, or why it skipped. */
export type DriftCheckResult =
  | {
      status: 'checked';
      version: number;
      files: string[];
      rows: number;
      summary_key: string;
      summary: DriftSummary;
      /** The record as written, where (`key`), and the due marker's key (null when not due). */
      retraining: RetrainingRecord & { key: string; due_key: string | null };
    }
  | { status: 'skipped'; reason: string };

const stamp = (d: Date) => d.toISOString().replace(/[:.]/g, '-');

/** Where and how one model's drift check reads its data. */
export interface DriftCheckOptions {
  store: CheckpointStore;
  settings: TwigaSettings;
  now?: () => Date;
  /** Data files under this prefix. @default settings.drift.dataPrefix */
  dataPrefix?: string;
  /** Only files directly under `dataPrefix`, not in its sub-folders (a fleet's models have their own). @default false */
  flat?: boolean;
}

/** The model a check tests against: its name, served version and drift reference. */
export interface CheckedModel {
  name: string;
  version: number;
  reference: DriftReference | undefined;
}

/**
 * Runs one drift check. Writes `<reportPrefix><name>/drift/<time>.json`, `…/drift/latest.json` and the HTML
 * report beside them, then `…/retraining/latest.json` and, when retraining is due, `…/retraining/due/<time>.json`.
 * Skips (and says why, writing nothing) when there is no data or the checkpoint has no drift reference.
 * @throws CheckpointError when no checkpoint can be loaded; DataError when a data file is unreadable.
 */
export async function runDriftCheck(
  options: DriftCheckOptions & { host: ModelHost },
): Promise<DriftCheckResult> {
  const model = await options.host.ensure();
  return checkModelDrift(options, async () => ({
    name: options.host.name,
    version: model.info.version,
    reference: model.reference?.drift,
  }));
}

/**
 * The drift check of one model against `model()`'s reference, which is only read once data is found (a
 * fleet's models without data cost one listing each).
 */
export async function checkModelDrift(
  options: DriftCheckOptions,
  model: () => Promise<CheckedModel>,
): Promise<DriftCheckResult> {
  const { store, settings } = options;
  const now = options.now ?? (() => new Date());
  const dataPrefix = options.dataPrefix ?? settings.drift.dataPrefix;
  const data = await readRecentData(store, dataPrefix, settings.drift.maxRows, options.flat ?? false);
  if (!data) return { status: 'skipped', reason: `no data files under ${store.describe(dataPrefix)}` };
  const { name, version, reference } = await model();
  if (!reference) return { status: 'skipped', reason: `version ${version} has no drift reference` };
  const base = `${settings.serve.reportPrefix}${name}/`;
  const prefix = `${base}drift/`;
  const monitor = new ForecastMonitor({ now }, storeReportSink(store, prefix)).setReference(reference);
  const columns = monitor.referenceColumns.filter((c) => c in data.columns);
  if (columns.length === 0) {
    return {
      status: 'skipped',
      reason: `the data files have none of the reference columns ${monitor.referenceColumns.join(', ')}`,
    };
  }
  const [, summary] = await monitor.runDataDrift(data.columns, columns);
  const bytes = new TextEncoder().encode(JSON.stringify({ ...summary, version, files: data.files }));
  const at = now();
  const key = `${prefix}${stamp(at)}.json`;
  await store.put(key, bytes);
  await store.put(`${prefix}latest.json`, bytes);

  const policy = retrainPolicy(settings.retrain);
  const { decision, performanceKey } = await decide(store, base, summary, policy);
  const record: RetrainingRecord = {
    due: decision.retrain,
    reason: decision.reason,
    detail: decision.detail,
    version,
    policy: { ...policy, performanceThreshold: policy.performanceThreshold ?? null },
    drift_summary_key: key,
    decided_at: at.toISOString(),
    ...(decision.incumbentMetric !== undefined ? { incumbent_metric: decision.incumbentMetric } : {}),
    ...(performanceKey ? { performance_summary_key: performanceKey } : {}),
  };
  const recordBytes = new TextEncoder().encode(JSON.stringify(record));
  // The marker first, so a latest.json that says due always has its marker.
  const dueKey = record.due ? `${base}retraining/due/${stamp(at)}.json` : null;
  if (dueKey) await store.put(dueKey, recordBytes);
  const recordKey = `${base}retraining/latest.json`;
  await store.put(recordKey, recordBytes);
  return {
    status: 'checked',
    version,
    files: data.files,
    rows: data.rows,
    summary_key: key,
    summary,
    retraining: { ...record, key: recordKey, due_key: dueKey },
  };
}

/**
 * Drift first; when it does not decide and a performance threshold is set, the latest summary
 * `POST /monitor/performance` kept stands in for the Node flow's evaluation of the incumbent. A missing or
 * corrupt summary leaves the decision to drift alone, and `detail` says so.
 */
async function decide(
  store: CheckpointStore,
  base: string,
  drift: DriftSummary,
  policy: RetrainPolicy,
): Promise<{ decision: RetrainDecision; performanceKey?: string }> {
  const byDrift = driftDecision(drift, policy);
  if (byDrift.retrain) return { decision: byDrift };
  if (policy.performanceThreshold === undefined) {
    return { decision: { ...byDrift, detail: `${byDrift.detail}; no performance threshold set` } };
  }
  // Where routes/monitor.ts keeps the latest performance summary.
  const key = `${base}performance/latest.json`;
  const found = await store.get(key);
  if (!found) {
    const why = `no performance summary at ${store.describe(key)} (POST /monitor/performance keeps one); decided on drift alone`;
    return { decision: { ...byDrift, detail: `${byDrift.detail}; ${why}` } };
  }
  const performance = parsePerformance(new TextDecoder().decode(found.bytes));
  if (typeof performance === 'string') {
    const why = `${store.describe(key)} is ${performance}, ignored; decided on drift alone`;
    return { decision: { ...byDrift, detail: `${byDrift.detail}; ${why}` } };
  }
  // The summary scores one forecast, that of its reference model; without a reference, the served ensemble's.
  const model = performance.reference?.model ?? ENSEMBLE_LABEL;
  const metrics = Object.fromEntries(PERFORMANCE_METRICS.map((m) => [m, performance[m]]));
  const byPerformance = performanceDecision(metricValue({ [model]: metrics }, policy.metricKey), policy);
  const source = `performance summary of ${performance.timestamp}, model "${model}", n=${performance.n}`;
  return {
    decision: { ...byPerformance, detail: `${byDrift.detail}; ${byPerformance.detail} (${source})` },
    performanceKey: key,
  };
}

/** The stored summary, or what is wrong with it (a corrupt object must not fail the cron). */
function parsePerformance(text: string): PerformanceSummary | string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  const parsed = PerformanceSummarySchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  return `not a performance summary${issue ? ` (${issuePath(issue.path)}: ${issue.message})` : ''}`;
}
