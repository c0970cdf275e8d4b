/**
 * twiga's `training_flow`: load → fit (tune when asked) → evaluate → save checkpoint → log to tracking →
 * publish the markdown metrics table; each step a task with retries and structured logs.
 */
import { z } from 'zod';
import { ConfigError } from '../../runtime/errors.js';
import { createOnnxEngine } from '../../runtime/onnx/engine.js';
import { ENSEMBLE_STRATEGIES, tuneOptions } from '../../runtime/schemas/forecaster-config.js';
import { parseWith } from '../../runtime/schemas/parse.js';
import { normaliseKeys, type TrainConfigInput } from '../../runtime/schemas/train-config.js';
import { formatTimestamp } from '../../runtime/time-format.js';
import type { TrainingResult } from '../../runtime/training-result.js';
import { layerTrainConfig, readConfigFile } from '../cli/train-flags.js';
import { FsCheckpointStore } from '../fs-store.js';
import { checkpointFiles, splitRows, trainingResult } from '../training-steps.js';
import { errorField } from './flow-log.js';
import { CommonFlowOptionsSchema, type FlowDeps, plainOptions, setUpFlow } from './flow-setup.js';
import { metricsTable } from './metrics-table.js';
import { logTrainingTask, publishReportTask, startFlowRun } from './run-tasks.js';
import { evaluateTask, fitTask, loadDataTask, saveCheckpointTask } from './training-tasks.js';

/** twiga's `training_flow` parameters: data, split dates, tuning, tracking, reports. */
export const TrainingFlowOptionsSchema = CommonFlowOptionsSchema.extend({
  /** A training config (data, pipeline, models, train) or the path of its JSON file; the options below override it. */
  config: z.union([z.string().min(1), z.record(z.string(), z.unknown())]).optional(),
  /** CSV, TSV or Parquet file. */
  dataPath: z.string().min(1).optional(),
  /** Time column. */
  dateCol: z.string().min(1).optional(),
  /** Last day of training (inclusive). */
  trainEnd: z.string().min(1).optional(),
  /** First day of the test split (inclusive). */
  testStart: z.string().min(1).optional(),
  /** Tune gbdt models with TPE. */
  tune: z.boolean().optional(),
  numTrials: z.int().positive().optional(),
  ensembleStrategy: z.enum(ENSEMBLE_STRATEGIES).optional(),
  /** Checkpoint root. Default: the config's `train.checkpointRoot`, else TWIGA_MODEL_CHECKPOINT_DIR. */
  checkpointDir: z.string().min(1).optional(),
  /** Checkpoint name. Default: the config's, else `twiga`. */
  name: z.string().min(1).optional(),
}).strict();
/** Options of `trainingFlow`. */
export type TrainingFlowOptions = z.input<typeof TrainingFlowOptionsSchema> & FlowDeps;

/** The flow's options laid over the config file's sections (shared with the fleet flow). */
export async function trainConfig(
  o: z.output<typeof TrainingFlowOptionsSchema>,
  checkpointDir: string,
): Promise<TrainConfigInput> {
  const file =
    typeof o.config === 'string'
      ? await readConfigFile(o.config)
      : ((normaliseKeys(o.config ?? {}) as Record<string, unknown>) ?? {});
  const config = layerTrainConfig(file, {
    data: { path: o.dataPath },
    pipeline: { timeColumn: o.dateCol },
    split: { trainEnd: o.trainEnd, testStart: o.testStart },
    train: { tune: o.tune, numTrials: o.numTrials, ensemble: o.ensembleStrategy, name: o.name },
  });
  const train = config['train'] as Record<string, unknown>;
  train['checkpointRoot'] = o.checkpointDir ?? train['checkpointRoot'] ?? checkpointDir;
  if ((config['data'] as { path?: unknown }).path === undefined) {
    throw new ConfigError('Invalid training flow options:\n  - dataPath: a data file is required', [
      { path: 'dataPath', message: 'a data file is required (or data.path in the config)' },
    ]);
  }
  return config as TrainConfigInput;
}

