/** Where each feature sits in the model input vector; stored in pipeline.json. */
import { z } from 'zod';

export const FeatureBlockSchema = z.object({
  kind: z.enum(['target_lag', 'past_exogenous', 'exogenous', 'calendar', 'static']),
  /** Source column (or calendar feature name such as `hour_sin`). */
  name: z.string(),
  /** Index of the block's first feature. */
  offset: z.int().nonnegative(),
  /**
   * `lookback` for history blocks (oldest first), `horizon` for forecast-step blocks (step 1 first), 1 for a
   * static block (a per-series value of a global model: its id code or a static feature).
   */
  length: z.int().positive(),
});
/** One contiguous block of the feature vector: its kind, source column, offset and length. */
export type FeatureBlock = z.output<typeof FeatureBlockSchema>;

export const FeatureLayoutSchema = z.object({
  nFeatures: z.int().positive(),
  blocks: z.array(FeatureBlockSchema),
});
/** Where every block sits in the models' input vector `features: float32[N, F]`. */
export type FeatureLayout = z.output<typeof FeatureLayoutSchema>;

/** Lay out target lags, past covariates, known-ahead covariates, calendar features, then static values. */
export function buildLayout(spec: {
  target: string[];
  pastExogenous: string[];
  exogenous: string[];
  calendarNames: string[];
  lookback: number;
  horizon: number;
  /** Per-series values of a global model, one feature each (none for a single series). */
  statics?: readonly string[];
}): FeatureLayout {
  const blocks: FeatureBlock[] = [];
  let offset = 0;
  const add = (kind: FeatureBlock['kind'], name: string, length: number) => {
    blocks.push({ kind, name, offset, length });
    offset += length;
  };
  for (const col of spec.target) add('target_lag', col, spec.lookback);
  for (const col of spec.pastExogenous) add('past_exogenous', col, spec.lookback);
  for (const col of spec.exogenous) add('exogenous', col, spec.horizon);
  for (const name of spec.calendarNames) add('calendar', name, spec.horizon);
  for (const name of spec.statics ?? []) add('static', name, 1);
  return { nFeatures: offset, blocks };
}

/** Readable name of feature `i`, e.g. `OT[t-3]`, `temperature[t+2]`, `hour_sin[t+1]`. */
export function featureName(layout: FeatureLayout, i: number): string {
  for (const b of layout.blocks) {
    if (i >= b.offset && i < b.offset + b.length) {
      if (b.kind === 'static') return b.name;
      const k = i - b.offset;
      const history = b.kind === 'target_lag' || b.kind === 'past_exogenous';
      return history ? `${b.name}[t-${b.length - k}]` : `${b.name}[t+${k + 1}]`;
    }
  }
  throw new RangeError(`feature ${i} is outside the layout (${layout.nFeatures} features)`);
}
