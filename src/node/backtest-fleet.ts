/** Rolling-origin backtest over a panel: the file loaded once, every series backtested on its own, then aggregated. */
import { writeFile } from 'node:fs/promises';

import { DataError } from '../runtime/errors.js';
import { aggregateFleet, type FleetAggregate, type SeriesScore } from '../runtime/fleet/fleet-metrics.js';
import type { Metrics } from '../runtime/metrics.js';
import { createOnnxEngine } from '../runtime/onnx/engine.js';
import { parseWith } from '../runtime/schemas/parse.js';
import { type BacktestOptions, type BacktestResult, BacktestSchema, backtestFrame } from './backtest.js';
import type { SkippedSeries } from './data/index.js';
import { loadFleetData } from './fleet-data.js';
import { createLogger } from './log.js';

/** A fleet backtest: each series' folds and mean, the fleet aggregate over series, what was skipped. */
export interface FleetBacktestResult {
  id_column: string;
  series: Record<string, BacktestResult>;
  /**
   * Over series, each scored on all its folds: per model the mean of each metric, the volume-weighted MAE and
   * pooled WMAPE, and how many series each model wins.
   */
  aggregate: FleetAggregate;
  /** Series too short to train and test, or with no complete fold. */
  skipped: SkippedSeries[];
}

/**
 * `backtest` for a panel (`pipeline.idColumn`, or `data.melt`): the panel is loaded once, each series gets
 * the same folds by date, and the metrics are reported per series and aggregated.
 * @example
 * const r = await backtestFleet({ config: { data: { path: 'stores.csv' }, pipeline: { target: 'y', idColumn: 'unique_id' } }, backtest: { trainSize: '60D', testSize: '7D' } });
 * console.log(r.aggregate.weighted.linear?.mae, r.aggregate.wins);
 */
export async function backtestFleet(options: BacktestOptions): Promise<FleetBacktestResult> {
  const b = parseWith(BacktestSchema, options.backtest, 'backtest config', 'backtest');
  const log = options.logger ?? createLogger();
  const data = await loadFleetData(options.config, log);
  const engine = options.engine ?? createOnnxEngine();
  const { idColumn: _id, ...pipelineConfig } = data.pipelineConfig;
  const series: Record<string, BacktestResult> = {};
  const scores: SeriesScore[] = [];
  const skipped = [...data.report.skipped];
  for (const s of data.series) {
    let run: Awaited<ReturnType<typeof backtestFrame>>;
    try {
      run = await backtestFrame({
        frame: s.frame,
        pipelineConfig,
        models: data.models,
        valFraction: data.config.train.split.valFraction,
        ensemble: data.config.train.ensemble,
        backtest: b,
        engine,
        log,
      });
    } catch (error) {
      // A series shorter than one fold is reported, not dropped silently; anything else is an error.
      if (!(error instanceof DataError) || !error.message.startsWith('no complete fold')) throw error;
      skipped.push({ id: s.id, rows: s.frame.time.length, reason: error.message });
      continue;
    }
    series[s.id] = run.result;
    let volume = 0;
    for (const test of run.tests) for (const y of test.actual) if (Number.isFinite(y)) volume += Math.abs(y);
    const metrics: Record<string, Metrics> = {};
    for (const [model, m] of Object.entries(run.result.mean)) {
      metrics[model] = Object.fromEntries(
        Object.entries(m).map(([k, v]) => [k, v ?? Number.NaN]),
      ) as unknown as Metrics;
    }
    scores.push({ id: s.id, metrics, volume });
  }
  if (scores.length === 0) {
    throw new DataError(`no series of ${data.path} has a complete fold of ${b.trainSize} + ${b.testSize}`, {
      path: data.path,
      skipped,
    });
  }
  return { id_column: data.idColumn, series, aggregate: aggregateFleet(scores), skipped };
}

/** One row per (series, fold, model): `<id column>,fold,train_start,…,model,<metrics>`. */
export async function writeFleetBacktestCsv(path: string, result: FleetBacktestResult): Promise<void> {
  const first = Object.values(result.series)[0];
  const metricNames = Object.keys(Object.values(first?.folds[0]?.metrics ?? {})[0] ?? {});
  const lines = [
    `${result.id_column},fold,train_start,train_end,test_start,test_end,windows,model,${metricNames.join(',')}`,
  ];
  for (const [id, r] of Object.entries(result.series)) {
    for (const f of r.folds) {
      for (const [model, m] of Object.entries(f.metrics)) {
        const values = metricNames.map((k) => m[k] ?? '').join(',');
        lines.push(
          `${id},${f.fold},${f.train_start},${f.train_end},${f.test_start},${f.test_end},${f.windows},${model},${values}`,
        );
      }
    }
  }
  await writeFile(path, `${lines.join('\n')}\n`);
}
