/**
 * Adaptive conformal intervals as a serving option: which stored ACI state and conformal table belong to a
 * model, the actuals `/monitor/performance` folds into that state, and the intervals `/predict-interval` serves
 * from it. Platform-free: Node's server and the Worker run the same functions against their stores.
 */
import {
  type AciObservation,
  type AciOptions,
  type AciState,
  aciHalfWidths,
  initialAciState,
} from '../aci.js';
import type { Conformal, ConformalTable } from '../conformal.js';
import { DataError } from '../errors.js';
import type { ForecastJson } from '../forecast-json.js';
import { ENSEMBLE_LABEL, ensembleTableKey } from '../forecaster.js';
import type { ForecasterManifest } from '../forecaster-files.js';
import type { EnsembleStrategy } from '../schemas/forecaster-config.js';

/** What a checkpoint needs to serve adaptive intervals: its options, its conformal tables and outputs. */
export interface AdaptiveServing {
  options: AciOptions;
  conformal: Conformal;
  ensemble: EnsembleStrategy;
  horizon: number;
  targets: readonly string[];
}

/** The adaptive serving of a manifest, or undefined when it asks for none (or has no conformal table). */
export function adaptiveServing(manifest: ForecasterManifest): AdaptiveServing | undefined {
  const options = manifest.intervals?.adaptive;
  if (!options || !manifest.conformal) return undefined;
  const { horizon, target } = manifest.pipeline.config;
  return { options, conformal: manifest.conformal, ensemble: manifest.ensemble, horizon, targets: target };
}

/**
 * Store key of one model's ACI state. Per version: a retrained model has other residuals, so it starts afresh.
 */
export function aciStateKey(prefix: string, name: string, version: number, label: string): string {
  return `${prefix}${name}/aci/v${version}/${encodeURIComponent(label)}.json`;
}

/** The conformal table of `label` (the ensemble's is `strategy`'s own, default the checkpoint's), or undefined. */
export function adaptiveTable(
  a: AdaptiveServing,
  label: string,
  strategy: EnsembleStrategy = a.ensemble,
): ConformalTable | undefined {
  if (label === ENSEMBLE_LABEL) {
    return a.conformal.models[ensembleTableKey(strategy)] ?? a.conformal.models[ENSEMBLE_LABEL];
  }
  return a.conformal.models[label];
}

/** A fresh state for the checkpoint's outputs (horizon × targets). */
export function freshAciState(a: AdaptiveServing): AciState {
  return initialAciState(a.options, a.horizon * a.targets.length);
}

/**
 * The observations in posted actuals: row i's forecast step (1 … horizon, in column `step`) and target pick the
 * output; rows whose actual or forecast is not a finite number are left out (ACI cannot score them).
 * @throws DataError naming `records[i].<step>` for a missing, fractional or out-of-range step.
 */
export function aciObservations(
  a: { horizon: number; targets: readonly string[] },
  records: readonly Record<string, unknown>[],
  columns: { step: string; target: string; prediction: string },
): AciObservation[] {
  const t = a.targets.indexOf(columns.target);
  if (t < 0) {
    throw new DataError(
      `target: "${columns.target}" is not one of the model's targets ${a.targets.join(', ')}`,
      {
        field: 'target',
      },
    );
  }
  const out: AciObservation[] = [];
  for (const [i, r] of records.entries()) {
    const raw = r[columns.step];
    const step = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
    if (typeof step !== 'number' || !Number.isInteger(step) || step < 1 || step > a.horizon) {
      const got = raw === undefined ? 'nothing' : JSON.stringify(raw);
      throw new DataError(
        `records[${i}].${columns.step}: expected the forecast step, an integer 1…${a.horizon}, got ${got}`,
        { field: `records[${i}].${columns.step}` },
      );
    }
    const actual = r[columns.target];
    const predicted = r[columns.prediction];
    if (typeof actual !== 'number' || typeof predicted !== 'number') continue;
    out.push({ output: (step - 1) * a.targets.length + t, predicted, actual });
  }
  return out;
}

/** The adaptive intervals of one model and target, per step: served level, cap flag and bounds. */
export interface AdaptiveBand {
  level: number[];
  capped: boolean[];
  lower: number[];
  upper: number[];
}

/** `ForecastJson.adaptive`: the ACI target, and the bands per model and target. */
export interface AdaptiveJson {
  target: number;
  gamma: number;
  /** Actuals folded into each model's state so far (summed over outputs). */
  updates: Record<string, number>;
  models: Record<string, Record<string, AdaptiveBand>>;
}

/**
 * The adaptive intervals around a forecast: for each model with a table, ŷ ± the half-width at the level its
 * state serves (a model without a stored state serves the target level).
 */
export function adaptiveJson(
  a: AdaptiveServing,
  forecast: ForecastJson,
  states: Readonly<Record<string, AciState | undefined>>,
): AdaptiveJson {
  const out: AdaptiveJson = { target: a.options.target, gamma: a.options.gamma, updates: {}, models: {} };
  const T = a.targets.length;
  for (const [label, byTarget] of Object.entries(forecast.forecasts)) {
    const table = adaptiveTable(a, label, forecast.ensemble_strategy);
    if (!table) continue;
    const state = states[label] ?? freshAciState(a);
    const served = aciHalfWidths(state, table, a.conformal.levels);
    out.updates[label] = state.updates.reduce((s, u) => s + u, 0);
    out.models[label] = Object.fromEntries(
      a.targets.map((target, t) => {
        const values = byTarget[target]!;
        const o = (h: number) => h * T + t;
        return [
          target,
          {
            level: values.map((_, h) => served.level[o(h)]!),
            capped: values.map((_, h) => served.capped[o(h)]!),
            lower: values.map((v, h) => v - served.width[o(h)]!),
            upper: values.map((v, h) => v + served.width[o(h)]!),
          },
        ];
      }),
    );
  }
  return out;
}
