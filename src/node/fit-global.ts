/**
 * Fit one global model on the windows of many series: each series scaled by its own statistics (fitted on
 * its training rows), optional static features and, for the GBDT, the series code as a feature.
 */

import { ConfigError } from '../runtime/errors.js';
import {
  type FittedPipeline,
  fitPipeline,
  type PreparedFrame,
  prepareFrame,
} from '../runtime/features/pipeline.js';
import { type GlobalSeries, type GlobalSpec, SERIES_CODE_FEATURE } from '../runtime/fleet/global-spec.js';
import { type EvaluationResult, Forecaster } from '../runtime/forecaster.js';
import { encodePipelineFile, type ForecasterManifest, PIPELINE_FILE } from '../runtime/forecaster-files.js';
import type { Frame } from '../runtime/frame.js';
import type { OnnxEngine } from '../runtime/onnx/engine.js';
import {
  type ConformalConfig,
  type EnsembleStrategy,
  SPLIT_CONFORMAL,
} from '../runtime/schemas/forecaster-config.js';
import type { ModelConfig } from '../runtime/schemas/model-config.js';
import type { PipelineConfig } from '../runtime/schemas/pipeline-config.js';
import {
  conformalFromSamples,
  foldSamples,
  type ResidualSample,
  residualSample,
} from '../runtime/train/cross-conformal.js';
import type { TuneOptions } from '../runtime/train/tune-fourier.js';
import { type FitResult, fitWindows, modelLabels, noTrainingWindows, trainModels } from './fit.js';
import { withHolidays } from './holidays.js';
import type { Logger } from './log.js';

/** One series of the panel, with the end (exclusive) of its training rows. */
export interface GlobalFitSeries {
  id: string;
  frame: Frame;
  trainEnd: number;
}

/** The series, pipeline config, models, validation share, ensemble, engine and static features of a global fit. */
export interface GlobalFitOptions {
  series: readonly GlobalFitSeries[];
  pipelineConfig: PipelineConfig;
  models: readonly ModelConfig[];
  valFraction: number;
  ensemble: EnsembleStrategy;
  engine: OnnxEngine;
  logger: Logger;
  /** Static feature values per series id (every series needs every name in `staticFeatures`). */
  statics?: Readonly<Record<string, Readonly<Record<string, number>>>>;
  staticFeatures?: readonly string[];
  trained?: Record<string, unknown>;
  tune?: TuneOptions | undefined;
  /** How each series' conformal table is calibrated (default `split`); `cv_plus` refits the global model per fold. */
  conformal?: ConformalConfig | undefined;
}

/** A global fit's files, forecaster, model summaries and per-series split and validation. */
export interface GlobalFitResult {
  files: Record<string, Uint8Array>;
  forecaster: Forecaster;
  labels: string[];
  models: FitResult['models'];
  trainWindows: number;
  /** Per series: where validation starts and its validation scores. */
  series: Array<{ id: string; valStart: number; trainEnd: number; validation?: EvaluationResult }>;
}

/** Several prepared frames end to end; windows never cross a boundary (their origins stay inside a segment). */
function concatPrepared(parts: readonly PreparedFrame[], horizon: number): PreparedFrame {
  const n = parts.reduce((sum, p) => sum + p.n, 0);
  const join = (pick: (p: PreparedFrame) => Float64Array[], extra = 0): Float64Array[] => {
    const k = parts.length > 0 ? pick(parts[0]!).length : 0;
    return Array.from({ length: k }, (_, j) => {
      const out = new Float64Array(n + extra);
      let at = 0;
      for (const p of parts) {
        out.set(pick(p)[j]!.subarray(0, p.n), at);
        at += p.n;
      }
      return out;
    });
  };
  const time = new Float64Array(n);
  let at = 0;
  for (const p of parts) {
    time.set(p.time, at);
    at += p.n;
  }
  return {
    n,
    time,
    targets: join((p) => p.targets),
    past: join((p) => p.past),
    exogenous: join((p) => p.exogenous),
    calendar: join((p) => p.calendar, horizon),
    statics: join((p) => p.statics),
  };
}

