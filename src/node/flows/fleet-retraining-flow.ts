/**
 * The retraining flow over a per-series fleet: the panel of recent data loaded once, then for every model
 * under `<root>/<name>/` its own decision (drift of its series against the reference stored in its
 * checkpoint, else its own performance; decision.ts), its own candidate, compared with its own incumbent on
 * its own holdout and promoted by compare-and-swap. One child tracking run per model under a parent run.
 */
import { z } from 'zod';
import { listModels } from '../../runtime/checkpoint/models.js';
import type { CheckpointStore } from '../../runtime/checkpoint/store.js';
import type { DriftSummary } from '../../runtime/drift/summary.js';
import { ConfigError } from '../../runtime/errors.js';
import { requiredColumns } from '../../runtime/features/pipeline.js';
import type { RetrainPolicy, RetrainReason } from '../../runtime/flows/decision.js';
import type { Frame } from '../../runtime/frame.js';
import type { OnnxEngine } from '../../runtime/onnx/engine.js';
import { parseWith } from '../../runtime/schemas/parse.js';
import { formatTimestamp } from '../../runtime/time-format.js';
import type { MetricsByModel } from '../../runtime/training-result.js';
import { type PanelReport, panelActions } from '../data/index.js';
import { logEvaluation } from '../tracking/steps.js';
import type { TrackedRun } from '../tracking/tracker.js';
import { errorField } from './flow-log.js';
import {
  CommonFlowOptionsSchema,
  type FlowDeps,
  type FlowSetup,
  plainOptions,
  setUpFlow,
} from './flow-setup.js';
import { retrainGlobal } from './global-retraining.js';
import { type Incumbent, loadIncumbentTask } from './incumbent.js';
import { decide } from './retraining-flow.js';
import {
  checkpointReference,
  evaluateForecasterTask,
  fitAndCompare,
  loadRecentPanelTask,
  type RetrainSpec,
  retrainingParts,
  saveAndPromote,
  seriesDriftTask,
  specOfIncumbent,
  windowHoldout,
} from './retraining-tasks.js';
import { startFlowRun, startRunTask } from './run-tasks.js';

/** Options of `fleetRetrainingFlow`: the fleet, the panel of recent data, the rules. */
export const FleetRetrainingFlowOptionsSchema = CommonFlowOptionsSchema.extend({
  /** Checkpoint root. Default: TWIGA_MODEL_CHECKPOINT_DIR. */
  checkpointDir: z.string().min(1).optional(),
  /** The fleet: every model under `<checkpointDir>/<name>/` (one per series, as `train` saves a per_series fleet). */
  name: z
    .string()
    .regex(/^[A-Za-z0-9._-]+$/, { message: 'use letters, digits, ".", "_" or "-"' })
    .default('twiga'),
  /**
   * The recent window of every series, one panel file (long format by `idColumn`, or wide with `melt`):
   * tested for drift, scored on, and — before its holdout — trained on.
   */
  dataPath: z.string().min(1),
  /** Column naming the series. @default 'unique_id' */
  idColumn: z.string().min(1).default('unique_id'),
  /** Wide file: these columns are the series (melted as `train --melt` does). */
  melt: z.array(z.string().min(1)).min(1).optional(),
  driftThreshold: z.number().min(0).max(1).optional(),
  performanceThreshold: z.number().optional(),
  metricKey: z.string().min(1).optional(),
  minimize: z.boolean().optional(),
  /** Share of each series' window (its latest rows) held out to compare candidate and incumbent. */
  holdoutFraction: z.number().gt(0).lt(1).default(0.3),
  timeFormat: z.string().min(1).optional(),
}).strict();
/** Options of `fleetRetrainingFlow`. */
export type FleetRetrainingFlowOptions = z.input<typeof FleetRetrainingFlowOptionsSchema> & FlowDeps;

/** What happened to one model. */
export type FleetModelOutcome = 'promoted' | 'kept' | 'skipped' | 'failed';

