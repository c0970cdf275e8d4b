/** The retraining flow's own tasks: load both windows, test drift, score a forecaster, promote. */
import { basename } from 'node:path';
import { promote } from '../../runtime/checkpoint/promote.js';
import type { CheckpointStore } from '../../runtime/checkpoint/store.js';
import { ForecastMonitor } from '../../runtime/drift/monitor.js';
import type { DriftSummary } from '../../runtime/drift/summary.js';
import { ConfigError } from '../../runtime/errors.js';
import { requiredColumns } from '../../runtime/features/pipeline.js';
import type { Forecaster } from '../../runtime/forecaster.js';
import { appendFrame, type Frame, lowerBound } from '../../runtime/frame.js';
import { holdoutStart, type RetrainSpec, specOfIncumbent } from '../../runtime/retrain/recipe.js';
import type { TrainConfigInput } from '../../runtime/schemas/train-config.js';
import { type MetricsByModel, metricsToJson } from '../../runtime/training-result.js';
import { loadData } from '../data/index.js';
import { initNodeDriftWasm } from '../drift-wasm.js';
import { fileReportSink } from '../report-sink.js';
import { loadTrainingData } from '../training-data.js';
import { task } from './task.js';

export type { RetrainSpec } from '../../runtime/retrain/recipe.js';
export { specOfIncumbent };

/** Reference and current windows on one grid, and the holdout rows. */
export interface RetrainData {
  spec: RetrainSpec;
  reference: Frame;
  current: Frame;
  /** Reference then current on one grid. */
  all: Frame;
  /** First row of the current window in `all`. */
  currentStart: number;
  /** First holdout row in `all`. */
  holdoutStart: number;
}

/** Load both windows in the columns and period the spec names; join them; place the holdout. */
export const loadWindowsTask = task(
  'load-data',
  async (
    input: {
      referencePath: string;
      currentPath: string;
      incumbentSpec: RetrainSpec | undefined;
      config: TrainConfigInput | undefined;
      holdoutFraction: number;
      timeFormat?: string | undefined;
    },
    { log },
  ): Promise<RetrainData> => {
    const logger = log.logger('load-data');
    let spec = input.incumbentSpec;
    let reference: Frame | undefined;
    if (!spec) {
      if (!input.config) {
        throw new ConfigError(
          'no usable incumbent to take the pipeline and models from, and no training config: pass --config',
          [{ path: 'config', message: 'required when there is no usable incumbent' }],
        );
      }
      // The config's pipeline may leave the period to the data: resolve it on the reference file.
      const data = await loadTrainingData(
        { ...input.config, data: { ...input.config.data, path: input.referencePath } },
        logger,
      );
      spec = {
        pipelineConfig: data.pipelineConfig,
        models: data.models,
        ensemble: data.config.train.ensemble,
        valFraction: data.config.train.split.valFraction,
        conformal: data.config.train.conformal,
        ...(data.config.train.intervals ? { intervals: data.config.train.intervals } : {}),
        from: 'the training config',
      };
      reference = data.frame;
    }
    const pc = spec.pipelineConfig;
    const read = async (path: string) => {
      const { frame, report } = await loadData(path, {
        timeColumn: pc.timeColumn,
        columns: requiredColumns(pc),
        period: pc.period,
        timeFormat: input.timeFormat,
      });
      for (const action of report.actions) logger.info(`${basename(path)}: ${action}`);
      return frame;
    };
    reference ??= await read(input.referencePath);
    const current = await read(input.currentPath);
    const all = appendFrame(reference, current, pc.periodMs);
    const currentStart = lowerBound(all.time, current.time[0]!);
    const holdout = holdoutStart({
      currentStart,
      rows: all.time.length,
      horizon: pc.horizon,
      holdoutFraction: input.holdoutFraction,
    });
    return { spec, reference, current, all, currentStart, holdoutStart: holdout };
  },
);

/** Drift of the current window against the reference, per column (Evidently's default tests, WASM core). */
export const checkDriftTask = task(
  'check-drift',
  async (input: { data: RetrainData; reportDir: string | undefined }): Promise<DriftSummary> => {
    await initNodeDriftWasm();
    const monitor = new ForecastMonitor({}, input.reportDir ? fileReportSink(input.reportDir) : {});
    monitor.setReference(input.data.reference.columns);
    const [, summary] = await monitor.runDataDrift(
      input.data.current.columns,
      requiredColumns(input.data.spec.pipelineConfig),
    );
    return summary;
  },
);

/** A forecaster's metrics over the windows starting at `startRow` of the joined data. */
export const evaluateForecasterTask = task(
  'evaluate-incumbent',
  async (input: { forecaster: Forecaster; frame: Frame; startRow: number }): Promise<MetricsByModel> =>
    metricsToJson((await input.forecaster.evaluate(input.frame, input.startRow)).metrics),
);

/** Make the saved candidate active, only if the manifest is still the one the decision was made against. */
export const promoteTask = task(
  'promote',
  async (input: { store: CheckpointStore; name: string; version: number; ifMatch: string | null }) =>
    promote(input.store, input.name, input.version, { ifMatch: input.ifMatch }),
);
