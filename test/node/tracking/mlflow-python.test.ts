/** Reads a FileStoreTracker directory back with Python's MlflowClient (skipped when mlflow is not importable). */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileStoreTracker, logEvaluation } from '../../../src/node/tracking/index.js';

const hasMlflow = spawnSync('python3', ['-c', 'import mlflow'], { encoding: 'utf8' }).status === 0;
if (!hasMlflow)
  console.warn('mlflow-python.test.ts skipped: `python3 -c "import mlflow"` failed (mlflow not installed)');

const READ_BACK = `
import json, sys
from mlflow.tracking import MlflowClient
client = MlflowClient(tracking_uri=sys.argv[1])
exp = client.get_experiment_by_name("twiga")
run = client.get_run(sys.argv[2])
print(json.dumps({
  "experiment_id": exp.experiment_id,
  "status": run.info.status,
  "run_name": run.info.run_name,
  "params": run.data.params,
  "metrics": run.data.metrics,
  "tags": {k: v for k, v in run.data.tags.items()},
  "history": [[m.value, m.step] for m in client.get_metric_history(run.info.run_id, "loss")],
  "artifacts": [a.path for a in client.list_artifacts(run.info.run_id)],
}))
`;

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe.skipIf(!hasMlflow)('MlflowClient reads the file store', () => {
  it('sees the experiment, run, params, metrics, tags and artifacts', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'twiga-mlflow-py-'));
    dirs.push(dir);
    const root = path.join(dir, 'mlruns');
    const run = await new FileStoreTracker({ root }).startRun({ experiment: 'twiga', runName: 'py' });
    await run.logParams({ horizon: 48 });
    await run.logMetrics({ loss: 2 }, 0);
    await run.logMetrics({ loss: 1 }, 1);
    await logEvaluation(run, { linear: { mae: 25.3 } });
    await run.logArtifact('report.md', '# hi\n');
    await run.end();
    const out = spawnSync('python3', ['-c', READ_BACK, root, run.runId], { encoding: 'utf8' });
    expect(out.stderr).not.toMatch(/Traceback/u);
    const got = JSON.parse(out.stdout.trim().split('\n').at(-1)!);
    expect(got).toMatchObject({
      experiment_id: run.experimentId,
      status: 'FINISHED',
      run_name: 'py',
      params: { horizon: '48' },
      metrics: { loss: 1, 'linear/mae': 25.3 },
      history: [
        [2, 0],
        [1, 1],
      ],
      artifacts: ['report.md'],
    });
    expect(got.tags['mlflow.runName']).toBe('py');
  });
});
