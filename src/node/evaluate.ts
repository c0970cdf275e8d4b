/** Evaluate a checkpoint on a data file; optionally write long-format predictions as CSV. */

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { ConfigError, DataError } from '../runtime/errors.js';
import { parseDateBound } from '../runtime/features/split.js';
import { aggregateFleet, type FleetAggregate, seriesScore } from '../runtime/fleet/fleet-metrics.js';
import type { EvaluationResult, Forecaster, Intervals } from '../runtime/forecaster.js';
import type { Frame } from '../runtime/frame.js';
import { lowerBound } from '../runtime/frame.js';
import type { EnsembleStrategy } from '../runtime/schemas/forecaster-config.js';
import { formatTimestamp } from '../runtime/time-format.js';
import { type MetricsByModel, metricsToJson } from '../runtime/training-result.js';
import { loadForecasterAndSeries } from './load-forecaster.js';
import type { Logger } from './log.js';

/** Checkpoint, data file, test start, interval levels and output of `evaluate`. */
export interface EvaluateOptions {
  checkpoint: string;
  data: string;
  /** First day of the test split; defaults to the one recorded at training. */
  testStart?: string;
  ensemble?: EnsembleStrategy;
  /** Write predictions `origin,timestamp,step,model,prediction,actual[,lower_<level>,upper_<level>…]` here. */
  out?: string;
  /**
   * Conformal interval levels to score (coverage, mean width) and write. Default: `[0.9]` when the
   * checkpoint has a conformal table, none otherwise; asking for levels without one is an error.
   */
  levels?: number[];
  timeFormat?: string;
  version?: number;
  logger?: Logger;
  /** For a global checkpoint: the data's id column when it differs from the checkpoint's. */
  idColumn?: string;
}

/** One series' evaluation. */
export interface SeriesEvaluation {
  test_start: string;
  windows: number;
  points: number;
  /** Metrics keyed by model (and `ensemble`), then metric. */
  metrics: MetricsByModel;
  /** Per model, per level: share of actuals inside the interval and its mean width. */
  intervals?: Record<string, Record<string, { coverage: number; mean_width: number }>>;
}

/** What `evaluate` returns: windows, points, metrics and interval coverage (per series for a global checkpoint). */
export interface EvaluateReport extends SeriesEvaluation {
  checkpoint: string;
  version: number;
  out?: string;
  /** A global checkpoint: each series' evaluation (top-level `metrics` is then the mean over series). */
  series?: Record<string, SeriesEvaluation>;
  aggregate?: FleetAggregate;
}

/**
 * @example
 * const report = await evaluate({ checkpoint: 'checkpoints/etth1', data: 'ETTh1.csv' });
 * console.log(report.metrics.linear.mae);
 */
export async function evaluate(options: EvaluateOptions): Promise<EvaluateReport> {
  const loaded = await loadForecasterAndSeries(options);
  const { forecaster, frame, series } = loaded;
  if (series) {
    if (options.out) {
      throw new ConfigError('--out: writing predictions is for single-series checkpoints', [
        { path: 'out', message: 'not supported for a global checkpoint' },
      ]);
    }
    const perSeries: NonNullable<EvaluateReport['series']> = {};
    const scores = [];
    for (const s of series) {
      const one = await evaluateFrame(forecaster.forSeries(s.id, s.path), s.frame, options);
      perSeries[s.id] = one.report;
      scores.push(seriesScore(s.id, one.result));
    }
    const first = Object.values(perSeries)[0];
    const windows = Object.values(perSeries).reduce((n, r) => n + r.windows, 0);
    const points = Object.values(perSeries).reduce((n, r) => n + r.points, 0);
    return {
      checkpoint: loaded.path,
      version: loaded.version,
      test_start: first?.test_start ?? '',
      windows,
      points,
      metrics: aggregateFleet(scores).mean,
      series: perSeries,
      aggregate: aggregateFleet(scores),
    };
  }
  const one = await evaluateFrame(forecaster, frame!, options);
  const out: EvaluateReport = { checkpoint: loaded.path, version: loaded.version, ...one.report };
  if (options.out) {
    await writePredictionsCsv(options.out, one.result, one.intervals);
    out.out = options.out;
  }
  return out;
}

