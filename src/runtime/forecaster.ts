/** A loaded forecaster: the fitted pipeline plus ONNX models, run through one inference engine. */
import { type Conformal, halfWidth, maxSupportedLevel } from './conformal.js';
import type { EngineName } from './engine/contract.js';
import { combine } from './ensemble.js';
import { CheckpointError, DataError, ModelError } from './errors.js';
import type { FittedPipeline } from './features/pipeline.js';
import { buildFeatures, prepareFrame } from './features/pipeline.js';
import { inverseTransform } from './features/scalers.js';
import { originsFrom } from './features/windows.js';
import { SERIES_CODE_FEATURE } from './fleet/global-spec.js';
import { decodePipelineFile, type ForecasterManifest, PIPELINE_FILE } from './forecaster-files.js';
import type { Frame } from './frame.js';
import { computeMetrics, type Metrics } from './metrics.js';
import type { OnnxEngine, OnnxModel } from './onnx/engine.js';
import type { EnsembleStrategy } from './schemas/forecaster-config.js';

/** The label under which the ensemble of all models is reported. */
export const ENSEMBLE_LABEL = 'ensemble';

/** Forecasts for a batch of windows, in the targets' original units. */
export interface ForecastBatch {
  targets: string[];
  horizon: number;
  /** Row index (in the input frame) of each window's first forecast step. */
  origins: number[];
  /** Timestamp (epoch ms) of each window's first forecast step; step h is `+ h · period`. */
  originTimes: number[];
  periodMs: number;
  /** Per model label, plus `ensemble`: flat [window, step, target]. */
  predictions: Record<string, Float64Array>;
  /** Origins skipped because an input value was missing. */
  skipped: number[];
  /** How `ensemble` was combined (intervals pick the matching conformal table). */
  ensemble?: EnsembleStrategy;
}

/** Key of a strategy's own conformal table: `ensemble:median`. */
export const ensembleTableKey = (strategy: EnsembleStrategy): string => `${ENSEMBLE_LABEL}:${strategy}`;

/** Lower and upper bounds per model label (and `ensemble`) per level, laid out like the predictions. */
export type Intervals = Record<string, Record<string, { lower: Float64Array; upper: Float64Array }>>;

/** `level` as used in keys and column names: `0.9` → `"0.9"`. */
export const levelKey = (level: number): string => String(level);

/** Forecasts, actuals and metrics per model of an evaluation over many windows. */
export interface EvaluationResult {
  batch: ForecastBatch;
  /** Actuals laid out like the predictions. */
  actual: Float64Array;
  /** Metrics per model label (and `ensemble`), over every forecast point. */
  metrics: Record<string, Metrics>;
}

/** A loaded checkpoint version: its fitted pipeline and ONNX sessions, ready to predict, evaluate and give intervals. */
export class Forecaster {
  readonly manifest: ForecasterManifest;
  private readonly models: ReadonlyArray<{ label: string; model: OnnxModel }>;
  /** Views of a global model's series, built on first use. */
  readonly #views = new Map<string, Forecaster>();

  private constructor(
    manifest: ForecasterManifest,
    models: ReadonlyArray<{ label: string; model: OnnxModel }>,
  ) {
    this.manifest = manifest;
    this.models = models;
  }