/** One model's retraining result. */
export interface FleetModelRetrainResult {
  outcome: FleetModelOutcome;
  series: string;
  retrained: boolean;
  promoted: boolean;
  reason: RetrainReason | 'no_data' | 'error';
  detail: string;
  drift_summary: DriftSummary | null;
  incumbent_version: number | null;
  candidate_metric: number | null;
  incumbent_metric: number | null;
  /** The promoted version and its folder. */
  version: number | null;
  checkpoint_path: string | null;
  /** The model's child run (absent for a skipped model). */
  mlflow_run_id: string | null;
  error?: { name: string; message: string };
  /** A global model: each series' drift and, when retrained, candidate and incumbent holdout metrics. */
  per_series?: Record<string, GlobalSeriesRetrainDetail>;
}

/** One series of a global model's retraining. */
export interface GlobalSeriesRetrainDetail {
  drifted: boolean;
  drift_summary: DriftSummary;
  candidate_metrics: MetricsByModel | null;
  incumbent_metrics: MetricsByModel | null;
}

/** A fleet retraining run: one result per model and the totals. */
export interface FleetRetrainingResult {
  name: string;
  /** `per_series`: one result per model under `<name>/`; `global`: the one model at `<name>`. */
  strategy: 'per_series' | 'global';
  id_column: string;
  /** The parent tracking run. */
  mlflow_run_id: string;
  metric_key: string;
  minimize: boolean;
  models: Record<string, FleetModelRetrainResult>;
  totals: {
    models: number;
    retrained: number;
    promoted: number;
    kept: number;
    skipped: number;
    failed: number;
  };
  /** Series of the panel that no model of the fleet is for (not trained here: run `train` for them). */
  unmatched_series: string[];
  data: PanelReport;
}

const empty = (series: string) => ({
  series,
  retrained: false,
  promoted: false,
  drift_summary: null,
  incumbent_version: null,
  candidate_metric: null,
  incumbent_metric: null,
  version: null,
  checkpoint_path: null,
  mlflow_run_id: null,
});

interface ModelContext {
  setup: FlowSetup;
  store: CheckpointStore;
  engine: OnnxEngine;
  policy: RetrainPolicy;
  spec: RetrainSpec;
  holdoutFraction: number;
  dataPath: string;
}

/** Decide, and when it says so retrain, compare and promote one model, logging into its child `run`. */
async function retrainModel(
  c: ModelContext,
  model: string,
  series: string,
  incumbent: Incumbent,
  frame: Frame,
  run: TrackedRun,
): Promise<FleetModelRetrainResult> {
  const { setup, store, policy } = c;
  const { log, retry } = setup;
  const spec = incumbent.status === 'loaded' ? specOfIncumbent(incumbent.forecaster, incumbent.path) : c.spec;
  const pc = spec.pipelineConfig;
  const drift =
    incumbent.status === 'loaded'
      ? await seriesDriftTask.run(
          {
            reference: checkpointReference(incumbent.files, model)?.drift,
            frame,
            columns: requiredColumns(pc),
            model,
          },
          log,
          retry,
        )
      : null;
  // A corrupt incumbent has no reference to test against: it is replaced (by a candidate on the fleet's spec).
  const { decision, currentMetrics } = drift
    ? await decide(
        drift,
        incumbent,
        (forecaster) => evaluateForecasterTask.run({ forecaster, frame, startRow: 0 }, log, retry),
        policy,
        log,
      )
    : {
        decision: {
          retrain: true,
          reason: 'corrupt_incumbent' as const,
          detail: `the incumbent is ${incumbent.status}: ${'message' in incumbent ? incumbent.message : ''}`,
        },
        currentMetrics: null,
      };
  const version = incumbent.status === 'loaded' ? incumbent.version : null;
  const base = {
    ...empty(series),
    drift_summary: drift,
    incumbent_version: version,
    mlflow_run_id: run.runId,
  };
  await run.setTags({ 'twiga.retrain.reason': decision.reason, 'twiga.series': series });
  if (currentMetrics) await logEvaluation(run, currentMetrics, { prefix: 'incumbent_current' });
  if (!decision.retrain) {
    return { ...base, outcome: 'kept', reason: decision.reason, detail: decision.detail };
  }
  const n = frame.time.length;
  const holdoutStart = windowHoldout(n, pc, c.holdoutFraction);
  if (holdoutStart === undefined) {
    return {
      ...base,
      outcome: 'skipped',
      reason: 'no_data',
      detail: `${n} rows: too few for a training part and a ${pc.horizon}-row holdout`,
    };
  }
  const holdoutFrom = formatTimestamp(frame.time[holdoutStart]!);
  const { candidate, evaluated, holdoutMetrics, candidateMetric, incumbentMetric, wins, verdict } =
    await fitAndCompare(setup, {
      spec,
      frame,
      holdoutStart,
      rule: `window before ${holdoutFrom}; holdout after`,
      incumbent,
      policy,
      engine: c.engine,
      source: `${c.dataPath} [${series}]`,
    });
  await logEvaluation(run, evaluated.metrics);
  if (holdoutMetrics) await logEvaluation(run, holdoutMetrics, { prefix: 'incumbent' });
  const retrained = {
    ...base,
    retrained: true,
    candidate_metric: candidateMetric,
    incumbent_metric: incumbentMetric,
  };
  await candidate.fit.forecaster.release();
  if (!wins) {
    return {
      ...retrained,
      outcome: 'kept',
      reason: decision.reason,
      detail: `${decision.detail}; not promoted: ${verdict} from ${holdoutFrom}`,
    };
  }
  const { saved } = await saveAndPromote(setup, {
    store,
    name: model,
    candidate,
    evaluated,
    ifMatch: incumbent.etag,
  });
  const path = store.describe(saved.key);
  await run.setTags({ 'twiga.checkpoint.path': path, 'twiga.checkpoint.version': String(saved.version) });
  log.info(`${model}: promoted version ${saved.version}: ${verdict}`, { task: 'promote' });
  return {
    ...retrained,
    outcome: 'promoted',
    promoted: true,
    reason: decision.reason,
    detail: `${decision.detail}; promoted: ${verdict} from ${holdoutFrom}`,
    version: saved.version,
    checkpoint_path: path,
  };
}

