/** Tracking tasks both flows use: open a run, log a trained model to it, publish the metrics table. */
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import type { SaveResult } from '../../runtime/checkpoint/checkpoint.js';
import type { CheckpointStore } from '../../runtime/checkpoint/store.js';
import type { MetricsByModel } from '../../runtime/training-result.js';
import { fileDigest, logDataset, logEvaluation, logForecasterMetadata, logModel } from '../tracking/steps.js';
import type { StartRunOptions, TrackedRun, Tracker } from '../tracking/tracker.js';
import type { FittedModel } from '../training-steps.js';
import type { FlowSetup } from './flow-setup.js';
import { task } from './task.js';

/** Open a tracking run (creating the experiment when missing). */
export const startRunTask = task('start-run', async (input: { tracker: Tracker; options: StartRunOptions }) =>
  input.tracker.startRun(input.options),
);

/** Open the flow's run: its experiment, the run name and tags given, tagged with the flow and its run id. */
export function startFlowRun(
  setup: FlowSetup,
  options: { runName?: string | undefined; tags?: Record<string, string> | undefined },
): Promise<TrackedRun> {
  const { log } = setup;
  return startRunTask.run(
    {
      tracker: setup.tracker,
      options: {
        experiment: setup.experiment,
        ...(options.runName ? { runName: options.runName } : {}),
        tags: { 'twiga.flow': log.flow, 'twiga.flow_run_id': log.flowRunId, ...options.tags },
      },
    },
    log,
    setup.retry,
  );
}

/** A data file a run was trained or tested on. */
export interface RunDataset {
  name?: string;
  path: string;
  rows: number;
  columns: number;
  /** `training`, `evaluation`, … (MLflow's `mlflow.data.context`). */
  context: string;
}

export interface LogTrainingInput {
  run: TrackedRun;
  datasets: RunDataset[];
  /** Config as params (dotted keys). */
  params: Record<string, unknown>;
  model: FittedModel;
  files: Record<string, Uint8Array>;
  /** Metrics by prefix: `''` for the main (test) metrics, `validation`, `incumbent`, … */
  metrics: Record<string, MetricsByModel>;
  store: CheckpointStore;
  saved: SaveResult;
  tags: Record<string, string>;
  /** Extra artifacts by relative path (`metrics.md`, `drift_summary.json`). */
  artifacts: Record<string, string | Uint8Array>;
}

/**
 * twiga's tracking steps for a trained model: datasets (name, shape, source, content digest), forecaster
 * metadata as params, evaluation metrics, the checkpoint's files under `model/`, tags linking the run to
 * the checkpoint version, and the extra artifacts. Safe to retry: params and tags are written with the
 * same values, artifacts overwritten, dataset inputs keyed by digest.
 */
export const logTrainingTask = task('log-run', async (input: LogTrainingInput) => {
  const { run } = input;
  for (const d of input.datasets) {
    await logDataset(run, {
      name: d.name ?? basename(d.path, extname(d.path)),
      shape: [d.rows, d.columns],
      source: d.path,
      digest: await fileDigest(d.path),
      context: d.context,
    });
  }
  await logForecasterMetadata(run, input.params);
  for (const [prefix, metrics] of Object.entries(input.metrics))
    await logEvaluation(run, metrics, prefix === '' ? {} : { prefix });
  await logModel(run, input.files);
  for (const [name, content] of Object.entries(input.artifacts)) await run.logArtifact(name, content);
  await run.setTags({
    ...input.tags,
    'twiga.checkpoint.path': input.store.describe(input.saved.key),
    'twiga.checkpoint.version': String(input.saved.version),
    'twiga.run_id': input.model.input.runId,
  });
});

/** Write a report (the markdown metrics table) into the report folder; returns its absolute path. */
export const publishReportTask = task(
  'publish-report',
  async (input: { dir: string; file: string; content: string }) => {
    const dir = resolve(input.dir);
    await mkdir(dir, { recursive: true });
    const path = join(dir, input.file);
    await writeFile(path, input.content);
    return path;
  },
);
