/**
 * Conformal residuals from rolling origins across the training span (cross-conformal, CV+-style for time series):
 * each fold refits every model on the rows before its cut and forecasts the block after it, so the pooled
 * residuals see several stretches of the series, not only the validation tail the final models stopped on.
 */
import { CONFORMAL_GRID, type Conformal, conformalTable } from '../conformal.js';
import { combine } from '../ensemble.js';
import type { FittedPipeline } from '../features/pipeline.js';
import { windowOrigins } from '../features/windows.js';
import { actualsFor, ENSEMBLE_LABEL, ensembleTableKey, Forecaster } from '../forecaster.js';
import { encodePipelineFile, type ForecasterManifest, PIPELINE_FILE } from '../forecaster-files.js';
import type { Frame } from '../frame.js';
import type { OnnxEngine } from '../onnx/engine.js';
import { type ConformalConfig, ENSEMBLE_STRATEGIES } from '../schemas/forecaster-config.js';
import type { TrainingLogger } from './backend.js';

/** Forecasts of every model and ensemble strategy (keyed as in the conformal table) and their actuals. */
export interface ResidualSample {
  predictions: Record<string, Float64Array>;
  /** [window, output], the layout of every entry of `predictions`. */
  actual: Float64Array;
  /** Per target: how much the series itself moved over the sample's rows (see `volatility`). */
  scale: Float64Array;
}

/**
 * Per target, the mean |y[t] − y[t − lag]| over rows `[from, to)`: how restless the series was there, measured
 * from the data alone (no model), so residuals of different stretches can be put on one scale.
 */
export function volatility(
  frame: Frame,
  targets: readonly string[],
  from: number,
  to: number,
  lag: number,
): Float64Array {
  return Float64Array.from(targets, (name) => {
    const y = frame.columns[name]!;
    let sum = 0;
    let n = 0;
    for (let t = Math.max(from, lag); t < to; t++) {
      const d = Math.abs(y[t]! - y[t - lag]!);
      if (Number.isFinite(d)) {
        sum += d;
        n++;
      }
    }
    return n > 0 ? sum / n : Number.NaN;
  });
}

/** Forecast `origins` with every model and every ensemble strategy the checkpoint can serve. */
export async function residualSample(
  forecaster: Forecaster,
  frame: Frame,
  origins: readonly number[],
  rows: { from: number; to: number },
): Promise<ResidualSample> {
  const batch = await forecaster.predictOrigins(frame, origins);
  const actual = actualsFor(frame, forecaster.pipeline, batch.origins);
  const nOut = batch.horizon * batch.targets.length;
  const labels = forecaster.modelLabels;
  const predictions: Record<string, Float64Array> = {};
  for (const label of labels) predictions[label] = batch.predictions[label]!;
  // The checkpoint's own strategy under the plain `ensemble` key too, as split-conformal tables always had it
  // (readers of older checkpoints and callers without a strategy look it up there).
  const served = batch.predictions[ENSEMBLE_LABEL];
  if (served) predictions[ENSEMBLE_LABEL] = served;
  // Each ensemble strategy gets its own residuals, so a request for another strategy stays calibrated.
  const members = labels.map((l) => predictions[l]!);
  const weights = forecaster.manifest.ensembleWeights;
  for (const strategy of ENSEMBLE_STRATEGIES) {
    if ((strategy === 'weighted' || strategy === 'best') && !weights) continue;
    predictions[ensembleTableKey(strategy)] = combine(
      members,
      strategy,
      weights && { weights, labels, nOut },
    );
  }
  const { target, horizon } = forecaster.pipeline.config;
  return { predictions, actual, scale: volatility(frame, target, rows.from, rows.to, horizon) };
}

