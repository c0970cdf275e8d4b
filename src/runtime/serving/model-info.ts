/** What a serving endpoint says about its model: read from pipeline.json alone, no inference engine needed. */
import { maxSupportedLevel } from '../conformal.js';
import type { EngineName } from '../engine/contract.js';
import type { ForecasterManifest } from '../forecaster-files.js';
import type { EnsembleStrategy } from '../schemas/forecaster-config.js';

/** What a loaded checkpoint serves: version, models, horizon, targets and columns. */
export interface ModelInfo {
  /** Checkpoint version being served. */
  version: number;
  /** Model labels, in the checkpoint's order (forecasts also carry `ensemble`). */
  models: string[];
  ensemble_strategy: EnsembleStrategy;
  horizon: number;
  lookback: number;
  /** e.g. `1h`, `30min`. */
  period: string;
  targets: string[];
  time_column: string;
  /** Every column a request must carry besides the time column. */
  columns: string[];
  /** Columns needed for the `horizon` rows after the last target value (known ahead). */
  exogenous: string[];
  /** Highest conformal level every model supports; null when the checkpoint has no residuals. */
  max_interval_level: number | null;
  /** The inference engine running each model, by label: `lean` or `ort` (empty before any engine loaded them). */
  engines: Record<string, EngineName>;
}

/** The {@link ModelInfo} of a checkpoint's decoded pipeline.json, with the engine that loaded each model. */
export function modelInfo(
  manifest: ForecasterManifest,
  version: number,
  engines: Readonly<Record<string, EngineName>> = {},
): ModelInfo {
  const config = manifest.pipeline.config;
  const conformal = manifest.conformal;
  const levels = conformal ? Object.values(conformal.models).map(maxSupportedLevel) : [];
  return {
    version,
    models: manifest.models.map((m) => m.label),
    ensemble_strategy: manifest.ensemble,
    horizon: config.horizon,
    lookback: config.lookback,
    period: config.period,
    targets: [...config.target],
    time_column: config.timeColumn,
    columns: [...config.target, ...config.pastExogenous, ...config.exogenous],
    exogenous: [...config.exogenous],
    max_interval_level: levels.length > 0 ? Math.min(...levels) : null,
    engines: { ...engines },
  };
}
