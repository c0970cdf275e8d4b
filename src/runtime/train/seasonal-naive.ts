/** Seasonal naive "training": resolve the season to steps and check the lookback covers it. */
import { ConfigError } from '../errors.js';
import type { FittedPipeline } from '../features/pipeline.js';
import type { SeasonalNaiveSpec } from '../models/spec.js';
import { tryParsePeriod } from '../period.js';
import type { SeasonalNaiveConfig } from '../schemas/model-config.js';

export function seasonalNaiveSpec(
  p: FittedPipeline,
  config: SeasonalNaiveConfig,
  label: string,
): SeasonalNaiveSpec {
  const { lookback, horizon, target, periodMs, period } = p.config;
  const seasonSteps =
    typeof config.season === 'number' ? config.season : tryParsePeriod(config.season)! / periodMs;
  if (!Number.isInteger(seasonSteps) || seasonSteps < 1) {
    throw new ConfigError(`season "${config.season}" is not a whole number of periods (${period})`, [
      { path: `models.${label}.season`, message: `not a whole number of ${period} periods` },
    ]);
  }
  if (seasonSteps > lookback) {
    throw new ConfigError(
      `${label}: season of ${seasonSteps} steps is longer than the lookback (${lookback} steps); raise the lookback`,
      [{ path: `models.${label}.season`, message: `needs lookback >= ${seasonSteps}, got ${lookback}` }],
    );
  }
  const block = p.layout.blocks.find((b) => b.kind === 'target_lag');
  return {
    kind: 'seasonal_naive',
    label,
    seasonSteps,
    lookback,
    targetLagOffset: block?.offset ?? 0,
    nFeatures: p.layout.nFeatures,
    horizon,
    nTargets: target.length,
  };
}
