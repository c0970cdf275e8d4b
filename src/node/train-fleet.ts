/**
 * Train a fleet: a panel loaded once, then `per_series` (one checkpoint per series under `<name>/<series>/`)
 * or `global` (one model on every series' windows, one checkpoint under `<name>/`). Scores per series and
 * aggregated.
 */
import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { type SaveResult, saveCheckpoint } from '../runtime/checkpoint/checkpoint.js';
import type { CheckpointStore } from '../runtime/checkpoint/store.js';
import { crashPoint } from '../runtime/crash-points.js';
import { trainingDriftReference } from '../runtime/drift/checkpoint-reference.js';
import { DataError } from '../runtime/errors.js';
import { requiredColumns } from '../runtime/features/pipeline.js';
import {
  aggregateFleet,
  type FleetAggregate,
  type SeriesScore,
  seriesScore,
} from '../runtime/fleet/fleet-metrics.js';
import { PIPELINE_FILE } from '../runtime/forecaster-files.js';
import type { Frame } from '../runtime/frame.js';
import { createOnnxEngine, type OnnxEngine } from '../runtime/onnx/engine.js';
import { type FleetStrategy, tuneOptions } from '../runtime/schemas/forecaster-config.js';
import type { TrainConfigInput } from '../runtime/schemas/train-config.js';
import { formatTimestamp } from '../runtime/time-format.js';
import { type MetricsByModel, metricsToJson } from '../runtime/training-result.js';
import type { PanelReport, SkippedSeries } from './data/index.js';
import { type SeriesCalibration, seriesCalibration } from './evaluate.js';
import { fitGlobal, type GlobalFitOptions } from './fit-global.js';
import { fitSeriesJob } from './fit-series.js';
import { type FleetData, loadFleetData } from './fleet-data.js';
import { fitSeriesInThreads } from './fleet-pool.js';
import type { SeriesFit, SeriesJob } from './fleet-thread-api.js';
import { FsCheckpointStore } from './fs-store.js';
import { createLogger, type Logger } from './log.js';
import { encodeReference, finiteOnly } from './training-steps.js';

/** One series' outcome in a fleet run. */
export interface FleetSeriesResult {
  /** The series' own checkpoint (per_series only). */
  checkpoint_path?: string;
  version?: number;
  metrics: MetricsByModel;
  validation_metrics: MetricsByModel;
  train_rows: number;
  test_windows: number;
  test_start: string;
  /** Seconds spent fitting this series (per_series). */
  seconds?: number;
  /** How this series' intervals were calibrated and their 90 % test coverage per model. */
  calibration?: SeriesCalibration;
}

/** What a fleet training run returns: per series, the aggregate, and what was skipped. */
export interface FleetTrainingResult {
  strategy: FleetStrategy;
  name: string;
  id_column: string;
  run_id: string;
  /** The global checkpoint (global only). */
  checkpoint_path?: string;
  version?: number;
  series: Record<string, FleetSeriesResult>;
  /** Test metrics over the fleet: mean per model, volume-weighted MAE / pooled WMAPE, wins. */
  aggregate: FleetAggregate;
  skipped: SkippedSeries[];
  models: Array<{ label: string; kind: string; seconds: number; windows: number }>;
  /** Threads training ran on: series side by side (per_series), or the GBDT's own threads (global: 1 here). */
  threads: number;
  /** Wall-clock seconds: loading the panel, and training + evaluating + saving. */
  seconds: { load: number; train: number };
  data: PanelReport;
}

/** A model of the fleet just saved: a series' checkpoint (per_series) or the global one. */
export interface SavedFleetModel {
  /** Checkpoint name: `<name>/<series>` or `<name>`. */
  name: string;
  /** The series, for a per-series model. */
  series?: string;
  metrics: MetricsByModel;
  validationMetrics: MetricsByModel;
  saved: SaveResult;
  files: Record<string, Uint8Array>;
}