const concat = (parts: readonly Float64Array[]): Float64Array => {
  const out = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/**
 * The residuals of `sample` put on the scale of `to`: r · to.scale / sample.scale per target, so a fold from a
 * calmer or wilder stretch than the latest one says how much worse the model does there, not how restless the
 * series was. Returned as pseudo-actuals around the sample's own forecasts.
 */
function rescaledActual(sample: ResidualSample, key: string, to: Float64Array, nOut: number): Float64Array {
  const predicted = sample.predictions[key]!;
  const T = to.length;
  return Float64Array.from(sample.actual, (y, i) => {
    const t = (i % nOut) % T;
    const f = to[t]! / sample.scale[t]!;
    const p = predicted[i]!;
    return Number.isFinite(f) && f > 0 ? p + (y - p) * f : y;
  });
}

/**
 * The conformal tables of pooled samples (every sample has the keys of the first). The first sample is the
 * final models' validation tail; the others are rescaled to its volatility when `rescale` is set.
 */
export function conformalFromSamples(
  samples: readonly ResidualSample[],
  nOut: number,
  folds: { count: number; stride: number; rescale: boolean; span?: ConformalConfig['span'] },
): Conformal {
  const rescale = folds.rescale;
  const models: Conformal['models'] = {};
  const tail = samples[0]!;
  for (const key of Object.keys(tail.predictions)) {
    const predicted = concat(samples.map((s) => s.predictions[key]!));
    const actual = concat(
      samples.map((s, i) => (i === 0 || !rescale ? s.actual : rescaledActual(s, key, tail.scale, nOut))),
    );
    models[key] = conformalTable(predicted, actual, nOut, CONFORMAL_GRID);
  }
  if (folds.count === 0) {
    return { method: 'split-conformal-absolute-residual', levels: [...CONFORMAL_GRID], models };
  }
  return {
    method: 'cv-plus-absolute-residual',
    folds: folds.count,
    fold_stride: folds.stride,
    rescaled: rescale,
    ...(folds.span ? { fold_span: folds.span } : {}),
    levels: [...CONFORMAL_GRID],
    models,
  };
}

/** Fold `fold`: models see rows before `cut` and forecast the windows predicting rows `[cut, end)`. */
export interface Fold {
  fold: number;
  cut: number;
  end: number;
}

/**
 * `folds` equal blocks before `valStart` (the validation tail is the final models' own block), tiling its second
 * half (`second_half`) or, expanding-window style, all of it after the first 1/(folds + 1) (`whole`). Folds whose
 * cut leaves no room for a training window are dropped.
 */
export function foldBlocks(
  valStart: number,
  folds: number,
  minRows: number,
  span: ConformalConfig['span'],
): Fold[] {
  const start = span === 'whole' ? Math.floor(valStart / (folds + 1)) : Math.floor(valStart / 2);
  const size = Math.floor((valStart - start) / folds);
  const out: Fold[] = [];
  for (let k = 0; k < folds; k++) {
    const cut = start + k * size;
    const end = k === folds - 1 ? valStart : cut + size;
    if (cut >= minRows && end > cut) out.push({ fold: k, cut, end });
  }
  return out;
}

/** One series the folds calibrate: its rows, where its validation starts, and where it sits among the windows. */
export interface FoldSeries {
  frame: Frame;
  valStart: number;
  /** Row of this series' first row among the pooled training rows (0 for a single series). */
  offset: number;
  /** This series' forecaster out of the fold's (itself for a single series; `forSeries(id)` for a global model). */
  view: (forecaster: Forecaster) => Forecaster;
  /** Training and validation windows of this series when its training rows end at `trainEnd`. */
  windows: (trainEnd: number) => { fitOrigins: number[]; valOrigins: number[] };
}

/** What a fold needs from the final fit: how it trains its models, and the manifest it serves them with. */
export interface FoldContext {
  series: readonly FoldSeries[];
  pipeline: FittedPipeline;
  /** The final manifest: its ensemble weights (and a global model's series) serve the fold models too. */
  manifest: ForecasterManifest;
  engine: OnnxEngine;
  log: TrainingLogger;
  /** Trains the models on the given pooled windows (fit.ts's `trainModels`, passed in to keep the modules acyclic). */
  train: (
    windows: { fit: number[]; validation: number[] },
    log: TrainingLogger,
  ) => Promise<{ files: Record<string, Uint8Array> }>;
}

/** A manifest without conformal tables (its own, or a global model's per series): the fold models carry none. */
function withoutConformal(manifest: ForecasterManifest): ForecasterManifest {
  const { conformal: _c, ...rest } = manifest;
  if (!rest.global) return rest;
  const series = rest.global.series.map(({ conformal: _s, ...s }) => s);
  return { ...rest, global: { ...rest.global, series } };
}

/**
 * Residual samples per series of `config.folds` rolling origins (none for `split`): at each fold every model is
 * refit on every series' rows before its cut (their own validation tails for early stopping) and forecasts each
 * series' block at stride 1. `folds` is how many fold samples each series got.
 */
export async function foldSamples(
  ctx: FoldContext,
  config: ConformalConfig,
): Promise<{ samples: ResidualSample[][]; folds: number[] }> {
  const samples: ResidualSample[][] = ctx.series.map(() => []);
  if (config.method === 'split') return { samples, folds: samples.map(() => 0) };
  const t0 = performance.now();
  const { lookback, horizon } = ctx.pipeline.config;
  const blocks = ctx.series.map((s) => foldBlocks(s.valStart, config.folds, lookback + horizon, config.span));
  // Fold models log their warnings; their per-model steps would only repeat the final fit's.
  const quiet: TrainingLogger = {
    info: () => {},
    step: () => {},
    done: () => {},
    warn: (m) => ctx.log.warn(m),
  };
  const files0 = encodePipelineFile(withoutConformal(ctx.manifest));
  for (let k = 0; k < config.folds; k++) {
    const fit: number[] = [];
    const validation: number[] = [];
    const members: Array<{ i: number; block: Fold }> = [];
    for (const [i, s] of ctx.series.entries()) {
      const block = blocks[i]!.find((b) => b.fold === k);
      if (!block) continue;
      const { fitOrigins, valOrigins } = s.windows(block.cut);
      if (fitOrigins.length === 0) continue;
      members.push({ i, block });
      for (const [j, o] of fitOrigins.entries()) if (j % config.foldStride === 0) fit.push(o + s.offset);
      for (const o of valOrigins) validation.push(o + s.offset);
    }
    if (members.length === 0) continue;
    const only = ctx.series.length === 1 ? members[0]!.block : undefined;
    ctx.log.info(
      only
        ? `conformal fold ${k + 1}/${config.folds}: refit on rows < ${only.cut}, forecast rows ${only.cut}–${only.end - 1}`
        : `conformal fold ${k + 1}/${config.folds}: refit on ${members.length} series before their cuts`,
    );
    const { files } = await ctx.train({ fit, validation }, quiet);
    files[PIPELINE_FILE] = files0;
    const forecaster = await Forecaster.fromFiles(files, ctx.engine);
    try {
      for (const { i, block } of members) {
        const s = ctx.series[i]!;
        const first = Math.max(0, block.cut - lookback);
        const origins = windowOrigins(s.frame.time.length, {
          lookback,
          horizon,
          stride: 1,
          first,
          last: block.end,
        });
        samples[i]!.push(
          await residualSample(s.view(forecaster), s.frame, origins, { from: block.cut, to: block.end }),
        );
      }
    } finally {
      await forecaster.release();
    }
  }
  const folds = samples.map((x) => x.length);
  ctx.log.info(
    `conformal: ${Math.max(0, ...folds)} folds refit in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  return { samples, folds };
}
