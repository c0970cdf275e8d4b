// Train on a CSV, then forecast with the saved checkpoint — the Node library in a few lines.
import { evaluate, predict, train, writeDemoData } from 'twiga-edge/node';

const { history, tomorrow } = await writeDemoData('.twiga-example', 90);

const result = await train({
  config: {
    data: { path: history },
    pipeline: {
      target: 'net_load',
      period: '30min',
      horizon: '1D',
      lookback: '7D',
      exogenous: ['temperature', 'irradiance'],
    },
    models: [
      { name: 'seasonal_naive', season: '1D' },
      { name: 'linear', alpha: 1 },
    ],
    train: { checkpointRoot: '.twiga-example/checkpoints', name: 'net-load' },
  },
});
console.log(result.checkpoint_path, result.metrics.linear?.mae);

const report = await evaluate({ checkpoint: '.twiga-example/checkpoints/net-load', data: history });
console.log(report.windows, report.metrics.ensemble?.mae);

const forecast = await predict({ checkpoint: '.twiga-example/checkpoints/net-load', data: tomorrow });
console.log(forecast.timestamps[0], forecast.forecasts.linear?.net_load?.[0]);
