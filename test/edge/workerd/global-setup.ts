/** Trains a small real checkpoint in Node for the workerd tests and records what Node predicts from it. */
import { readFile, rm } from 'node:fs/promises';
import type { TestProject } from 'vitest/node';
import { FsCheckpointStore } from '../../../src/node/fs-store.js';
import { nodeTrainingBackend } from '../../../src/node/training-backend.js';
import { loadCheckpoint } from '../../../src/runtime/checkpoint/index.js';
import { Forecaster } from '../../../src/runtime/forecaster.js';
import { createOnnxEngine } from '../../../src/runtime/onnx/engine.js';
import { setTrainingBackend } from '../../../src/runtime/train/backend.js';
import { buildServingFixture } from '../fixture.js';
import { buildFleetFixture } from '../fleet-fixture.js';
import { buildGlobalFixture } from '../global-fixture.js';
import { startMlflowStandIn } from '../mlflow-stand-in.js';
import { etth1Frame, testForecasts, trainJob } from '../train-fixture.js';
import { CHECKPOINT_NAME } from './provided.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const fixture = await buildServingFixture();
  const loaded = await loadCheckpoint(new FsCheckpointStore(fixture.root), CHECKPOINT_NAME);
  const forecaster = await Forecaster.fromFiles(loaded.files, createOnnxEngine());
  const batch = await forecaster.predictLatest({
    time: Float64Array.from(fixture.records, (r) => Date.parse(`${r.timestamp}Z`)),
    columns: { net_load: Float64Array.from(fixture.records, (r) => r.net_load) },
  });
  const nodeForecast = Object.fromEntries(
    Object.entries(batch.predictions).map(([label, values]) => [label, Array.from(values)]),
  );
  project.provide('checkpointFiles', fixture.files);
  project.provide('recordsJson', JSON.stringify(fixture.records));
  project.provide('nodeForecast', nodeForecast);
  project.provide('predictedJson', JSON.stringify(fixture.predicted));
  const fleet = await buildFleetFixture(3);
  const { dir: _, root: __, ...shipped } = fleet;
  project.provide('fleetJson', JSON.stringify(shipped));
  const global = await buildGlobalFixture();
  project.provide('globalCheckpointFiles', global.files);
  project.provide('globalRecordsJson', JSON.stringify(global.records));
  project.provide('globalExpectedJson', JSON.stringify(global.expected));
  // Training anywhere: the same ETTh1 slice trained in workerd must give Node's forecasts. Vite's module
  // runner here cannot spawn worker threads, so Node trains single-thread (test/node/train-anywhere.test.ts
  // shows Node's threads give the same bytes).
  const { gbdtThreads: _threads, ...singleThread } = nodeTrainingBackend;
  setTrainingBackend(singleThread);
  const csv = await readFile(new URL('../../../../shared/data/ETTh1.csv', import.meta.url), 'utf8');
  const trainCsv = csv.split('\n', 602).join('\n');
  const trainFrame = etth1Frame(trainCsv);
  project.provide('trainCsv', trainCsv);
  project.provide('trainNodeForecast', await testForecasts(await trainJob(trainFrame), trainFrame));
  // The retraining Workflow's `track` step logs to this recording stand-in for an MLflow server.
  const mlflow = await startMlflowStandIn();
  project.provide('mlflowUri', mlflow.uri);
  return async () => {
    await mlflow.close();
    await rm(fixture.dir, { recursive: true, force: true });
    await rm(fleet.dir, { recursive: true, force: true });
    await rm(global.dir, { recursive: true, force: true });
  };
}
