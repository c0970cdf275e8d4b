/** The retraining flows' own tasks, shared by the single-model and fleet flows: load, drift, fit and compare, promote. */
import { basename } from 'node:path';
import { deleteVersion } from '../../runtime/checkpoint/checkpoint.js';
import { promote } from '../../runtime/checkpoint/promote.js';
import type { CheckpointStore } from '../../runtime/checkpoint/store.js';
import {
  type CheckpointReference,
  decodeReference,
  REFERENCE_FILE,
} from '../../runtime/drift/checkpoint-reference.js';
import { ForecastMonitor } from '../../runtime/drift/monitor.js';
import type { DriftReference } from '../../runtime/drift/reference.js';
import type { DriftSummary } from '../../runtime/drift/summary.js';
import { CheckpointError, ConfigError } from '../../runtime/errors.js';
import { requiredColumns } from '../../runtime/features/pipeline.js';
import {
  beatsIncumbent,
  metricValue,
  type RetrainPolicy,
  retrainPolicy,
} from '../../runtime/flows/decision.js';
import type { Forecaster } from '../../runtime/forecaster.js';
import { appendFrame, type Frame, lowerBound } from '../../runtime/frame.js';
import { createOnnxEngine, type OnnxEngine } from '../../runtime/onnx/engine.js';
import { holdoutStart, type RetrainSpec, specOfIncumbent } from '../../runtime/retrain/recipe.js';
import type { TrainConfigInput } from '../../runtime/schemas/train-config.js';
import { type MetricsByModel, metricsToJson } from '../../runtime/training-result.js';
import { loadData, loadPanel } from '../data/index.js';
import { initNodeDriftWasm } from '../drift-wasm.js';
import { FsCheckpointStore } from '../fs-store.js';
import { fileReportSink } from '../report-sink.js';
import { loadTrainingData } from '../training-data.js';
import { checkpointFiles, type Evaluated, type FittedModel } from '../training-steps.js';
import { errorField } from './flow-log.js';
import type { FlowDeps, FlowSetup } from './flow-setup.js';
import type { Incumbent } from './incumbent.js';
import { task } from './task.js';
import { evaluateTask, fitTask, saveCheckpointTask } from './training-tasks.js';

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

/** The rule and location options both retraining flows take. */
export interface RetrainRuleOptions {
  checkpointDir?: string | undefined;
  driftThreshold?: number | undefined;
  performanceThreshold?: number | undefined;
  metricKey?: string | undefined;
  minimize?: boolean | undefined;
}

/** A retraining flow's policy (the settings' rules, overridden by the options), store and engine. */
export function retrainingParts(
  setup: FlowSetup,
  o: RetrainRuleOptions,
  deps: FlowDeps,
): { policy: RetrainPolicy; store: CheckpointStore; engine: OnnxEngine } {
  const { settings } = setup;
  const policy = retrainPolicy({
    ...settings.retrain,
    ...(o.driftThreshold !== undefined ? { driftThreshold: o.driftThreshold } : {}),
    ...(o.performanceThreshold !== undefined ? { performanceThreshold: o.performanceThreshold } : {}),
    ...(o.metricKey !== undefined ? { metricKey: o.metricKey } : {}),
    ...(o.minimize !== undefined ? { minimize: o.minimize } : {}),
  });
  const store = deps.store ?? new FsCheckpointStore(o.checkpointDir ?? settings.model.checkpointDir);
  return { policy, store, engine: deps.engine ?? createOnnxEngine() };
}

/** A candidate fitted before the holdout, and it and the incumbent scored on that same holdout. */
export interface HoldoutComparison {
  candidate: FittedModel;
  evaluated: Evaluated;
  /** The incumbent's metrics on the holdout (null without a loaded incumbent). */
  holdoutMetrics: MetricsByModel | null;
  candidateMetric: number | null;
  incumbentMetric: number | null;
  wins: boolean;
  /** One line saying both metrics and which way is better. */
  verdict: string;
}

/**
 * Fit the spec's pipeline and models on `frame` before `holdoutStart`, score the candidate and the
 * incumbent on the same holdout windows, and decide by the policy whether the candidate wins.
 */
