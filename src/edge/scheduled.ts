/**
 * The cron job: drift of the recent data under `TWIGA_DRIFT_DATA_PREFIX` against the served checkpoint's
 * reference, with the DriftSummary and its HTML report written back to the store.
 */
import type { CheckpointStore } from '../runtime/checkpoint/store.js';
import { ForecastMonitor } from '../runtime/drift/monitor.js';
import type { DriftSummary } from '../runtime/drift/summary.js';
import type { TwigaSettings } from '../runtime/settings.js';
import type { ModelHost } from './model-host.js';
import { readRecentData } from './recent-data.js';
import { storeReportSink } from './report-sink.js';

export type DriftCheckResult =
  | {
      status: 'checked';
      version: number;
      files: string[];
      rows: number;
      summary_key: string;
      summary: DriftSummary;
    }
  | { status: 'skipped'; reason: string };

const stamp = (d: Date) => d.toISOString().replace(/[:.]/g, '-');

/**
 * Runs one drift check. Writes `<reportPrefix><name>/drift/<time>.json`, `…/drift/latest.json` and the HTML
 * report beside them. Skips (and says why) when there is no data or the checkpoint has no drift reference.
 * @throws CheckpointError when no checkpoint can be loaded; DataError when a data file is unreadable.
 */
export async function runDriftCheck(options: {
  host: ModelHost;
  store: CheckpointStore;
  settings: TwigaSettings;
  now?: () => Date;
}): Promise<DriftCheckResult> {
  const { host, store, settings } = options;
  const now = options.now ?? (() => new Date());
  const model = await host.ensure();
  const reference = model.reference?.drift;
  if (!reference)
    return { status: 'skipped', reason: `version ${model.info.version} has no drift reference` };
  const data = await readRecentData(store, settings.drift.dataPrefix, settings.drift.maxRows);
  if (!data)
    return { status: 'skipped', reason: `no data files under ${store.describe(settings.drift.dataPrefix)}` };
  const prefix = `${settings.serve.reportPrefix}${host.name}/drift/`;
  const monitor = new ForecastMonitor({ now }, storeReportSink(store, prefix)).setReference(reference);
  const columns = monitor.referenceColumns.filter((c) => c in data.columns);
  if (columns.length === 0) {
    return {
      status: 'skipped',
      reason: `the data files have none of the reference columns ${monitor.referenceColumns.join(', ')}`,
    };
  }
  const [, summary] = await monitor.runDataDrift(data.columns, columns);
  const bytes = new TextEncoder().encode(
    JSON.stringify({ ...summary, version: model.info.version, files: data.files }),
  );
  const key = `${prefix}${stamp(now())}.json`;
  await store.put(key, bytes);
  await store.put(`${prefix}latest.json`, bytes);
  return {
    status: 'checked',
    version: model.info.version,
    files: data.files,
    rows: data.rows,
    summary_key: key,
    summary,
  };
}