  /**
   * Build from a checkpoint's files (`pipeline.json` and each model's ONNX file).
   * @param decoded pipeline.json already decoded by the caller (saves a second zod parse); else it is decoded here.
   */
  static async fromFiles(
    files: Readonly<Record<string, Uint8Array>>,
    engine: OnnxEngine,
    decoded?: ForecasterManifest,
  ): Promise<Forecaster> {
    const pipelineBytes = files[PIPELINE_FILE];
    if (!pipelineBytes) {
      throw new CheckpointError('CHECKPOINT_CORRUPT', `checkpoint has no ${PIPELINE_FILE}`, {
        files: Object.keys(files),
      });
    }
    const manifest = decoded ?? decodePipelineFile(pipelineBytes);
    const models = [];
    for (const entry of manifest.models) {
      const bytes = files[entry.file];
      if (!bytes) {
        throw new CheckpointError(
          'CHECKPOINT_CORRUPT',
          `checkpoint has no ${entry.file} for model "${entry.label}"`,
          {
            model: entry.label,
          },
        );
      }
      const io = {
        ...(entry.input ? { input: entry.input } : {}),
        ...(entry.output ? { output: entry.output } : {}),
      };
      models.push({ label: entry.label, model: await engine.load(bytes, entry.label, io) });
    }
    return new Forecaster(manifest, models);
  }

  get pipeline(): FittedPipeline {
    return this.manifest.pipeline;
  }

  get modelLabels(): string[] {
    return this.models.map((m) => m.label);
  }

  /** The engine running each model, by label (`lean` or `ort`). */
  get engines(): Record<string, EngineName> {
    return Object.fromEntries(this.models.map((m) => [m.label, m.model.engine]));
  }

  /** Whether this is a global model (one model for many series; forecast through {@link forSeries}). */
  get isGlobal(): boolean {
    return this.manifest.global !== undefined;
  }

  /** The series a global model was trained on (empty for a single-series model). */
  get seriesIds(): string[] {
    return this.manifest.global?.series.map((s) => s.id) ?? [];
  }

  /**
   * One series of a global model as a single-series forecaster: the same inference sessions, with that
   * series' scalers, static values and conformal table. Views are cached; never `release()` a view (the
   * sessions belong to the global forecaster).
   * @param path where the id came from, named in the error (e.g. `records[3].unique_id`).
   * @throws DataError naming the id when the model does not know the series.
   */
  forSeries(id: string, path = 'series'): Forecaster {
    const global = this.manifest.global;
    if (!global)
      throw new ModelError('this checkpoint is not a global model: it has no series', { series: id });
    const cached = this.#views.get(id);
    if (cached) return cached;
    const series = global.series.find((s) => s.id === id);
    if (!series) {
      const known = global.series.slice(0, 10).map((s) => `"${s.id}"`);
      throw new DataError(
        `${path}: unknown series "${id}"; this model knows ${global.series.length} series (${known.join(', ')}${global.series.length > 10 ? ', …' : ''})`,
        { path, series: id },
      );
    }
    const staticValues = this.pipeline.layout.blocks
      .filter((b) => b.kind === 'static')
      .map((b) => (b.name === SERIES_CODE_FEATURE ? series.code : (series.static[b.name] ?? Number.NaN)));
    const { global: _global, conformal: _conformal, ...rest } = this.manifest;
    const manifest: ForecasterManifest = {
      ...rest,
      pipeline: { ...this.pipeline, scalers: series.scalers, staticValues },
      ...(series.conformal ? { conformal: series.conformal } : {}),
    };
    const view = new Forecaster(manifest, this.models);
    this.#views.set(id, view);
    return view;
  }

  /** Forecast the windows starting at `origins` (rows of `frame`). */
  async predictOrigins(
    frame: Frame,
    origins: readonly number[],
    ensemble?: EnsembleStrategy,
  ): Promise<ForecastBatch> {
    const p = this.pipeline;
    if (this.isGlobal) {
      throw new DataError(
        `this is a global model: say which series to forecast (${p.config.idColumn ?? 'the id column'})`,
        { column: p.config.idColumn },
      );
    }
    const { horizon, target, periodMs } = p.config;
    const prepared = prepareFrame(p, frame);
    const batch = buildFeatures(p, prepared, origins);
    const n = batch.origins.length;
    const F = p.layout.nFeatures;
    const features32 = Float32Array.from(batch.features);
    const predictions: Record<string, Float64Array> = {};
    for (const { label, model } of this.models) {
      const out = n === 0 ? new Float32Array(0) : await model.run(features32, n, F);
      predictions[label] = this.inverse(out, n);
    }
    const members = this.models.map((m) => predictions[m.label]!);
    const weights = this.manifest.ensembleWeights;
    const learned = weights && { weights, labels: this.modelLabels, nOut: horizon * target.length };
    const strategy = ensemble ?? this.manifest.ensemble;
    predictions[ENSEMBLE_LABEL] = combine(members, strategy, learned);
    const lastHistory = (o: number) => frame.time[o - 1]!;
    return {
      targets: target,
      horizon,
      origins: batch.origins,
      originTimes: batch.origins.map((o) => lastHistory(o) + periodMs),
      periodMs,
      predictions,
      skipped: batch.skipped,
      ensemble: strategy,
    };
  }