/**
 * Run the retraining decision for every model of a per-series fleet on one panel of recent data, each
 * model on its own series against its own incumbent; a model that fails (corrupt data, lost promotion
 * race) fails alone and is counted. Promotions are picked up by servers through their manifest polls.
 * @example
 * const r = await fleetRetrainingFlow({ checkpointDir: 'checkpoints', name: 'feeders', dataPath: 'last-month.csv', idColumn: 'unique_id' });
 * console.log(r.totals); // { models: 7, retrained: 4, promoted: 3, kept: 4, skipped: 0, failed: 0 }
 */
export async function fleetRetrainingFlow(
  options: FleetRetrainingFlowOptions,
): Promise<FleetRetrainingResult> {
  const o = parseWith(
    FleetRetrainingFlowOptionsSchema,
    plainOptions(options),
    'fleet retraining flow options',
  );
  const setup = await setUpFlow('retraining', o, options);
  const { log, retry } = setup;
  const { policy, store, engine } = retrainingParts(setup, o, options);
  log.emit('info', 'flow.start', {
    message: `fleet retraining of ${store.describe(o.name)} on ${o.dataPath}`,
    policy,
  });
  try {
    // A global checkpoint lists itself under its own prefix: only deeper names are per-series models.
    const listed = await listModels(store, `${o.name}/`);
    const names = listed.filter((m) => m.startsWith(`${o.name}/`));
    if (names.length === 0 && listed.includes(o.name)) {
      const incumbent = await loadIncumbentTask.run({ store, name: o.name, engine }, log, retry);
      if (incumbent.status !== 'loaded' || !incumbent.forecaster.isGlobal) {
        throw new ConfigError(
          `${store.describe(o.name)} is ${incumbent.status === 'loaded' ? 'a single-series checkpoint: retrain it with --reference and --current' : `${incumbent.status}: ${incumbent.message}`}`,
          [{ path: 'name', message: 'not a loadable global checkpoint' }],
        );
      }
      return await retrainGlobal({ ...o, setup, store, engine, policy }, incumbent);
    }
    if (names.length === 0) {
      throw new ConfigError(
        `no models under ${store.describe(o.name)}/: train the fleet first (strategy per_series)`,
        [{ path: 'name', message: `no models under ${o.name}/` }],
      );
    }
    const incumbents = new Map<string, Incumbent>();
    for (const name of names)
      incumbents.set(name, await loadIncumbentTask.run({ store, name, engine }, log, retry));
    const first = [...incumbents.values()].find((i) => i.status === 'loaded');
    if (first?.status !== 'loaded') {
      throw new ConfigError(
        `no model under ${store.describe(o.name)}/ loads: nothing to take the pipeline from`,
        [{ path: 'name', message: 'every model is missing or corrupt' }],
      );
    }
    // Every model of a per-series fleet shares one pipeline: the first that loads gives the panel's columns.
    const spec = specOfIncumbent(first.forecaster, first.path);
    const panel = await loadRecentPanelTask.run(
      { path: o.dataPath, spec, idColumn: o.idColumn, melt: o.melt, timeFormat: o.timeFormat },
      log,
      retry,
    );
    for (const line of panelActions(panel.report)) log.info(line);
    const frames = new Map(panel.series.map((s) => [s.id, s.frame]));
    const parent = await startFlowRun(setup, {
      runName: o.runName,
      tags: { ...o.tags, 'twiga.fleet.name': o.name, 'twiga.fleet.models': String(names.length) },
    });
    const context: ModelContext = {
      setup,
      store,
      engine,
      policy,
      spec,
      holdoutFraction: o.holdoutFraction,
      dataPath: o.dataPath,
    };
    const models: Record<string, FleetModelRetrainResult> = {};
    try {
      for (const name of names) {
        const series = name.slice(o.name.length + 1);
        const frame = frames.get(series);
        if (!frame) {
          const skipped = panel.report.skipped.find((s) => s.id === series);
          models[name] = {
            ...empty(series),
            outcome: 'skipped',
            reason: 'no_data',
            detail: skipped
              ? `series skipped by the load: ${skipped.reason}`
              : `no rows for series "${series}" in ${o.dataPath}`,
          };
          continue;
        }
        const run = await startRunTask.run(
          {
            tracker: setup.tracker,
            options: {
              experiment: setup.experiment,
              runName: name,
              tags: {
                'mlflow.parentRunId': parent.runId,
                'twiga.flow': log.flow,
                'twiga.flow_run_id': log.flowRunId,
              },
            },
          },
          log,
          retry,
        );
        try {
          models[name] = await retrainModel(context, name, series, incumbents.get(name)!, frame, run);
          await run.setTags({
            'twiga.outcome': models[name].outcome,
            'twiga.promoted': String(models[name].promoted),
          });
          await run.end('FINISHED');
        } catch (error) {
          log.warn(`${name} failed; the other models go on`, { error: errorField(error) });
          const field = errorField(error);
          models[name] = {
            ...empty(series),
            outcome: 'failed',
            reason: 'error',
            detail: field.message,
            mlflow_run_id: run.runId,
            error: { name: field.name, message: field.message },
          };
          await run.setTags({ 'twiga.outcome': 'failed' });
          await run.end('FAILED');
        }
      }
      const results = Object.values(models);
      const count = (outcome: FleetModelOutcome) => results.filter((r) => r.outcome === outcome).length;
      const totals = {
        models: results.length,
        retrained: results.filter((r) => r.retrained).length,
        promoted: count('promoted'),
        kept: count('kept'),
        skipped: count('skipped'),
        failed: count('failed'),
      };
      await logEvaluation(parent, { fleet: { ...totals } }, { prefix: 'retrain' });
      await parent.end('FINISHED');
      log.emit('info', 'flow.done', { message: `fleet retraining: ${JSON.stringify(totals)}` });
      const known = new Set(names.map((n) => n.slice(o.name.length + 1)));
      return {
        name: o.name,
        strategy: 'per_series',
        id_column: o.idColumn,
        mlflow_run_id: parent.runId,
        metric_key: policy.metricKey,
        minimize: policy.minimize,
        models,
        totals,
        unmatched_series: panel.series.map((s) => s.id).filter((id) => !known.has(id)),
        data: panel.report,
      };
    } catch (error) {
      await parent
        .end('FAILED')
        .catch((e: unknown) =>
          log.warn(`could not mark run ${parent.runId} FAILED`, { error: errorField(e) }),
        );
      throw error;
    }
  } catch (error) {
    log.emit('error', 'flow.failed', { error: errorField(error) });
    throw error;
  }
}
