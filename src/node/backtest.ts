/** Rolling-origin backtesting (twiga's ForecasterConfig split_freq / train_size / test_size): refit per fold. */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { z } from 'zod';
import { addDuration, isDuration } from '../runtime/calendar-duration.js';
import { DataError } from '../runtime/errors.js';
import type { EvaluationResult } from '../runtime/forecaster.js';
import { type Frame, lowerBound, sliceFrame } from '../runtime/frame.js';
import { createOnnxEngine, type OnnxEngine } from '../runtime/onnx/engine.js';
import type { EnsembleStrategy } from '../runtime/schemas/forecaster-config.js';
import type { ModelConfig } from '../runtime/schemas/model-config.js';
import { parseWith } from '../runtime/schemas/parse.js';
import type { PipelineConfig } from '../runtime/schemas/pipeline-config.js';
import type { TrainConfigInput } from '../runtime/schemas/train-config.js';
import { formatTimestamp } from '../runtime/time-format.js';
import { type MetricsByModel, metricsToJson } from '../runtime/training-result.js';
import { fitForecaster } from './fit.js';
import { createLogger, type Logger } from './log.js';
import { loadTrainingData } from './training-data.js';

const duration = z
  .string()
  .refine(isDuration, { message: 'expected a duration such as "3M", "1Y", "90D" or "12h"' });

/** Fold sizes of a rolling-origin backtest (twiga's `train_size`, `test_size`, `split_freq`). */
export const BacktestSchema = z
  .object({
    /** Length of each fold's training window. */
    trainSize: duration,
    /** Length of each fold's test window. */
    testSize: duration,
    /** How far the origin moves between folds; defaults to the test size (twiga's split_freq). */
    step: duration.optional(),
    /** Keep every fold's training window starting at the first row (expanding) instead of sliding. */
    expanding: z.boolean().default(false),
    /** Stop after this many folds. */
    maxFolds: z.int().positive().optional(),
  })
  .strict();
export type BacktestInput = z.input<typeof BacktestSchema>;

/** A training config and the backtest's fold sizes. */
export interface BacktestOptions {
  /** Data, pipeline, models and training parameters, as for `train` (the split dates are not used). */
  config: TrainConfigInput;
  backtest: BacktestInput;
  logger?: Logger;
  engine?: OnnxEngine;
}

/** One fold: its train and test bounds, windows and metrics. */
export interface BacktestFold {
  fold: number;
  train_start: string;
  train_end: string;
  test_start: string;
  test_end: string;
  windows: number;
  metrics: MetricsByModel;
}

/** Every fold, and the mean of each metric over the folds. */
export interface BacktestResult {
  folds: BacktestFold[];
  /** Mean over folds of each model's metric (folds where it is null are left out). */
  mean: MetricsByModel;
}

/** Row ranges of each fold: `[trainStart, trainEnd)` then `[trainEnd, testEnd)`. */
export function foldRanges(
  time: Float64Array,
  b: z.output<typeof BacktestSchema>,
): Array<{ trainStart: number; trainEnd: number; testEnd: number }> {
  const out = [];
  const first = time[0]!;
  // The frame is regular: its last row covers one more period.
  const end = time[time.length - 1]! + (time.length > 1 ? time[1]! - time[0]! : 1);
  let origin = first;
  for (let k = 0; b.maxFolds === undefined || k < b.maxFolds; k++) {
    const trainStart = b.expanding ? first : origin;
    const trainEndT = addDuration(origin, b.trainSize);
    const testEndT = addDuration(trainEndT, b.testSize);
    if (testEndT > end) break;
    out.push({
      trainStart: lowerBound(time, trainStart),
      trainEnd: lowerBound(time, trainEndT),
      testEnd: lowerBound(time, testEndT),
    });
    origin = addDuration(origin, b.step ?? b.testSize);
  }
  return out;
}

/**
 * Refit the pipeline and every model on each fold's training window, then score the fold's test
 * window (forecast origins spaced by the pipeline's stride; history may reach back into the training window).
 */
export async function backtest(options: BacktestOptions): Promise<BacktestResult> {
  const b = parseWith(BacktestSchema, options.backtest, 'backtest config', 'backtest');
  const log = options.logger ?? createLogger();
  const { config: cfg, frame, pipelineConfig, models } = await loadTrainingData(options.config, log);
  const engine = options.engine ?? createOnnxEngine();
  const { result } = await backtestFrame({
    frame,
    pipelineConfig,
    models,
    valFraction: cfg.train.split.valFraction,
    ensemble: cfg.train.ensemble,
    backtest: b,
    engine,
    log,
  });
  return result;
}