  /**
   * Forecast the window that starts right after the last row with a known target — the usual
   * "what happens next" call. Known-ahead covariates must be present for the `horizon` rows after it.
   */
  async predictLatest(frame: Frame, ensemble?: EnsembleStrategy): Promise<ForecastBatch> {
    const p = this.pipeline;
    const first = frame.columns[p.config.target[0]!];
    if (!first)
      throw new DataError(`missing target column "${p.config.target[0]}"`, { column: p.config.target[0] });
    let origin = first.length;
    while (origin > 0 && !Number.isFinite(first[origin - 1]!)) origin--;
    if (origin < p.config.lookback) {
      throw new DataError(`need at least ${p.config.lookback} rows of history (lookback), got ${origin}`, {
        required: p.config.lookback,
        rows: origin,
      });
    }
    if (p.config.exogenous.length > 0 && origin + p.config.horizon > frame.time.length) {
      throw new DataError(
        `known-ahead covariates ${p.config.exogenous.join(', ')} need ${p.config.horizon} rows after the last target value`,
        { required: p.config.horizon, rows: frame.time.length - origin },
      );
    }
    const batch = await this.predictOrigins(frame, [origin], ensemble);
    if (batch.skipped.length > 0) {
      throw new DataError('the latest window has missing values (NaN) in its history or covariates', {
        origin,
      });
    }
    return batch;
  }

  /**
   * Evaluate on windows whose forecasts start at `startRow` or later (and end before `endRow`),
   * spaced by the pipeline's stride.
   */
  async evaluate(
    frame: Frame,
    startRow: number,
    options: { ensemble?: EnsembleStrategy; endRow?: number } = {},
  ): Promise<EvaluationResult> {
    const { lookback, horizon, stride } = this.pipeline.config;
    const last = options.endRow ?? frame.time.length;
    const origins = originsFrom(frame.time.length, startRow, { lookback, horizon, stride, last });
    const batch = await this.predictOrigins(frame, origins, options.ensemble);
    const actual = actualsFor(frame, this.pipeline, batch.origins);
    const metrics: Record<string, Metrics> = {};
    for (const [label, pred] of Object.entries(batch.predictions))
      metrics[label] = computeMetrics(actual, pred);
    return { batch, actual, metrics };
  }

  /**
   * Symmetric split-conformal intervals around each model's forecasts: ŷ ± the validation split's
   * absolute-residual quantile for that step at each level (0 < level < 1).
   * @throws ModelError when the checkpoint has no conformal table or a level needs more residuals.
   */
  intervals(batch: ForecastBatch, levels: readonly number[]): Intervals {
    const conformal = this.requireConformal();
    const out: Intervals = {};
    for (const [label, values] of Object.entries(batch.predictions)) {
      const table = this.conformalTable(conformal, label, batch.ensemble);
      const nOut = table.quantiles.length;
      out[label] = {};
      for (const level of levels) {
        if (!(level > 0 && level < 1))
          throw new ModelError(`levels must be between 0 and 1, got ${level}`, { level });
        if (level > maxSupportedLevel(table)) {
          throw new ModelError(
            `level ${level} needs more validation residuals than the ${Math.min(...table.n)} stored for "${label}"`,
            { level, model: label },
          );
        }
        const width = Float64Array.from({ length: nOut }, (_, o) =>
          halfWidth(table, conformal.levels, o, level),
        );
        const lower = new Float64Array(values.length);
        const upper = new Float64Array(values.length);
        for (let i = 0; i < values.length; i++) {
          lower[i] = values[i]! - width[i % nOut]!;
          upper[i] = values[i]! + width[i % nOut]!;
        }
        out[label]![levelKey(level)] = { lower, upper };
      }
    }
    return out;
  }