/**
 * Each series' `__series_code`: its rank (0 = lowest) by the mean of `target` over its training rows
 * (NaNs skipped; a series with none ranks first), ties broken by id — see `SERIES_CODE_ENCODINGS`.
 */
export function targetMeanRanks(
  series: ReadonlyArray<{ id: string; frame: Frame; trainEnd: number }>,
  target: string,
): number[] {
  const means = series.map((s) => {
    const values = s.frame.columns[target]!;
    let sum = 0;
    let n = 0;
    for (let i = 0; i < s.trainEnd; i++) {
      const v = values[i]!;
      if (Number.isFinite(v)) {
        sum += v;
        n++;
      }
    }
    return n > 0 ? sum / n : Number.NEGATIVE_INFINITY;
  });
  const order = series.map((_, i) => i);
  order.sort((a, b) => means[a]! - means[b]! || (series[a]!.id < series[b]!.id ? -1 : 1));
  const ranks = new Array<number>(series.length);
  order.forEach((i, rank) => {
    ranks[i] = rank;
  });
  return ranks;
}

/**
 * Fit the pipeline per series, pool every series' windows, train each model once and export it; then
 * score validation and fit conformal intervals per series through the ONNX models.
 */
export async function fitGlobal(o: GlobalFitOptions): Promise<GlobalFitResult> {
  const { logger: log } = o;
  if (o.ensemble === 'weighted' || o.ensemble === 'best') {
    throw new ConfigError(
      `ensemble "${o.ensemble}" is not learned for global models yet; use "mean" or "median"`,
      [{ path: 'train.ensemble', message: `"${o.ensemble}" is for single-series and per_series models` }],
    );
  }
  if (o.tune?.fourier) {
    throw new ConfigError(
      "train.tuneFourier is not searched for global models yet; set the pipeline's fourier",
      [{ path: 'train.tuneFourier', message: 'is for single-series and per_series models' }],
    );
  }
  // One holiday calendar for every series: the span from the earliest to the latest timestamp.
  const firsts = o.series.map((s) => s.frame.time[0]!).filter(Number.isFinite);
  const lasts = o.series.map((s) => s.frame.time[s.frame.time.length - 1]!).filter(Number.isFinite);
  const config =
    firsts.length > 0
      ? withHolidays(o.pipelineConfig, [Math.min(...firsts), Math.max(...lasts)])
      : o.pipelineConfig;
  const labels = modelLabels(o.models);
  const staticFeatures = [...(o.staticFeatures ?? [])];
  const names = [
    ...staticFeatures,
    ...(o.models.some((m) => m.name === 'gbdt') ? [SERIES_CODE_FEATURE] : []),
  ];
  const prepared: PreparedFrame[] = [];
  const fit: number[] = [];
  const validation: number[] = [];
  const specs: GlobalSeries[] = [];
  const spans: Array<{ valStart: number; valOrigins: number[]; offset: number }> = [];
  let offset = 0;
  let layoutOf: FittedPipeline | undefined;
  const codes = targetMeanRanks(o.series, config.target[0]!);
  for (const [i, s] of o.series.entries()) {
    const code = codes[i]!;
    const pipeline = fitPipeline(config, s.frame, s.trainEnd, names);
    const values = o.statics?.[s.id] ?? {};
    const staticValues = names.map((name) => (name === SERIES_CODE_FEATURE ? code : values[name]!));
    layoutOf ??= pipeline;
    prepared.push(prepareFrame({ ...pipeline, staticValues }, s.frame));
    const w = fitWindows(config, s.frame.time.length, s.trainEnd, o.valFraction);
    if (w.fitOrigins.length === 0) throw noTrainingWindows(config, w.valStart);
    for (const origin of w.fitOrigins) fit.push(origin + offset);
    for (const origin of w.valOrigins) validation.push(origin + offset);
    spans.push({ valStart: w.valStart, valOrigins: w.valOrigins, offset });
    offset += s.frame.time.length;
    specs.push({ id: s.id, code, scalers: pipeline.scalers, static: { ...values } });
  }
  if (!layoutOf) throw noTrainingWindows(config, 0);
  log.info(
    `global: ${o.series.length} series, ${fit.length} training windows, ${validation.length} validation windows`,
  );
  // The trainers see scaled windows only; the shared pipeline has no scalers of its own.
  const shared: FittedPipeline = { config, layout: layoutOf.layout, scalers: { target: {}, inputs: {} } };
  const pooled = concatPrepared(prepared, config.horizon);
  const trained = await trainModels(o.models, labels, shared, pooled, {
    windows: { fit, validation },
    tune: o.tune,
    log,
  });
  const files = trained.files;
  const global: GlobalSpec = {
    id_column: config.idColumn ?? 'unique_id',
    static_features: staticFeatures,
    series_code: 'target_mean_rank',
    series: specs,
  };
  const manifest: ForecasterManifest = {
    pipeline: shared,
    models: trained.entries,
    ensemble: o.ensemble,
    trained: o.trained ?? {},
    global,
  };
  files[PIPELINE_FILE] = encodePipelineFile(manifest);
  let forecaster = await Forecaster.fromFiles(files, o.engine);

  const series: GlobalFitResult['series'] = [];
  const tails: Array<ResidualSample | undefined> = [];
  for (const [i, s] of o.series.entries()) {
    const { valStart, valOrigins } = spans[i]!;
    const view = forecaster.forSeries(s.id);
    const out: GlobalFitResult['series'][number] = { id: s.id, valStart, trainEnd: s.trainEnd };
    if (valOrigins.length > 0) {
      out.validation = await view.evaluate(s.frame, valStart, { endRow: s.trainEnd });
      tails.push(await residualSample(view, s.frame, valOrigins, { from: valStart, to: s.trainEnd }));
    } else {
      log.warn(`series ${s.id}: no validation windows, so no validation metrics or prediction intervals`);
      tails.push(undefined);
    }
    series.push(out);
  }
  // Each series' table from its own residuals: its validation tail, and (cv_plus) the global model refit at
  // each fold on every series' rows before their cuts, forecasting each series' block.
  const method = o.conformal ?? SPLIT_CONFORMAL;
  const calibrated = o.series.filter((_, i) => tails[i]);
  const folds = await foldSamples(
    {
      series: o.series.flatMap((s, i) =>
        tails[i]
          ? [
              {
                frame: s.frame,
                valStart: spans[i]!.valStart,
                offset: spans[i]!.offset,
                view: (f: Forecaster) => f.forSeries(s.id),
                windows: (end: number) => fitWindows(config, s.frame.time.length, end, o.valFraction),
              },
            ]
          : [],
      ),
      pipeline: shared,
      manifest,
      engine: o.engine,
      log,
      train: (windows, quiet) => trainModels(o.models, labels, shared, pooled, { windows, log: quiet }),
    },
    method,
  );
  const nOut = config.horizon * config.target.length;
  const withConformal: GlobalSeries[] = specs.map((spec, i) => {
    const tail = tails[i];
    if (!tail) return spec;
    const j = calibrated.indexOf(o.series[i]!);
    const conformal = conformalFromSamples([tail, ...folds.samples[j]!], nOut, {
      count: folds.folds[j]!,
      stride: method.foldStride,
      rescale: method.rescale,
      span: method.span,
    });
    return { ...spec, conformal };
  });
  files[PIPELINE_FILE] = encodePipelineFile({ ...manifest, global: { ...global, series: withConformal } });
  const draft = forecaster;
  forecaster = await Forecaster.fromFiles(files, o.engine);
  await draft.release();
  return { files, forecaster, labels, models: trained.models, trainWindows: fit.length, series };
}