/** One series' scores from the test start on (the option, else the one recorded at training). */
async function evaluateFrame(forecaster: Forecaster, frame: Frame, options: EvaluateOptions) {
  const config = forecaster.pipeline.config;
  const recorded = forecaster.manifest.trained?.['test_start'];
  const testStart = options.testStart ?? (typeof recorded === 'string' ? recorded : undefined);
  const startRow =
    testStart === undefined
      ? Math.floor(frame.time.length * 0.8)
      : lowerBound(frame.time, parseDateBound(testStart).start);
  if (startRow + config.horizon > frame.time.length) {
    const from = options.testStart
      ? 'given'
      : testStart
        ? 'recorded at training'
        : 'the last fifth of the rows';
    throw new DataError(
      `${options.data}: no test window starts at or after ${testStart ?? 'the test split'} (${from}): ` +
        `the data ends at ${frame.time.length > 0 ? formatTimestamp(frame.time[frame.time.length - 1]!) : '(no rows)'}, and a window ` +
        `needs ${config.horizon} rows; pass --test-start inside the data`,
      { path: options.data, test_start: testStart ?? null },
    );
  }
  const result = await forecaster.evaluate(
    frame,
    startRow,
    options.ensemble === undefined ? {} : { ensemble: options.ensemble },
  );
  const levels = options.levels ?? (forecaster.manifest.conformal ? [0.9] : []);
  const intervals = levels.length > 0 ? forecaster.intervals(result.batch, levels) : undefined;
  const report: SeriesEvaluation = {
    test_start: formatTimestamp(frame.time[startRow] ?? Number.NaN),
    windows: result.batch.origins.length,
    points: result.batch.origins.length * config.horizon * config.target.length,
    metrics: metricsToJson(result.metrics),
  };
  if (intervals) report.intervals = scoreIntervals(intervals, result.actual);
  return { report, result, intervals };
}

/** How a series' intervals were calibrated (pipeline.json `conformal`) and their 90 % coverage on its test split. */
export interface SeriesCalibration {
  /** `split-conformal-absolute-residual` or `cv-plus-absolute-residual`. */
  method: string;
  /** Rolling origins pooled with the validation tail (cv_plus). */
  folds?: number;
  /** 90 % test coverage per model (and `ensemble`). */
  coverage90: Record<string, number>;
}

/** The calibration of `forecaster` (a series' own, or a global model's view) scored on `test`; none without a table. */
export function seriesCalibration(
  forecaster: Forecaster,
  test: EvaluationResult,
): SeriesCalibration | undefined {
  const conformal = forecaster.manifest.conformal;
  if (!conformal) return undefined;
  const scored = scoreIntervals(forecaster.intervals(test.batch, [0.9]), test.actual);
  const coverage90 = Object.fromEntries(
    Object.entries(scored).map(([label, byLevel]) => [label, byLevel['0.9']!.coverage]),
  );
  return {
    method: conformal.method,
    ...(conformal.folds !== undefined ? { folds: conformal.folds } : {}),
    coverage90,
  };
}

/** Empirical coverage (actual within [lower, upper]) and mean width, over finite actuals. */
export function scoreIntervals(
  intervals: Intervals,
  actual: Float64Array,
): NonNullable<EvaluateReport['intervals']> {
  const out: NonNullable<EvaluateReport['intervals']> = {};
  for (const [label, byLevel] of Object.entries(intervals)) {
    out[label] = {};
    for (const [level, { lower, upper }] of Object.entries(byLevel)) {
      let inside = 0;
      let width = 0;
      let n = 0;
      for (let i = 0; i < actual.length; i++) {
        const y = actual[i]!;
        if (!Number.isFinite(y)) continue;
        n++;
        if (y >= lower[i]! && y <= upper[i]!) inside++;
        width += upper[i]! - lower[i]!;
      }
      out[label]![level] = { coverage: inside / n, mean_width: width / n };
    }
  }
  return out;
}

/** Long format, one row per (origin, step, target, model); `model` carries the target when there are several. */
export async function writePredictionsCsv(
  path: string,
  result: EvaluationResult,
  intervals?: Intervals,
): Promise<void> {
  const { batch, actual } = result;
  const levels = intervals ? Object.keys(Object.values(intervals)[0] ?? {}) : [];
  const T = batch.targets.length;
  const stream = createWriteStream(path);
  const write = async (line: string) => {
    if (!stream.write(line)) await once(stream, 'drain');
  };
  const bounds = levels.map((l) => `,lower_${l},upper_${l}`).join('');
  await write(`origin,timestamp,step,model,prediction,actual${bounds}\n`);
  const labels = Object.keys(batch.predictions);
  for (let w = 0; w < batch.origins.length; w++) {
    const originTime = batch.originTimes[w]!;
    const origin = formatTimestamp(originTime - batch.periodMs);
    for (let h = 0; h < batch.horizon; h++) {
      const ts = formatTimestamp(originTime + h * batch.periodMs);
      for (let t = 0; t < T; t++) {
        const i = (w * batch.horizon + h) * T + t;
        for (const label of labels) {
          const model = T > 1 ? `${label}:${batch.targets[t]}` : label;
          const extra = levels
            .map((l) => `,${intervals![label]![l]!.lower[i]},${intervals![label]![l]!.upper[i]}`)
            .join('');
          await write(
            `${origin},${ts},${h + 1},${model},${batch.predictions[label]![i]},${actual[i]}${extra}\n`,
          );
        }
      }
    }
  }
  stream.end();
  await once(stream, 'finish');
}