  /** {@link predictLatest} plus conformal intervals at `levels`. */
  async predictInterval(
    frame: Frame,
    levels: readonly number[],
    ensemble?: EnsembleStrategy,
  ): Promise<{ batch: ForecastBatch; intervals: Intervals }> {
    this.requireConformal();
    const batch = await this.predictLatest(frame, ensemble);
    return { batch, intervals: this.intervals(batch, levels) };
  }

  /** Whether the checkpoint carries conformal residuals (so `intervals` can work). */
  get hasIntervals(): boolean {
    return this.manifest.conformal !== undefined;
  }

  /** Frees every model's inference session; later predictions reject. */
  async release(): Promise<void> {
    await Promise.all(this.models.map((m) => m.model.release()));
  }

  /**
   * A model's residual table; for the ensemble, the table of the strategy that combined it. Checkpoints from
   * before per-strategy tables hold one `ensemble` table, used for every strategy as it always was.
   */
  private conformalTable(conformal: Conformal, label: string, strategy: EnsembleStrategy | undefined) {
    if (label === ENSEMBLE_LABEL && strategy !== undefined) {
      const own = conformal.models[ensembleTableKey(strategy)];
      if (own) return own;
      const perStrategy = Object.keys(conformal.models).some((k) => k.startsWith(`${ENSEMBLE_LABEL}:`));
      if (perStrategy && strategy !== this.manifest.ensemble) {
        throw new ModelError(`no conformal residuals for the "${strategy}" ensemble in this checkpoint`, {
          model: label,
          ensemble: strategy,
        });
      }
    }
    const table = conformal.models[label];
    if (!table) throw new ModelError(`no conformal residuals for model "${label}"`, { model: label });
    return table;
  }

  private requireConformal(): Conformal {
    const conformal = this.manifest.conformal;
    if (!conformal) {
      throw new ModelError(
        'this checkpoint has no conformal residuals (it was trained without a validation split)',
        {
          reason: 'no_conformal',
        },
      );
    }
    return conformal;
  }

  private inverse(out: Float32Array, n: number): Float64Array {
    const { horizon, target } = this.pipeline.config;
    const T = target.length;
    const res = new Float64Array(n * horizon * T);
    for (let t = 0; t < T; t++) {
      const scaler = this.pipeline.scalers.target[target[t]!]!;
      const col = new Float64Array(n * horizon);
      for (let i = 0; i < n * horizon; i++) col[i] = out[i * T + t]!;
      const inv = inverseTransform(scaler, col);
      for (let i = 0; i < n * horizon; i++) res[i * T + t] = inv[i]!;
    }
    return res;
  }
}

/** Actual target values laid out [window, step, target] for the given origins. */
export function actualsFor(frame: Frame, p: FittedPipeline, origins: readonly number[]): Float64Array {
  const { horizon, target } = p.config;
  const T = target.length;
  const out = new Float64Array(origins.length * horizon * T);
  for (let t = 0; t < T; t++) {
    const col = frame.columns[target[t]!]!;
    origins.forEach((o, w) => {
      for (let h = 0; h < horizon; h++)
        out[(w * horizon + h) * T + t] = o + h < col.length ? col[o + h]! : Number.NaN;
    });
  }
  return out;
}
