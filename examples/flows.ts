// The training flow (tracked in MLflow's file store), then the retraining flow on the next four weeks.
import { retrainingFlow, trainingFlow, writeDemoData } from 'twiga-edge/node';

const { history, recent } = await writeDemoData('.twiga-flows', 60);
const where = {
  checkpointDir: '.twiga-flows/checkpoints',
  name: 'net-load',
  trackingUri: '.twiga-flows/mlruns', // or http(s)://your-mlflow-server
  experiment: 'net-load',
};

const trained = await trainingFlow({
  ...where,
  dataPath: history,
  config: {
    pipeline: {
      target: 'net_load',
      period: '30min',
      horizon: '1D',
      lookback: '7D',
      exogenous: ['temperature', 'irradiance'],
    },
  },
  runName: 'first',
});
console.log(trained.version, trained.mlflow_run_id, trained.metrics.ensemble?.mae);

const result = await retrainingFlow({
  ...where,
  referencePath: history,
  currentPath: recent,
  // After a promotion: POST here with X-API-Key = TWIGA_SERVE_API_KEY (unset: no call).
  // reloadUrl: 'http://127.0.0.1:8000/reload',
});
console.log(
  result.reason,
  result.retrained,
  result.promoted,
  result.candidate_metric,
  result.incumbent_metric,
);
