/** Evaluate a checkpoint on a data file; optionally write long-format predictions as CSV. */

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { parseDateBound } from '../runtime/features/split.js';
import type { EvaluationResult } from '../runtime/forecaster.js';
import { lowerBound } from '../runtime/frame.js';
import type { EnsembleStrategy } from '../runtime/schemas/forecaster-config.js';
import { formatTimestamp } from '../runtime/time-format.js';
import { type MetricsByModel, metricsToJson } from '../runtime/training-result.js';
import { loadForecasterAndData } from './load-forecaster.js';
import type { Logger } from './log.js';

export interface EvaluateOptions {
  checkpoint: string;
  data: string;
  /** First day of the test split; defaults to the one recorded at training. */
  testStart?: string;
  ensemble?: EnsembleStrategy;
  /** Write predictions `origin,timestamp,step,model,prediction,actual` here. */
  out?: string;
  timeFormat?: string;
  version?: number;
  logger?: Logger;
}

export interface EvaluateReport {
  checkpoint: string;
  version: number;
  test_start: string;
  windows: number;
  points: number;
  /** Metrics keyed by model (and `ensemble`), then metric. */
  metrics: MetricsByModel;
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
  const result = await forecaster.evaluate(
    frame,
    startRow,
    options.ensemble === undefined ? {} : { ensemble: options.ensemble },
  );
  const metrics: Record<string, Record<string, number>> = {};
  for (const [model, m] of Object.entries(result.metrics)) {
    const { n: _n, ...rest } = m;
    metrics[model] = rest;
  }
  const out: EvaluateReport = {
    checkpoint: loaded.path,
    version: loaded.version,
    test_start: formatTimestamp(frame.time[startRow] ?? Number.NaN),
    windows: result.batch.origins.length,
    points: result.batch.origins.length * config.horizon * config.target.length,
    metrics: metricsToJson(metrics),
  };
  if (options.out) {
    await writePredictionsCsv(options.out, result);
    out.out = options.out;
  }
  return out;
}

/** Long format, one row per (origin, step, target, model); `model` carries the target when there are several. */
export async function writePredictionsCsv(path: string, result: EvaluationResult): Promise<void> {
  const { batch, actual } = result;
  const T = batch.targets.length;
  const stream = createWriteStream(path);
  const write = async (line: string) => {
    if (!stream.write(line)) await once(stream, 'drain');
  };
  await write('origin,timestamp,step,model,prediction,actual\n');
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
          await write(`${origin},${ts},${h + 1},${model},${batch.predictions[label]![i]},${actual[i]}\n`);
        }
      }
    }
  }
  stream.end();
  await once(stream, 'finish');
}
