/**
 * `twiga-edge demo`: synthetic net load → the training flow (tracked) → forecast → drift → the retraining
 * flow on the following four weeks, printed as tables.
 */
import { join, resolve } from 'node:path';
import type { MetricsByModel } from '../../runtime/training-result.js';
import { runDrift } from '../drift.js';
import { type FlowEvent, textLogSink } from '../flows/flow-log.js';
import { retrainingFlow } from '../flows/retraining-flow.js';
import { trainingFlow } from '../flows/training-flow.js';
import { predict } from '../predict.js';
import { loadSettings } from '../settings.js';
import { netLoadPipeline, RECENT_DAYS, writeDemoData } from './net-load.js';
import { formatTable } from './table.js';

export interface DemoOptions {
  dir: string;
  days: number;
  json?: boolean;
}

/** Runs `twiga-edge demo`: synthetic data, the training flow, a forecast, a drift check and the retraining flow. */
export async function runDemo(options: DemoOptions): Promise<void> {
  const dir = resolve(options.dir);
  const data = await writeDemoData(dir, options.days);
  process.stderr.write(
    `[twiga-edge] wrote ${data.split} rows of synthetic 30-min net load to ${data.history}\n`,
  );
  // The demo tracks into its own folder, whatever TWIGA_MLFLOW_TRACKING_URI says.
  const settings = await loadSettings();
  const flows = {
    settings,
    trackingUri: join(dir, 'mlruns'),
    experiment: 'twiga-demo',
    reportDir: join(dir, 'reports'),
    log: quietLog(),
  };
  const result = await trainingFlow({
    ...flows,
    runName: 'demo-training',
    dataPath: data.history,
    checkpointDir: join(dir, 'checkpoints'),
    name: 'net-load',
    // Test on the last fifth of the days, starting at midnight so every forecast is a whole day.
    testStart: data.testStart,
    config: {
      pipeline: netLoadPipeline({
        calendar: ['hour', 'day_of_week', 'weekend', 'day_night'],
        exogenous: ['temperature', 'irradiance'],
        latitude: data.series.latitude,
        longitude: data.series.longitude,
      }),
    },
  });
  const forecast = await predict({
    checkpoint: join(dir, 'checkpoints', 'net-load'),
    data: data.tomorrow,
    levels: [0.9],
  });
  const band = forecast.intervals?.['linear']?.['net_load']?.['0.9'];
  const drift = await runDrift({
    reference: join(dir, 'checkpoints', 'net-load'),
    current: data.tomorrow,
    reportDir: join(dir, 'reports'),
  });
  const retraining = await retrainingFlow({
    ...flows,
    runName: 'demo-retraining',
    referencePath: data.history,
    currentPath: data.recent,
    checkpointDir: join(dir, 'checkpoints'),
    name: 'net-load',
  });
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ training: result, forecast, retraining }, null, 2)}\n`);
    return;
  }
  const out: string[] = [];
  out.push(
    `Checkpoint v${result.version} saved to ${result.checkpoint_path} (tracking run ${result.mlflow_run_id})`,
  );
  out.push(
    `Test split: ${result.split.test_windows} day-ahead forecasts from ${result.split.test_start} (${result.split.rule})`,
  );
  out.push(
    '',
    'Test metrics (mae, rmse in MW; wmape, smape in percent; nbias as a fraction):',
    metricsTable(result.metrics),
  );
  out.push(verdict(result.metrics));
  const models = Object.keys(forecast.forecasts);
  const rows = forecast.timestamps
    .map((ts, h) => ({ ts, h }))
    .filter(({ h }) => h % 4 === 0)
    .map(({ ts, h }) => [
      ts.replace('T', ' ').slice(0, 16),
      fmt(data.series.net_load[data.split + h]!),
      ...models.map((m) => fmt(forecast.forecasts[m]!['net_load']![h]!)),
      band ? `${fmt(band.lower[h])} – ${fmt(band.upper[h])}` : '—',
    ]);
  out.push(
    '',
    `Forecast for ${forecast.timestamps[0]!.slice(0, 10)} (every 2 h; "actual" is the held-back synthetic truth):`,
  );
  out.push(formatTable(['time', 'actual', ...models, 'linear 90% interval'], rows));
  const moved = Object.entries(drift.columns)
    .filter(([, c]) => c.drifted)
    .map(([name, c]) => `${name} (${c.method} ${c.score.toPrecision(3)})`);
  out.push(
    '',
    `Drift of the last week against the training data: ${drift.n_drifted} of ${drift.total} columns drifted${moved.length > 0 ? `: ${moved.join(', ')}` : ''}.`,
    `Drift report: ${drift.report_path}`,
  );
  const r = retraining;
  const rows2 = [
    ['candidate (retrained)', fmt(r.candidate_metric)],
    ...(r.incumbent ? [[`incumbent v${r.incumbent.version}`, fmt(r.incumbent_metric)]] : []),
  ];
  out.push(
    '',
    `Retraining flow on the next ${RECENT_DAYS} days (${data.recent}):`,
    `  decision: ${r.retrained ? 'retrain' : 'keep'} (${r.reason}) — ${r.detail}`,
  );
  if (r.retrained) {
    out.push(
      `  ${r.metric_key} on the holdout (the last ${r.holdout.rows / 48} days, from ${r.holdout.start}):`,
      formatTable(['model', r.metric_key], rows2)
        .split('\n')
        .map((l) => `  ${l}`)
        .join('\n'),
      r.promoted
        ? `  promoted: version ${r.version} is now active (${r.checkpoint_path}), run ${r.mlflow_run_id}`
        : '  not promoted: the incumbent stays active',
    );
  }
  out.push(
    '',
    `Tracking: ${join(dir, 'mlruns')} (MLflow file store: mlflow ui --backend-store-uri ${join(dir, 'mlruns')})`,
    `Data and checkpoints are in ${dir}. Try: node dist/node/cli.js versions --checkpoint ${join(dir, 'checkpoints', 'net-load')}`,
  );
  process.stdout.write(`${out.join('\n')}\n`);
}

const fmt = (v: number | null | undefined) =>
  v === null || v === undefined ? '—' : Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(3);

function metricsTable(metrics: MetricsByModel): string {
  const names = ['mae', 'rmse', 'corr', 'nbias', 'wmape', 'smape'];
  const rows = Object.entries(metrics).map(([model, m]) => [model, ...names.map((k) => fmt(m[k]))]);
  return formatTable(['model', ...names], rows);
}

function verdict(metrics: MetricsByModel): string {
  const naive = Object.entries(metrics).filter(([k]) => k.startsWith('seasonal_naive'));
  const linear = metrics['linear']?.['mae'];
  if (naive.length === 0 || linear == null) return '';
  const [bestName, best] = naive.reduce((a, b) =>
    (b[1]['mae'] ?? Infinity) < (a[1]['mae'] ?? Infinity) ? b : a,
  );
  const gain = 100 * (1 - linear / (best['mae'] ?? Number.NaN));
  return `linear MAE is ${gain.toFixed(1)}% below the best seasonal naive (${bestName}).`;
}

/** The flows' structured events as short text lines on stderr, without the task starts. */
function quietLog(): (event: FlowEvent) => void {
  const text = textLogSink();
  return (event) => {
    if (event.event !== 'task.start') text(event);
  };
}
