/**
 * The cron job over a fleet: the default model's drift check as before (data directly under
 * `TWIGA_DRIFT_DATA_PREFIX`), then one per model of the fleet on its own data (`<dataPrefix><name>/`),
 * each writing its own summary, and a fleet summary of how many drifted and which.
 */
import { loadCheckpoint } from '../runtime/checkpoint/checkpoint.js';
import { listModels } from '../runtime/checkpoint/models.js';
import { decodeReference, REFERENCE_FILE } from '../runtime/drift/checkpoint-reference.js';
import { mapLimit } from '../runtime/map-limit.js';
import type { ModelHost } from './model-host.js';
import {
  checkModelDrift,
  type DriftCheckOptions,
  type DriftCheckResult,
  runDriftCheck,
} from './scheduled.js';

/** One model's line in the fleet summary. */
export type FleetModelCheck =
  | {
      name: string;
      status: 'checked';
      version: number;
      drift_detected: boolean;
      retraining_due: boolean;
      summary_key: string;
    }
  | { name: string; status: 'skipped'; reason: string }
  | { name: string; status: 'failed'; error: string };

/** `<reportPrefix>_fleet/drift/latest.json` (and a copy per run). */
export interface FleetDriftSummary {
  checked_at: string;
  models: number;
  checked: number;
  skipped: number;
  failed: number;
  drifted: string[];
  retraining_due: string[];
  results: FleetModelCheck[];
}

export interface FleetDriftResult {
  /** The default model's check, as `runDriftCheck` returns it (its cron events are logged from it). */
  default: DriftCheckResult | { status: 'failed'; error: string };
  fleet: FleetDriftSummary;
  /** Where the fleet summary was written. */
  key: string;
}

/** Reports of the fleet as a whole live here under the report prefix; `_` keeps it out of model names. */
export const FLEET_REPORTS = '_fleet';
const stamp = (d: Date) => d.toISOString().replace(/[:.]/g, '-');
const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Checks the default model (through its host) and every other model in the store (reading only its
 * hash-verified reference.json, no inference session), a few at a time; one model failing is recorded in
 * the fleet summary and does not stop the others.
 * @param options.concurrency models checked at once. @default 4
 */
export async function runFleetDriftCheck(
  options: DriftCheckOptions & { host: ModelHost; concurrency?: number },
): Promise<FleetDriftResult> {
  const { store, settings, host } = options;
  const now = options.now ?? (() => new Date());
  const dataPrefix = options.dataPrefix ?? settings.drift.dataPrefix;
  const first = await runDriftCheck({ ...options, dataPrefix, flat: true }).catch((error: unknown) => ({
    status: 'failed' as const,
    error: message(error),
  }));
  const names = (await listModels(store)).filter((n) => n !== host.name);
  const checks = await mapLimit(names, options.concurrency ?? 4, async (name) => {
    const result = await checkModelDrift(
      { ...options, dataPrefix: `${dataPrefix}${name}/`, flat: true },
      async () => {
        const loaded = await loadCheckpoint(store, name);
        const bytes = loaded.files[REFERENCE_FILE];
        const reference = bytes
          ? decodeReference(bytes, store.describe(`${name}/${REFERENCE_FILE}`))
          : undefined;
        return { name, version: loaded.version, reference: reference?.drift };
      },
    ).catch((error: unknown) => ({ status: 'failed' as const, error: message(error) }));
    return lineOf(name, result);
  });
  const results: FleetModelCheck[] = [lineOf(host.name, first), ...checks];
  results.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  const checked = results.filter((r) => r.status === 'checked');
  const at = now();
  const fleet: FleetDriftSummary = {
    checked_at: at.toISOString(),
    models: results.length,
    checked: checked.length,
    skipped: results.filter((r) => r.status === 'skipped').length,
    failed: results.filter((r) => r.status === 'failed').length,
    drifted: checked.filter((r) => r.drift_detected).map((r) => r.name),
    retraining_due: checked.filter((r) => r.retraining_due).map((r) => r.name),
    results,
  };
  const base = `${settings.serve.reportPrefix}${FLEET_REPORTS}/drift/`;
  const bytes = new TextEncoder().encode(JSON.stringify(fleet));
  await store.put(`${base}${stamp(at)}.json`, bytes);
  const key = `${base}latest.json`;
  await store.put(key, bytes);
  return { default: first, fleet, key };
}

function lineOf(
  name: string,
  result: DriftCheckResult | { status: 'failed'; error: string },
): FleetModelCheck {
  if (result.status === 'failed') return { name, status: 'failed', error: result.error };
  if (result.status === 'skipped') return { name, status: 'skipped', reason: result.reason };
  return {
    name,
    status: 'checked',
    version: result.version,
    drift_detected: result.summary.drift_detected,
    retraining_due: result.retraining.due,
    summary_key: result.summary_key,
  };
}