/** One frame's folds: what `backtest` runs after loading, and a fleet backtest once per series. */
export interface FrameBacktestInput {
  frame: Frame;
  pipelineConfig: PipelineConfig;
  models: readonly ModelConfig[];
  valFraction: number;
  ensemble: EnsembleStrategy;
  backtest: z.output<typeof BacktestSchema>;
  engine: OnnxEngine;
  log: Logger;
}

/**
 * The folds of one frame, refitted and scored.
 * @returns the result and each fold's test evaluation (forecasts and actuals, for fleet aggregates).
 * @throws DataError when no fold fits in the frame.
 */
export async function backtestFrame(
  input: FrameBacktestInput,
): Promise<{ result: BacktestResult; tests: EvaluationResult[] }> {
  const { frame, backtest: b, log } = input;
  const ranges = foldRanges(frame.time, b);
  if (ranges.length === 0) {
    throw new DataError(
      `no complete fold: the data spans ${formatTimestamp(frame.time[0]!)} to ${formatTimestamp(frame.time[frame.time.length - 1]!)}, a fold needs ${b.trainSize} + ${b.testSize}`,
      { trainSize: b.trainSize, testSize: b.testSize },
    );
  }
  const folds: BacktestFold[] = [];
  const tests: EvaluationResult[] = [];
  for (const [k, r] of ranges.entries()) {
    const sub: Frame = sliceFrame(frame, r.trainStart, r.testEnd);
    const trainEnd = r.trainEnd - r.trainStart;
    log.info(
      `fold ${k + 1}/${ranges.length}: train ${formatTimestamp(frame.time[r.trainStart]!)} → test ${formatTimestamp(frame.time[r.trainEnd]!)}`,
    );
    const fit = await fitForecaster({
      frame: sub,
      pipelineConfig: input.pipelineConfig,
      models: input.models,
      trainEnd,
      valFraction: input.valFraction,
      ensemble: input.ensemble,
      engine: input.engine,
      logger: log,
    });
    const test = await fit.forecaster.evaluate(sub, trainEnd);
    await fit.forecaster.release();
    tests.push(test);
    folds.push({
      fold: k + 1,
      train_start: formatTimestamp(frame.time[r.trainStart]!),
      train_end: formatTimestamp(frame.time[r.trainEnd - 1]!),
      test_start: formatTimestamp(frame.time[r.trainEnd]!),
      test_end: formatTimestamp(frame.time[r.testEnd - 1]!),
      windows: test.batch.origins.length,
      metrics: metricsToJson(test.metrics),
    });
  }
  return { result: { folds, mean: meanOverFolds(folds) }, tests };
}

/** Mean of each model's metrics over `folds` (nulls left out). */
export function meanOverFolds(folds: readonly BacktestFold[]): MetricsByModel {
  const sums: Record<string, Record<string, { sum: number; n: number }>> = {};
  for (const fold of folds) {
    for (const [model, m] of Object.entries(fold.metrics)) {
      sums[model] ??= {};
      const byMetric = sums[model];
      for (const [k, v] of Object.entries(m)) {
        byMetric[k] ??= { sum: 0, n: 0 };
        const acc = byMetric[k];
        if (v !== null) {
          acc.sum += v;
          acc.n++;
        }
      }
    }
  }
  const out: MetricsByModel = {};
  for (const [model, m] of Object.entries(sums)) {
    out[model] = Object.fromEntries(Object.entries(m).map(([k, { sum, n }]) => [k, n > 0 ? sum / n : null]));
  }
  return out;
}

/** One row per (fold, model): `fold,train_start,train_end,test_start,test_end,windows,model,<metrics>`. */
export async function writeBacktestCsv(path: string, result: BacktestResult): Promise<void> {
  const metricNames = Object.keys(Object.values(result.folds[0]?.metrics ?? {})[0] ?? {});
  const stream = createWriteStream(path);
  stream.write(`fold,train_start,train_end,test_start,test_end,windows,model,${metricNames.join(',')}\n`);
  for (const f of result.folds) {
    for (const [model, m] of Object.entries(f.metrics)) {
      const values = metricNames.map((k) => m[k] ?? '').join(',');
      stream.write(
        `${f.fold},${f.train_start},${f.train_end},${f.test_start},${f.test_end},${f.windows},${model},${values}\n`,
      );
    }
  }
  stream.end();
  await once(stream, 'finish');
}
