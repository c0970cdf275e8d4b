/** The fitted feature pipeline: scalers + layout, serialised as pipeline.json, and the transforms it drives. */
import { z } from 'zod';
import { DataError } from '../errors.js';
import type { Frame } from '../frame.js';
import { type PipelineConfig, PipelineConfigSchema } from '../schemas/pipeline-config.js';
import { calendarFeatureNames, calendarMatrix } from './calendar.js';
import { buildLayout, type FeatureLayout, FeatureLayoutSchema } from './layout.js';
import { fitScaler, type ScalerParams, ScalerParamsSchema, transform } from './scalers.js';

/** A pipeline config with its scalers fitted on the training rows and its feature layout fixed. */
export interface FittedPipeline {
  config: PipelineConfig;
  scalers: { target: Record<string, ScalerParams>; inputs: Record<string, ScalerParams> };
  layout: FeatureLayout;
  /** Values of the layout's static blocks, in order: one series' view of a global model (see `Forecaster.forSeries`). */
  staticValues?: readonly number[];
}

/** Columns a frame must hold for this pipeline (targets first). */
export function requiredColumns(config: PipelineConfig): string[] {
  return [...config.target, ...config.pastExogenous, ...config.exogenous];
}

function column(frame: Frame, name: string, role: string): Float64Array {
  const values = frame.columns[name];
  if (!values) {
    throw new DataError(
      `missing ${role} column "${name}"; available: ${Object.keys(frame.columns).join(', ')}`,
      {
        column: name,
      },
    );
  }
  return values;
}

/**
 * Fit scalers on the training rows `[0, trainEnd)` only and fix the feature layout.
 * @param statics names of per-series static features a global model appends to the layout (default none).
 */
export function fitPipeline(
  config: PipelineConfig,
  frame: Frame,
  trainEnd = frame.time.length,
  statics: readonly string[] = [],
): FittedPipeline {
  const target: Record<string, ScalerParams> = {};
  const inputs: Record<string, ScalerParams> = {};
  for (const col of config.target) {
    target[col] = fitScaler(config.targetScaler, column(frame, col, 'target').subarray(0, trainEnd));
  }
  for (const col of [...config.pastExogenous, ...config.exogenous]) {
    inputs[col] = fitScaler(config.inputScaler, column(frame, col, 'exogenous').subarray(0, trainEnd));
  }
  const layout = buildLayout({
    target: config.target,
    pastExogenous: config.pastExogenous,
    exogenous: config.exogenous,
    calendarNames: calendarFeatureNames(config.calendar, config.fourier),
    lookback: config.lookback,
    horizon: config.horizon,
    statics,
  });
  return { config, scalers: { target, inputs }, layout };
}

const PipelineJsonSchema = z.object({
  format_version: z.literal(1),
  config: z.unknown(),
  scalers: z.object({
    target: z.record(z.string(), ScalerParamsSchema),
    inputs: z.record(z.string(), ScalerParamsSchema),
  }),
  layout: FeatureLayoutSchema,
});

/** The JSON form written to pipeline.json (lengths already resolved to periods). */
export function pipelineToJson(p: FittedPipeline): Record<string, unknown> {
  const { periodMs: _periodMs, ...config } = p.config;
  return { format_version: 1, config, scalers: p.scalers, layout: p.layout };
}

/** Read pipeline.json back; the result transforms exactly as the pipeline that wrote it. */
export function pipelineFromJson(json: unknown): FittedPipeline {
  const parsed = PipelineJsonSchema.parse(json);
  const config = PipelineConfigSchema.parse(parsed.config);
  const scalers = {
    target: parsed.scalers.target as Record<string, ScalerParams>,
    inputs: parsed.scalers.inputs as Record<string, ScalerParams>,
  };
  return { config, scalers, layout: parsed.layout };
}

/** A frame with every column scaled and calendar features computed, ready for windowing. */
export interface PreparedFrame {
  n: number;
  time: Float64Array;
  targets: Float64Array[];
  past: Float64Array[];
  exogenous: Float64Array[];
  /** One array per calendar feature, covering rows `[0, n + horizon)`. */
  calendar: Float64Array[];
  /** One array per static block (rows `[0, n)`); a window reads the value at its last history row. */
  statics: Float64Array[];
}