/** A fleet training config, an already-loaded panel, a per-model callback, the logger, engine and store of `trainFleet`. */
export interface TrainFleetOptions {
  config: TrainConfigInput;
  /** The panel already loaded by `loadFleetData` (the flows load it as a task); loaded here when absent. */
  data?: FleetData;
  /** Called after each model is saved, e.g. to track it as its own run. */
  onModel?: (model: SavedFleetModel) => Promise<void>;
  logger?: Logger;
  engine?: OnnxEngine;
  /** Where checkpoints go; a file-system store at `train.checkpointRoot` when absent. */
  store?: CheckpointStore;
}

/**
 * Train every series of a panel by the config's `train.strategy` and save the checkpoint(s).
 * @example
 * const result = await trainFleet({ config: { data: { path: 'stores.csv' }, pipeline: { target: 'y', idColumn: 'unique_id' }, train: { strategy: 'global' } } });
 * console.log(result.aggregate.weighted.linear?.mae, result.aggregate.wins);
 */
export async function trainFleet(options: TrainFleetOptions): Promise<FleetTrainingResult> {
  const log = options.logger ?? createLogger({ totalSteps: 3 });
  const t0 = performance.now();
  log.step('loading panel');
  const data = options.data ?? (await loadFleetData(options.config, log));
  const t1 = performance.now();
  const engine = options.engine ?? createOnnxEngine();
  const store = options.store ?? new FsCheckpointStore(data.config.train.checkpointRoot);
  const runId = randomUUID().replaceAll('-', '');
  log.step(`training ${data.series.length} series (${data.config.train.strategy})`);
  const trained =
    data.config.train.strategy === 'global'
      ? await trainGlobal({ data, engine, store, runId, log, onModel: options.onModel })
      : await trainPerSeries({ data, engine, store, runId, log, onModel: options.onModel });
  log.done();
  return {
    strategy: data.config.train.strategy,
    name: data.config.train.name,
    id_column: data.idColumn,
    run_id: runId,
    ...trained,
    skipped: data.report.skipped,
    seconds: { load: (t1 - t0) / 1000, train: (performance.now() - t1) / 1000 },
    data: data.report,
  };
}

/** What both strategies work with. */
interface FleetRun {
  data: FleetData;
  engine: OnnxEngine;
  store: CheckpointStore;
  runId: string;
  log: Logger;
  onModel?: TrainFleetOptions['onModel'] | undefined;
}

type Trained = Pick<FleetTrainingResult, 'series' | 'aggregate' | 'models' | 'threads'> &
  Partial<Pick<FleetTrainingResult, 'checkpoint_path' | 'version'>>;

