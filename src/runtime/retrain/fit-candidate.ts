/**
 * The retraining run's fit, platform-free: the incumbent's recipe retrained on the current window, saved
 * unpromoted, and both scored on the same holdout with the policy's metric. The Workflow runs it as its
 * `fit` step (gbdt.wasm as the backend's kernel); the Node worker calls it with Node's TrainingBackend.
 */
import { loadCheckpoint } from '../checkpoint/checkpoint.js';
import { versionsInKeys } from '../checkpoint/keys.js';
import type { VersionInfo } from '../checkpoint/manifest.js';
import { readVersionInfo } from '../checkpoint/read.js';
import type { CheckpointStore } from '../checkpoint/store.js';
import { metricValue, type RetrainPolicy } from '../flows/decision.js';
import { Forecaster } from '../forecaster.js';
import type { Frame } from '../frame.js';
import { readDataFiles } from '../input/data-files.js';
import { frameFromColumns } from '../input/frame-input.js';
import type { OnnxEngine } from '../onnx/engine.js';
import type { TrainingBackend, TrainingLogger } from '../train/backend.js';
import { checkpointFiles, evaluateModels, fitModels, saveModelCheckpoint } from '../train/training-steps.js';
import { type MetricsByModel, metricsToJson } from '../training-result.js';
import { DEFAULT_HOLDOUT_FRACTION, holdoutStart, type RetrainSpec, specOfIncumbent } from './recipe.js';
import type { DataWindow, FittedCandidate } from './tasks.js';

/** Everything one edge (or Node) fit needs, explicitly. */
export interface FitCandidateInput {
  store: CheckpointStore;
  /** The model's name in the store. */
  model: string;
  /** The incumbent the run decided against: its recipe is retrained, and it is scored on the holdout. */
  incumbentVersion: number;
  /** The window the load step staged: the same keys are read here, once. */
  data: Pick<DataWindow, 'files'>;
  policy: Pick<RetrainPolicy, 'metricKey'>;
  /** Inference engine for validation, conformal tables and both holdout scores. */
  engine: OnnxEngine;
  /**
   * The platform's trainer capabilities (the Worker: `{ gbdtKernel: () => gbdtModule }`; Node: its
   * backend), passed down the fit. @default the installed one (`setTrainingBackend`)
   */
  backend?: TrainingBackend;
  /** Recorded as the candidate's `run_id` (the Workflow passes its instance id). */
  runId: string;
  /** Share of the window's latest rows held out. @default 0.3, as the Node retraining flow */
  holdoutFraction?: number;
  logger?: TrainingLogger;
}

const quiet: TrainingLogger = { info() {}, warn() {}, step() {}, done() {} };

/**
 * Retrains the incumbent's pipeline, models, ensemble and validation share on the rows of `data` before
 * the holdout (the Node flow's rule: the last `holdoutFraction`, cut at whole horizons), evaluates it,
 * saves it as a new version without activating it, and scores the incumbent on the same holdout windows.
 * Promotion is the caller's compare-and-swap (tasks.ts), so a lost race leaves this version unreferenced.
 * Idempotent per `runId`: when a version above the incumbent already records this run id (a retry after
 * the save), that version is reused, not fitted and saved again.
 * @returns small numbers only: the saved version and both values of `policy.metricKey` (null = undefined).
 * @throws CheckpointError when the incumbent is missing or corrupt; DataError naming the field or file
 *   when the window is unusable; ConfigError when the holdout is shorter than the horizon.
 * @example
 * const fitted = await fitCandidate({
 *   store, model: 'feeder-0001', incumbentVersion: 3, data: { files: ['data/recent/feeder-0001/a.csv'] },
 *   policy: { metricKey: 'mae' }, engine, runId: 'feeder-0001_v3_2024-03-01',
 * });
 */
export async function fitCandidate(input: FitCandidateInput): Promise<FittedCandidate> {
  const { store, model, engine } = input;
  const loaded = await loadCheckpoint(store, model, { version: input.incumbentVersion });
  const incumbent = await Forecaster.fromFiles(loaded.files, engine);
  const spec = specOfIncumbent(incumbent, store.describe(model));
  const pipelineConfig = spec.pipelineConfig;
  const columns = await readDataFiles(store, input.data.files);
  const frame = frameFromColumns(columns, pipelineConfig, 'columns', { latestWindow: false });
  const start = holdoutStart({
    currentStart: 0,
    rows: frame.time.length,
    horizon: pipelineConfig.horizon,
    holdoutFraction: input.holdoutFraction ?? DEFAULT_HOLDOUT_FRACTION,
  });
  // A retried fit step whose first attempt got as far as the save finds that candidate and reuses it, so
  // a retry never leaves a second, unpromoted version behind.
  const already = await candidateOfRun(store, model, input.incumbentVersion, input.runId);
  const candidate = already
    ? { version: already.version, metrics: already.metrics }
    : await fitAndSave(input, frame, spec, start);
  const incumbentMetrics = metricsToJson((await incumbent.evaluate(frame, start)).metrics);
  return {
    version: candidate.version,
    candidateMetric: metricValue(candidate.metrics, input.policy.metricKey),
    incumbentMetric: metricValue(incumbentMetrics, input.policy.metricKey),
  };
}

/**
 * The complete version above the incumbent that run `runId` saved (its `_version.json` records the run id),
 * newest first; `undefined` when this run saved none.
 */
export async function candidateOfRun(
  store: CheckpointStore,
  model: string,
  incumbentVersion: number,
  runId: string,
): Promise<VersionInfo | undefined> {
  const above = versionsInKeys(model, await store.list(`${model}/`)).filter((v) => v > incumbentVersion);
  for (const version of above.reverse()) {
    const info = await readVersionInfo(store, model, version);
    if (info?.extra?.['run_id'] === runId) return info;
  }
  return undefined;
}

/** Fits the recipe on the rows before `start`, evaluates it on the rest, saves it unpromoted. */
async function fitAndSave(
  input: FitCandidateInput,
  frame: Frame,
  spec: RetrainSpec,
  start: number,
): Promise<{ version: number; metrics: MetricsByModel }> {
  const { store, model, engine } = input;
  const pipelineConfig = spec.pipelineConfig;
  const fitted = await fitModels({
    frame,
    pipelineConfig,
    models: spec.models,
    split: {
      trainEnd: start,
      testStart: start,
      rule: `current window before row ${start} for training; the last ${frame.time.length - start} rows as holdout`,
    },
    valFraction: spec.valFraction,
    ensemble: spec.ensemble,
    conformal: spec.conformal,
    ...(spec.intervals ? { intervals: spec.intervals } : {}),
    runId: input.runId,
    source: input.data.files.map((k) => store.describe(k)).join(' + '),
    engine,
    log: input.logger ?? quiet,
    ...(input.backend ? { backend: input.backend } : {}),
  });
  const evaluated = await evaluateModels(fitted);
  const files = checkpointFiles(fitted, evaluated);
  const saved = await saveModelCheckpoint(store, model, fitted, evaluated, files, { activate: false });
  return { version: saved.version, metrics: evaluated.metrics };
}