/** Scale every column once and compute calendar features for all rows plus `horizon` rows ahead. */
export function prepareFrame(p: FittedPipeline, frame: Frame): PreparedFrame {
  const { config, scalers } = p;
  const n = frame.time.length;
  const extended = new Float64Array(n + config.horizon);
  extended.set(frame.time);
  const base = n > 0 ? frame.time[n - 1]! : 0;
  for (let h = 0; h < config.horizon; h++) extended[n + h] = base + (h + 1) * config.periodMs;
  const calendarOpts = {
    utcOffsetHours: config.utcOffsetHours,
    latitude: config.latitude,
    longitude: config.longitude,
    fourier: config.fourier,
    holidays: config.holidays,
  };
  return {
    n,
    time: frame.time,
    targets: config.target.map((c) => transform(scalers.target[c]!, column(frame, c, 'target'))),
    past: config.pastExogenous.map((c) => transform(scalers.inputs[c]!, column(frame, c, 'past exogenous'))),
    exogenous: config.exogenous.map((c) => transform(scalers.inputs[c]!, column(frame, c, 'exogenous'))),
    calendar: calendarMatrix(extended, config.calendar, calendarOpts),
    statics: staticColumns(p, n),
  };
}

/** The static blocks of the layout, each a constant column of `n` rows (values from `p.staticValues`). */
function staticColumns(p: FittedPipeline, n: number): Float64Array[] {
  const blocks = p.layout.blocks.filter((b) => b.kind === 'static');
  if (blocks.length === 0) return [];
  const values = p.staticValues;
  if (!values || values.length !== blocks.length) {
    throw new DataError(
      `this pipeline needs per-series values for ${blocks.map((b) => `"${b.name}"`).join(', ')}: forecast through one series of the global model`,
      { statics: blocks.map((b) => b.name) },
    );
  }
  return values.map((v) => new Float64Array(n).fill(v));
}

/**
 * Write the features of the window whose first forecast row is `origin` into `out[offset…]`.
 * Returns false when a needed value is missing (NaN/inf) so the caller can skip or report it.
 */
export function writeWindow(
  p: FittedPipeline,
  f: PreparedFrame,
  origin: number,
  out: Float64Array,
  offset: number,
): boolean {
  const { lookback, horizon } = p.config;
  let k = offset;
  let ok = true;
  const copy = (src: Float64Array, from: number, len: number) => {
    for (let j = 0; j < len; j++) {
      const v = src[from + j]!;
      if (!Number.isFinite(v)) ok = false;
      out[k++] = v;
    }
  };
  for (const col of f.targets) copy(col, origin - lookback, lookback);
  for (const col of f.past) copy(col, origin - lookback, lookback);
  for (const col of f.exogenous) {
    if (origin + horizon > f.n) return false;
    copy(col, origin, horizon);
  }
  for (const col of f.calendar) copy(col, origin, horizon);
  for (const col of f.statics) copy(col, origin - 1, 1);
  return ok;
}

/** Scaled targets of the window at `origin`, laid out `h * nTargets + t`. False when any is missing. */
export function writeTargets(
  f: PreparedFrame,
  horizon: number,
  origin: number,
  out: Float64Array,
  offset: number,
): boolean {
  const nT = f.targets.length;
  let ok = origin + horizon <= f.n;
  if (!ok) return false;
  for (let h = 0; h < horizon; h++) {
    for (let t = 0; t < nT; t++) {
      const v = f.targets[t]![origin + h]!;
      if (!Number.isFinite(v)) ok = false;
      out[offset + h * nT + t] = v;
    }
  }
  return ok;
}

/** Feature rows for a set of forecast origins, and the origins skipped for missing values. */
export interface WindowBatch {
  origins: number[];
  features: Float64Array;
  /** Origins skipped because a needed value was missing. */
  skipped: number[];
}

/** Features of many windows; windows with missing values are skipped and listed. */
export function buildFeatures(p: FittedPipeline, f: PreparedFrame, origins: readonly number[]): WindowBatch {
  const F = p.layout.nFeatures;
  const features = new Float64Array(origins.length * F);
  const kept: number[] = [];
  const skipped: number[] = [];
  for (const origin of origins) {
    if (origin < p.config.lookback || origin > f.n) {
      throw new DataError(`window at row ${origin} needs ${p.config.lookback} rows of history`, { origin });
    }
    if (writeWindow(p, f, origin, features, kept.length * F)) kept.push(origin);
    else skipped.push(origin);
  }
  return { origins: kept, features: features.subarray(0, kept.length * F), skipped };
}