async function trainPerSeries({ data, engine, store, runId, log, onModel }: FleetRun): Promise<Trained> {
  const cfg = data.config;
  const threads = Math.min(cfg.train.workers ?? availableParallelism(), data.series.length);
  // Each series' checkpoint is an ordinary single-series one: its requests carry no id column.
  const { idColumn: _id, ...pipelineConfig } = data.pipelineConfig;
  // Series run side by side: a GBDT inside one keeps to one thread.
  const models =
    threads > 1 ? data.models.map((m) => (m.name === 'gbdt' ? { ...m, threads: 1 } : m)) : data.models;
  const jobs: SeriesJob[] = data.series.map((s) => ({
    id: s.id,
    input: {
      frame: s.frame,
      pipelineConfig,
      models,
      split: s.split,
      valFraction: cfg.train.split.valFraction,
      ensemble: cfg.train.ensemble,
      // Each series calibrated by the configured method on its own rows (CV+ refits per series).
      conformal: cfg.train.conformal,
      intervals: cfg.train.intervals,
      tune: tuneOptions(cfg.train),
      runId,
      source: `${data.path} [${data.idColumn}=${s.id}]`,
    },
  }));
  const byId = new Map(data.series.map((s) => [s.id, s]));
  const done = new Map<string, { fit: SeriesFit; result: FleetSeriesResult }>();
  log.info(`per_series: ${jobs.length} series on ${threads} thread${threads === 1 ? '' : 's'}`);
  const save = async (job: SeriesJob, fit: SeriesFit) => {
    const started = performance.now();
    const s = byId.get(job.id)!;
    for (const line of fit.log) log.info(`series ${job.id}: ${line}`);
    const name = `${cfg.train.name}/${job.id}`;
    const saved = await saveCheckpoint(store, name, fit.files, {
      modelType: `ensemble[${fit.labels.join(',')}]`,
      checkpointFile: PIPELINE_FILE,
      metrics: finiteOnly(fit.metrics),
      extra: { run_id: runId, series: job.id },
    });
    crashPoint('fleet.model-saved');
    await onModel?.({
      name,
      series: job.id,
      metrics: fit.metrics,
      validationMetrics: fit.validationMetrics,
      saved,
      files: fit.files,
    });
    done.set(job.id, {
      fit,
      result: {
        checkpoint_path: store.describe(saved.key),
        version: saved.version,
        metrics: fit.metrics,
        validation_metrics: fit.validationMetrics,
        train_rows: s.split.trainEnd,
        test_windows: fit.testWindows,
        test_start: formatTimestamp(s.frame.time[s.split.testStart]!),
        seconds: fit.models.reduce((t, m) => t + m.seconds, 0) + (performance.now() - started) / 1000,
        ...(fit.calibration ? { calibration: fit.calibration } : {}),
      },
    });
  };
  if (threads > 1) await fitSeriesInThreads(jobs, threads, save);
  else for (const job of jobs) await save(job, await fitSeriesJob(job, engine));
  const ordered = data.series.map((s) => done.get(s.id)!);
  return {
    series: Object.fromEntries(ordered.map((d, i) => [data.series[i]!.id, d.result])),
    aggregate: aggregateFleet(ordered.map((d) => d.fit.score)),
    models: ordered[ordered.length - 1]?.fit.models ?? [],
    threads,
  };
}

/**
 * Drift sample size per series of a global model: small, since a fleet of 1,000 series keeps 1,000 of them
 * in one reference.json (~4 MB at 256 per column), yet enough for the per-column tests.
 */
const SERIES_DRIFT_SAMPLES = 256;

/** The training rows of every series end to end, for one pooled drift reference. */
function pooledTrainingRows(
  series: readonly GlobalCheckpointSeries[],
  columns: readonly string[],
): { frame: Frame; rows: number } {
  const rows = series.reduce((n, s) => n + s.trainEnd, 0);
  const time = new Float64Array(rows);
  const values = Object.fromEntries(columns.map((c) => [c, new Float64Array(rows)]));
  let at = 0;
  for (const s of series) {
    time.set(s.frame.time.subarray(0, s.trainEnd), at);
    for (const c of columns) values[c]!.set(s.frame.columns[c]!.subarray(0, s.trainEnd), at);
    at += s.trainEnd;
  }
  return { frame: { time, columns: values }, rows };
}

/** One series of a global checkpoint fit: its rows, training end and test start. */
export interface GlobalCheckpointSeries {
  id: string;
  frame: Frame;
  trainEnd: number;
  testStart: number;
}

/** A global fit, its test scores per series (and aggregated) and its checkpoint files (with the drift samples). */
export interface GlobalCheckpointFit {
  fit: Awaited<ReturnType<typeof fitGlobal>>;
  files: Record<string, Uint8Array>;
  series: Record<string, FleetSeriesResult>;
  aggregate: FleetAggregate;
  validationMean: MetricsByModel;
}

/**
 * Fit one global model on every series before its `trainEnd`, score each series from its `testStart` on,
 * and build the checkpoint files: `train --strategy global` and the retraining of a global checkpoint.
 */