/**
 * Train, evaluate, checkpoint and track one forecaster.
 * @returns the TrainingResult: `checkpoint_path`, `mlflow_run_id`, `metrics` by model then metric, and
 *   the split, timings, tuning and data report.
 * @throws TaskFailedError naming the task that failed (after its retries), the cause attached.
 * @example
 * const result = await trainingFlow({
 *   config: 'train.json', dataPath: 'load.csv', trainEnd: '2024-05-31', testStart: '2024-06-01',
 *   experiment: 'net-load', runName: 'nightly', reportDir: 'reports',
 * });
 * console.log(result.mlflow_run_id, result.metrics.ensemble?.mae);
 */
export async function trainingFlow(options: TrainingFlowOptions): Promise<TrainingResult> {
  const o = parseWith(TrainingFlowOptionsSchema, plainOptions(options), 'training flow options');
  const setup = await setUpFlow('training', o, options);
  const { log, retry } = setup;
  const config = await trainConfig(o, setup.settings.model.checkpointDir);
  log.emit('info', 'flow.start', { message: `training on ${(config.data as { path: string }).path}` });

  const data = await loadDataTask.run({ config }, log, retry);
  const cfg = data.config;
  const store = options.store ?? new FsCheckpointStore(cfg.train.checkpointRoot);
  const run = await startFlowRun(setup, o);
  try {
    const split = splitRows(data.frame, cfg.train.split);
    const model = await fitTask.run(
      {
        frame: data.frame,
        pipelineConfig: data.pipelineConfig,
        models: data.models,
        split,
        valFraction: cfg.train.split.valFraction,
        ensemble: cfg.train.ensemble,
        conformal: cfg.train.conformal,
        intervals: cfg.train.intervals,
        tune: tuneOptions(cfg.train),
        runId: run.runId,
        source: data.path,
        engine: options.engine ?? createOnnxEngine(),
        log: log.logger('fit'),
      },
      log,
      retry,
    );
    const evaluated = await evaluateTask.run(model, log, retry);
    const files = checkpointFiles(model, evaluated);
    const saved = await saveCheckpointTask.run(
      { store, name: cfg.train.name, model, evaluated, files, activate: true },
      log,
      retry,
    );
    const table =
      metricsTable(
        evaluated.metrics,
        `Test metrics (from ${formatTimestamp(data.frame.time[split.testStart]!)})`,
      ) +
      (Object.keys(evaluated.validationMetrics).length > 0
        ? `\n${metricsTable(evaluated.validationMetrics, 'Validation metrics')}`
        : '');
    await logTrainingTask.run(
      {
        run,
        datasets: [
          {
            path: data.path,
            rows: data.frame.time.length,
            columns: Object.keys(data.frame.columns).length + 1,
            context: 'training',
          },
        ],
        params: {
          data: { path: data.path, ...cfg.data },
          pipeline: data.pipelineConfig,
          models: data.models,
          train: cfg.train,
        },
        model,
        files,
        metrics: { '': evaluated.metrics, validation: evaluated.validationMetrics },
        store,
        saved,
        tags: {},
        artifacts: { 'metrics.md': table },
      },
      log,
      retry,
    );
    const reportPath = setup.reportDir
      ? await publishReportTask.run(
          { dir: setup.reportDir, file: `training-${run.runId}-metrics.md`, content: table },
          log,
          retry,
        )
      : undefined;
    await run.end('FINISHED');
    const result = trainingResult(model, evaluated, saved, store, { ...data.report }, run.runId);
    if (reportPath) result.report_path = reportPath;
    log.emit('info', 'flow.done', {
      message: `version ${saved.version} saved at ${result.checkpoint_path}`,
      mlflow_run_id: run.runId,
    });
    return result;
  } catch (error) {
    await run
      .end('FAILED')
      .catch((e: unknown) => log.warn(`could not mark run ${run.runId} FAILED`, { error: errorField(e) }));
    log.emit('error', 'flow.failed', { error: errorField(error) });
    throw error;
  }
}