export async function fitAndCompare(
  setup: FlowSetup,
  input: {
    spec: RetrainSpec;
    frame: Frame;
    holdoutStart: number;
    rule: string;
    incumbent: Incumbent;
    policy: RetrainPolicy;
    engine: OnnxEngine;
    source: string;
    tune?: { numTrials: number; seed: number } | undefined;
  },
): Promise<HoldoutComparison> {
  const { log, retry } = setup;
  const { spec, frame, holdoutStart, incumbent, policy } = input;
  const candidate = await fitTask.run(
    {
      frame,
      pipelineConfig: spec.pipelineConfig,
      models: spec.models,
      split: { trainEnd: holdoutStart, testStart: holdoutStart, rule: input.rule },
      valFraction: spec.valFraction,
      ensemble: spec.ensemble,
      conformal: spec.conformal,
      ...(spec.intervals ? { intervals: spec.intervals } : {}),
      tune: input.tune,
      runId: log.flowRunId,
      source: input.source,
      engine: input.engine,
      log: log.logger('fit'),
    },
    log,
    retry,
  );
  const evaluated = await evaluateTask.run(candidate, log, retry);
  const loaded = incumbent.status === 'loaded' ? incumbent : undefined;
  const holdoutMetrics = loaded
    ? await evaluateForecasterTask.run(
        { forecaster: loaded.forecaster, frame, startRow: holdoutStart },
        log,
        retry,
      )
    : null;
  const candidateMetric = metricValue(evaluated.metrics, policy.metricKey);
  const incumbentMetric = holdoutMetrics ? metricValue(holdoutMetrics, policy.metricKey) : null;
  const wins = beatsIncumbent(candidateMetric, loaded ? incumbentMetric : undefined, policy);
  const shown = (x: number | null) => x?.toPrecision(6) ?? 'undefined';
  const verdict = loaded
    ? `candidate ${policy.metricKey} ${shown(candidateMetric)} vs incumbent v${loaded.version} ${shown(incumbentMetric)} on the holdout (${policy.minimize ? 'lower' : 'higher'} is better)`
    : `candidate ${policy.metricKey} ${shown(candidateMetric)} on the holdout; no incumbent to beat`;
  return { candidate, evaluated, holdoutMetrics, candidateMetric, incumbentMetric, wins, verdict };
}

/**
 * Save the candidate inactive, then one compare-and-swap of the manifest against `ifMatch` (the etag
 * read before deciding); a lost race removes the unreferenced version and fails: decide again.
 */
export async function saveAndPromote(
  setup: FlowSetup,
  input: {
    store: CheckpointStore;
    name: string;
    candidate: FittedModel;
    evaluated: Evaluated;
    ifMatch: string | null;
  },
): Promise<{ saved: Awaited<ReturnType<typeof saveCheckpointTask.run>>; files: Record<string, Uint8Array> }> {
  const { log, retry } = setup;
  const { store, name, candidate, evaluated } = input;
  const files = checkpointFiles(candidate, evaluated);
  const saved = await saveCheckpointTask.run(
    { store, name, model: candidate, evaluated, files, activate: false },
    log,
    retry,
  );
  await promoteOrRemove(setup, { store, name, saved, ifMatch: input.ifMatch });
  return { saved, files };
}

/** One compare-and-swap of the manifest to a saved, inactive version; a lost race removes that version and fails. */
export async function promoteOrRemove(
  setup: FlowSetup,
  input: {
    store: CheckpointStore;
    name: string;
    saved: { version: number; key: string };
    ifMatch: string | null;
  },
): Promise<void> {
  const { log, retry } = setup;
  const { store, name, saved } = input;
  try {
    await promoteTask.run({ store, name, version: saved.version, ifMatch: input.ifMatch }, log, retry);
  } catch (error) {
    await deleteVersion(store, name, saved.version).catch((e: unknown) =>
      log.warn(`could not remove the unpromoted version ${saved.key}`, { error: errorField(e) }),
    );
    throw error;
  }
}

/** Load a fleet's panel of recent data once, in the columns and period of the spec. */
export const loadRecentPanelTask = task(
  'load-panel',
  async (input: {
    path: string;
    spec: RetrainSpec;
    idColumn: string;
    melt?: string[] | undefined;
    timeFormat?: string | undefined;
  }) => {
    const pc = input.spec.pipelineConfig;
    return loadPanel(input.path, {
      idColumn: input.idColumn,
      timeColumn: pc.timeColumn,
      columns: requiredColumns(pc),
      period: pc.period,
      melt: input.melt,
      minRows: pc.lookback + pc.horizon,
      ...(input.timeFormat ? { timeFormat: input.timeFormat } : {}),
    });
  },
);

/** A checkpoint's drift samples (reference.json), or undefined when it has none. */
export function checkpointReference(
  files: Record<string, Uint8Array>,
  model: string,
): CheckpointReference | undefined {
  const bytes = files[REFERENCE_FILE];
  return bytes ? decodeReference(bytes, `${model}/${REFERENCE_FILE}`) : undefined;
}

/** Drift of one series' window against its drift samples (a per-series checkpoint's, or a global one's for it). */
export const seriesDriftTask = task(
  'check-drift',
  async (input: {
    reference: DriftReference | undefined;
    frame: Frame;
    columns: string[];
    model: string;
    series?: string | undefined;
  }) => {
    if (!input.reference) {
      const what = input.series === undefined ? '' : ` for series ${input.series}`;
      throw new CheckpointError(
        'CHECKPOINT_NOT_FOUND',
        `${input.model} has no drift reference${what} in ${REFERENCE_FILE}`,
        { model: input.model, ...(input.series === undefined ? {} : { series: input.series }) },
      );
    }
    await initNodeDriftWasm();
    const monitor = new ForecastMonitor({});
    monitor.setReference(input.reference);
    const [, summary] = await monitor.runDataDrift(input.frame.columns, input.columns);
    return summary;
  },
);

/** First holdout row of a window of `rows` rows (whole horizons), or undefined when it leaves no training part. */
export function windowHoldout(
  rows: number,
  pc: { lookback: number; horizon: number },
  holdoutFraction: number,
): number | undefined {
  const start = Math.floor((rows * (1 - holdoutFraction)) / pc.horizon) * pc.horizon;
  return rows - start < pc.horizon || start < pc.lookback + pc.horizon ? undefined : start;
}
