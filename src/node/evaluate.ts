/** Evaluate a checkpoint on a data file; optionally write long-format predictions as CSV. */

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { DataError } from '../runtime/errors.js';
import { parseDateBound } from '../runtime/features/split.js';
import type { EvaluationResult, Intervals } from '../runtime/forecaster.js';
import { lowerBound } from '../runtime/frame.js';
import type { EnsembleStrategy } from '../runtime/schemas/forecaster-config.js';
import { formatTimestamp } from '../runtime/time-format.js';
import { type MetricsByModel, metricsToJson } from '../runtime/training-result.js';
import { loadForecasterAndData } from './load-forecaster.js';
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
}

/** What `evaluate` returns: windows, points, metrics and interval coverage. */
export interface EvaluateReport {
  checkpoint: string;
  version: number;
  test_start: string;
  windows: number;
  points: number;
  /** Metrics keyed by model (and `ensemble`), then metric. */
  metrics: MetricsByModel;
  /** Per model, per level: share of actuals inside the interval and its mean width. */
  intervals?: Record<string, Record<string, { coverage: number; mean_width: number }>>;
  out?: string;
}

/**
 * @example
 * const report = await evaluate({ checkpoint: 'checkpoints/etth1', data: 'ETTh1.csv' });
 * console.log(report.metrics.linear.mae);
 */
export async function evaluate(options: EvaluateOptions): Promise<EvaluateReport> {
  const loaded = await loadForecasterAndData(options);
  const { forecaster, frame } = loaded;
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
  const out: EvaluateReport = {
    checkpoint: loaded.path,
    version: loaded.version,
    test_start: formatTimestamp(frame.time[startRow] ?? Number.NaN),
    windows: result.batch.origins.length,
    points: result.batch.origins.length * config.horizon * config.target.length,
    metrics: metricsToJson(result.metrics),
  };
  if (intervals) out.intervals = scoreIntervals(intervals, result.actual);
  if (options.out) {
    await writePredictionsCsv(options.out, result, intervals);
    out.out = options.out;
  }
  return out;
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
