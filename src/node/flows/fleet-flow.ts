/**
 * The training flow over a fleet: the panel loaded once (a task with retries), every model trained and saved
 * by the config's strategy, and one tracking run per model nested under the flow's parent run
 * (`mlflow.parentRunId`, so `mlflow ui` shows them as children).
 */
import { createOnnxEngine } from '../../runtime/onnx/engine.js';
import { parseWith } from '../../runtime/schemas/parse.js';
import { loadFleetData } from '../fleet-data.js';
import { FsCheckpointStore } from '../fs-store.js';
import { logEvaluation, logForecasterMetadata } from '../tracking/steps.js';
import { type FleetTrainingResult, trainFleet } from '../train-fleet.js';
import { errorField } from './flow-log.js';
import { plainOptions, setUpFlow } from './flow-setup.js';
import { startFlowRun, startRunTask } from './run-tasks.js';
import { task } from './task.js';
import { type TrainingFlowOptions, TrainingFlowOptionsSchema, trainConfig } from './training-flow.js';

/** Load and repair the panel file once (each series reported on its own). */
export const loadPanelTask = task(
  'load-panel',
  async (input: { config: Parameters<typeof loadFleetData>[0] }, { log }) =>
    loadFleetData(input.config, log.logger('load-panel')),
);

/** A fleet training run: the fleet's result, the parent run, one child run per model, and totals. */
export interface FleetFlowResult extends FleetTrainingResult {
  /** The parent tracking run. */
  mlflow_run_id: string;
  /** Child run id per model (checkpoint name). */
  runs: Record<string, string>;
  totals: { models: number; series: number; skipped: number };
}

/**
 * Train a fleet (panel data + `train.strategy`) with tracking: one run per model under one parent run.
 * @example
 * const r = await fleetTrainingFlow({ config: { data: { path: 'stores.csv' }, pipeline: { target: 'y', idColumn: 'unique_id' } } });
 * console.log(r.totals, r.aggregate.wins, r.runs);
 */
export async function fleetTrainingFlow(options: TrainingFlowOptions): Promise<FleetFlowResult> {
  const o = parseWith(TrainingFlowOptionsSchema, plainOptions(options), 'training flow options');
  const setup = await setUpFlow('training', o, options);
  const { log, retry } = setup;
  const config = await trainConfig(o, setup.settings.model.checkpointDir);
  log.emit('info', 'flow.start', { message: `fleet training on ${(config.data as { path: string }).path}` });
  const data = await loadPanelTask.run({ config }, log, retry);
  const cfg = data.config;
  const store = options.store ?? new FsCheckpointStore(cfg.train.checkpointRoot);
  const parent = await startFlowRun(setup, {
    runName: o.runName,
    tags: { ...o.tags, 'twiga.fleet.strategy': cfg.train.strategy },
  });
  const runs: Record<string, string> = {};
  try {
    await logForecasterMetadata(parent, {
      data: { path: data.path, ...cfg.data },
      pipeline: data.pipelineConfig,
      models: data.models,
      train: cfg.train,
    });
    const result = await trainFleet({
      config,
      data,
      store,
      engine: options.engine ?? createOnnxEngine(),
      logger: log.logger('fit'),
      onModel: async (model) => {
        const child = await startRunTask.run(
          {
            tracker: setup.tracker,
            options: {
              experiment: setup.experiment,
              runName: model.name,
              tags: {
                'mlflow.parentRunId': parent.runId,
                'twiga.flow': log.flow,
                'twiga.flow_run_id': log.flowRunId,
                ...(model.series ? { 'twiga.series': model.series } : {}),
              },
            },
          },
          log,
          retry,
        );
        await logEvaluation(child, model.metrics);
        await logEvaluation(child, model.validationMetrics, { prefix: 'validation' });
        await child.setTags({
          'twiga.checkpoint.path': store.describe(model.saved.key),
          'twiga.checkpoint.version': String(model.saved.version),
        });
        await child.end('FINISHED');
        runs[model.name] = child.runId;
      },
    });
    await logEvaluation(parent, result.aggregate.mean, { prefix: 'fleet_mean' });
    await logEvaluation(
      parent,
      Object.fromEntries(Object.entries(result.aggregate.weighted).map(([k, v]) => [k, { ...v }])),
      { prefix: 'fleet_weighted' },
    );
    await parent.setTags({ 'twiga.fleet.models': String(Object.keys(runs).length) });
    await parent.end('FINISHED');
    const totals = {
      models: Object.keys(runs).length,
      series: Object.keys(result.series).length,
      skipped: result.skipped.length,
    };
    log.emit('info', 'flow.done', {
      message: `${totals.models} models saved (${totals.skipped} series skipped)`,
    });
    return { ...result, mlflow_run_id: parent.runId, runs, totals };
  } catch (error) {
    await parent
      .end('FAILED')
      .catch((e: unknown) => log.warn(`could not mark run ${parent.runId} FAILED`, { error: errorField(e) }));
    log.emit('error', 'flow.failed', { error: errorField(error) });
    throw error;
  }
}