export async function fitGlobalCheckpoint(
  o: Omit<GlobalFitOptions, 'series'> & { series: readonly GlobalCheckpointSeries[] },
): Promise<GlobalCheckpointFit> {
  const fit = await fitGlobal(o);
  const series: Record<string, FleetSeriesResult> = {};
  const scores: SeriesScore[] = [];
  const validationScores: SeriesScore[] = [];
  for (const [i, s] of o.series.entries()) {
    const view = fit.forecaster.forSeries(s.id);
    const test = await view.evaluate(s.frame, s.testStart);
    if (test.batch.origins.length === 0) {
      throw new DataError(
        `series ${s.id}: no complete test window after ${formatTimestamp(s.frame.time[s.testStart]!)}`,
        {
          series: s.id,
        },
      );
    }
    const validation = fit.series[i]!.validation;
    scores.push(seriesScore(s.id, test));
    if (validation) validationScores.push(seriesScore(s.id, validation));
    const calibration = seriesCalibration(view, test);
    series[s.id] = {
      ...(calibration ? { calibration } : {}),
      metrics: metricsToJson(test.metrics),
      validation_metrics: validation ? metricsToJson(validation.metrics) : {},
      train_rows: s.trainEnd,
      test_windows: test.batch.origins.length,
      test_start: formatTimestamp(s.frame.time[s.testStart]!),
    };
  }
  const aggregate = aggregateFleet(scores);
  const validationMean = aggregateFleet(validationScores).mean;
  const columns = requiredColumns(o.pipelineConfig);
  const pooled = pooledTrainingRows(o.series, columns);
  const files = {
    ...fit.files,
    'reference.json': encodeReference(
      o.pipelineConfig.target,
      validationMean,
      aggregate.mean,
      trainingDriftReference(pooled.frame, columns, pooled.rows),
      Object.fromEntries(
        o.series.map((s) => [
          s.id,
          trainingDriftReference(s.frame, columns, s.trainEnd, { maxSamples: SERIES_DRIFT_SAMPLES }),
        ]),
      ),
    ),
  };
  return { fit, files, series, aggregate, validationMean };
}

/** The manifest entry of a global checkpoint: its models, mean test metrics, run and series count. */
export function globalSaveMeta(labels: readonly string[], aggregate: FleetAggregate, runId: string) {
  return {
    modelType: `global[${labels.join(',')}]`,
    checkpointFile: PIPELINE_FILE,
    metrics: finiteOnly(aggregate.mean),
    extra: { run_id: runId, strategy: 'global', series: aggregate.series },
  };
}

async function trainGlobal({ data, engine, store, runId, log, onModel }: FleetRun): Promise<Trained> {
  const cfg = data.config;
  const { fit, files, series, aggregate, validationMean } = await fitGlobalCheckpoint({
    series: data.series.map((s) => ({
      id: s.id,
      frame: s.frame,
      trainEnd: s.split.trainEnd,
      testStart: s.split.testStart,
    })),
    pipelineConfig: data.pipelineConfig,
    models: data.models,
    valFraction: cfg.train.split.valFraction,
    ensemble: cfg.train.ensemble,
    engine,
    logger: log,
    ...(data.statics ? { statics: data.statics.values, staticFeatures: data.statics.features } : {}),
    trained: {
      run_id: runId,
      data: data.path,
      strategy: 'global',
      val_fraction: cfg.train.split.valFraction,
    },
    conformal: cfg.train.conformal,
    tune: tuneOptions(cfg.train),
  });
  const saved = await saveCheckpoint(
    store,
    cfg.train.name,
    files,
    globalSaveMeta(fit.labels, aggregate, runId),
    { activate: true },
  );
  await fit.forecaster.release();
  await onModel?.({
    name: cfg.train.name,
    metrics: aggregate.mean,
    validationMetrics: validationMean,
    saved,
    files,
  });
  return {
    checkpoint_path: store.describe(saved.key),
    version: saved.version,
    series,
    aggregate,
    models: fit.models.map(({ label, kind, seconds, windows }) => ({ label, kind, seconds, windows })),
    // Linear and seasonal naive fit on one thread; the GBDT boosts its outputs on its own threads.
    threads: data.models.some((m) => m.name === 'gbdt')
      ? Math.max(
          ...data.models.map((m) =>
            m.name === 'gbdt' ? (m.threads ?? Math.min(availableParallelism(), 4)) : 1,
          ),
        )
      : 1,
  };
}
