/**
 * Retraining of a global checkpoint (one model for every series, at `<root>/<name>/`): every series of the
 * panel tested for drift against its own samples in the checkpoint (`series_drift`), one decision for the
 * model, one candidate refitted on the panel before each series' holdout with the incumbent's recipe, both
 * scored per series on the same holdouts and compared on the mean over series, promoted by compare-and-swap.
 */
import { saveCheckpoint } from '../../runtime/checkpoint/checkpoint.js';
import type { CheckpointStore } from '../../runtime/checkpoint/store.js';
import type { DriftSummary } from '../../runtime/drift/summary.js';
import { requiredColumns } from '../../runtime/features/pipeline.js';
import { aggregateFleet, type SeriesScore, seriesScore } from '../../runtime/fleet/fleet-metrics.js';
import {
  beatsIncumbent,
  driftDecision,
  metricValue,
  performanceDecision,
  type RetrainDecision,
  type RetrainPolicy,
} from '../../runtime/flows/decision.js';
import type { Forecaster } from '../../runtime/forecaster.js';
import type { Frame } from '../../runtime/frame.js';
import type { OnnxEngine } from '../../runtime/onnx/engine.js';
import type { MetricsByModel } from '../../runtime/training-result.js';
import { panelActions } from '../data/index.js';
import { logEvaluation } from '../tracking/steps.js';
import { fitGlobalCheckpoint, globalSaveMeta } from '../train-fleet.js';
import type {
  FleetModelRetrainResult,
  FleetRetrainingResult,
  GlobalSeriesRetrainDetail,
} from './fleet-retraining-flow.js';
import { errorField } from './flow-log.js';
import type { FlowSetup } from './flow-setup.js';
import type { Incumbent } from './incumbent.js';
import {
  checkpointReference,
  loadRecentPanelTask,
  promoteOrRemove,
  seriesDriftTask,
  specOfIncumbent,
  windowHoldout,
} from './retraining-tasks.js';
import { startFlowRun } from './run-tasks.js';
import { task } from './task.js';

/** What the global retraining needs from the fleet flow's options. */
export interface GlobalRetrainInput {
  setup: FlowSetup;
  store: CheckpointStore;
  engine: OnnxEngine;
  policy: RetrainPolicy;
  name: string;
  dataPath: string;
  idColumn: string;
  melt?: string[] | undefined;
  timeFormat?: string | undefined;
  holdoutFraction: number;
  runName?: string | undefined;
  tags?: Record<string, string> | undefined;
}

/** A global forecaster scored per series from each series' start row on, and the mean over series. */
async function scorePerSeries(
  forecaster: Forecaster,
  frames: ReadonlyMap<string, Frame>,
  startRow: (id: string) => number,
): Promise<{ series: Record<string, MetricsByModel>; mean: MetricsByModel }> {
  const scores: SeriesScore[] = [];
  for (const [id, frame] of frames)
    scores.push(seriesScore(id, await forecaster.forSeries(id).evaluate(frame, startRow(id))));
  const series = Object.fromEntries(scores.map((s) => [s.id, aggregateFleet([s]).mean] as const)) as Record<
    string,
    MetricsByModel
  >;
  return { series, mean: aggregateFleet(scores).mean };
}

const scoreIncumbentTask = task(
  'evaluate-incumbent',
  (input: {
    forecaster: Forecaster;
    frames: ReadonlyMap<string, Frame>;
    starts: ReadonlyMap<string, number>;
  }) => scorePerSeries(input.forecaster, input.frames, (id) => input.starts.get(id) ?? 0),
);

const fitGlobalTask = task('fit', fitGlobalCheckpoint);

const saveGlobalTask = task(
  'save-checkpoint',
  (input: {
    store: CheckpointStore;
    name: string;
    files: Record<string, Uint8Array>;
    meta: ReturnType<typeof globalSaveMeta>;
  }) => saveCheckpoint(input.store, input.name, input.files, input.meta, { activate: false }),
);

/**
 * The rule for one model over many series: retrain when at least one series drifts by the policy's drift
 * rule; otherwise when the performance rule fires on the incumbent's mean over series.
 */
async function decideGlobal(
  drift: Record<string, DriftSummary>,
  policy: RetrainPolicy,
  evaluateCurrent: () => Promise<MetricsByModel>,
): Promise<{ decision: RetrainDecision; drifted: string[]; currentMetrics: MetricsByModel | null }> {
  const ids = Object.keys(drift);
  const drifted = ids.filter((id) => driftDecision(drift[id]!, policy).retrain);
  if (drifted.length > 0) {
    const detail = `${drifted.length}/${ids.length} series drifted (${drifted.join(', ')}) beyond drift threshold ${policy.driftThreshold}`;
    return { decision: { retrain: true, reason: 'drift', detail }, drifted, currentMetrics: null };
  }
  const currentMetrics = await evaluateCurrent();
  const byPerformance = performanceDecision(metricValue(currentMetrics, policy.metricKey), policy);
  return {
    decision: { ...byPerformance, detail: `no series drifted; mean over series: ${byPerformance.detail}` },
    drifted,
    currentMetrics,
  };
}

/** Retrain the global checkpoint `input.name` whose incumbent is `incumbent` on the panel; one tracking run. */
export async function retrainGlobal(
  input: GlobalRetrainInput,
  incumbent: Extract<Incumbent, { status: 'loaded' }>,
): Promise<FleetRetrainingResult> {
  const { setup, store, policy, name } = input;
  const { log, retry } = setup;
  const forecaster = incumbent.forecaster;
  const spec = specOfIncumbent(forecaster, incumbent.path);
  const pc = spec.pipelineConfig;
  const panel = await loadRecentPanelTask.run(
    { path: input.dataPath, spec, idColumn: input.idColumn, melt: input.melt, timeFormat: input.timeFormat },
    log,
    retry,
  );
  for (const line of panelActions(panel.report)) log.info(line);
  const known = new Set(forecaster.seriesIds);
  const frames = new Map(panel.series.filter((s) => known.has(s.id)).map((s) => [s.id, s.frame]));
  const samples = checkpointReference(incumbent.files, name)?.series_drift ?? {};
  const run = await startFlowRun(setup, {
    runName: input.runName,
    tags: {
      ...input.tags,
      'twiga.fleet.name': name,
      'twiga.fleet.strategy': 'global',
      'twiga.fleet.series': String(frames.size),
    },
  });
  try {
    const result = await decideAndRetrain();
    await run.setTags({ 'twiga.outcome': result.outcome, 'twiga.promoted': String(result.promoted) });
    const totals = {
      models: 1,
      retrained: result.retrained ? 1 : 0,
      promoted: result.outcome === 'promoted' ? 1 : 0,
      kept: result.outcome === 'kept' ? 1 : 0,
      skipped: result.outcome === 'skipped' ? 1 : 0,
      failed: 0,
    };
    await logEvaluation(run, { fleet: { ...totals } }, { prefix: 'retrain' });
    await run.end('FINISHED');
    log.emit('info', 'flow.done', { message: `global retraining of ${name}: ${result.outcome}` });
    return {
      name,
      strategy: 'global',
      id_column: input.idColumn,
      mlflow_run_id: run.runId,
      metric_key: policy.metricKey,
      minimize: policy.minimize,
      models: { [name]: result },
      totals,
      unmatched_series: panel.series.map((s) => s.id).filter((id) => !known.has(id)),
      data: panel.report,
    };
  } catch (error) {
    await run
      .end('FAILED')
      .catch((e: unknown) => log.warn(`could not mark run ${run.runId} FAILED`, { error: errorField(e) }));
    throw error;
  }

  async function decideAndRetrain(): Promise<FleetModelRetrainResult> {
    const missing = forecaster.seriesIds.filter((id) => !frames.has(id));
    const base = {
      series: `${frames.size} series`,
      retrained: false,
      promoted: false,
      drift_summary: null,
      incumbent_version: incumbent.version,
      candidate_metric: null,
      incumbent_metric: null,
      version: null,
      checkpoint_path: null,
      mlflow_run_id: run.runId,
    };
    // A candidate fitted without a series would stop serving it: every series of the incumbent is needed.
    if (missing.length > 0) {
      return {
        ...base,
        outcome: 'skipped',
        reason: 'no_data',
        detail: `no usable rows in ${input.dataPath} for series ${missing.join(', ')} of the global model`,
      };
    }
    const columns = requiredColumns(pc);
    const drift: Record<string, DriftSummary> = {};
    for (const [id, frame] of frames) {
      drift[id] = await seriesDriftTask.run(
        { reference: samples[id], frame, columns, model: name, series: id },
        log,
        retry,
      );
    }
    const { decision, drifted, currentMetrics } = await decideGlobal(
      drift,
      policy,
      async () => (await scoreIncumbentTask.run({ forecaster, frames, starts: new Map() }, log, retry)).mean,
    );
    log.info(`decision: ${decision.detail}`, { task: 'decide' });
    await run.setTags({ 'twiga.retrain.reason': decision.reason });
    if (currentMetrics) await logEvaluation(run, currentMetrics, { prefix: 'incumbent_current' });
    const detailOf = (id: string): GlobalSeriesRetrainDetail => ({
      drifted: drifted.includes(id),
      drift_summary: drift[id]!,
      candidate_metrics: null,
      incumbent_metrics: null,
    });
    const perSeries = () => Object.fromEntries([...frames.keys()].map((id) => [id, detailOf(id)]));
    if (!decision.retrain) {
      return {
        ...base,
        outcome: 'kept',
        reason: decision.reason,
        detail: decision.detail,
        per_series: perSeries(),
      };
    }
    const starts = new Map<string, number>();
    for (const [id, frame] of frames) {
      const start = windowHoldout(frame.time.length, pc, input.holdoutFraction);
      if (start === undefined) {
        return {
          ...base,
          outcome: 'skipped',
          reason: 'no_data',
          detail: `series ${id}: ${frame.time.length} rows: too few for a training part and a ${pc.horizon}-row holdout`,
          per_series: perSeries(),
        };
      }
      starts.set(id, start);
    }
    const statics = forecaster.manifest.global!;
    const candidate = await fitGlobalTask.run(
      {
        series: [...frames].map(([id, frame]) => ({
          id,
          frame,
          trainEnd: starts.get(id)!,
          testStart: starts.get(id)!,
        })),
        pipelineConfig: pc,
        models: spec.models,
        valFraction: spec.valFraction,
        ensemble: spec.ensemble,
        conformal: spec.conformal,
        engine: input.engine,
        logger: log.logger('fit'),
        ...(statics.static_features.length > 0
          ? {
              staticFeatures: statics.static_features,
              statics: Object.fromEntries(statics.series.map((s) => [s.id, s.static])),
            }
          : {}),
        trained: {
          run_id: log.flowRunId,
          data: input.dataPath,
          strategy: 'global',
          val_fraction: spec.valFraction,
        },
      },
      log,
      retry,
    );
    // The candidate's files are all that is saved: its sessions go now.
    await candidate.fit.forecaster.release();
    const holdout = await scoreIncumbentTask.run({ forecaster, frames, starts }, log, retry);
    const candidateMetric = metricValue(candidate.aggregate.mean, policy.metricKey);
    const incumbentMetric = metricValue(holdout.mean, policy.metricKey);
    await logEvaluation(run, candidate.aggregate.mean);
    await logEvaluation(run, holdout.mean, { prefix: 'incumbent' });
    const per_series: Record<string, GlobalSeriesRetrainDetail> = {};
    for (const id of frames.keys()) {
      const metrics = candidate.series[id]!.metrics;
      per_series[id] = {
        ...detailOf(id),
        candidate_metrics: metrics,
        incumbent_metrics: holdout.series[id]!,
      };
      await logEvaluation(run, metrics, { prefix: `series_${id}` });
      await logEvaluation(run, holdout.series[id]!, { prefix: `series_${id}_incumbent` });
    }
    const shown = (x: number | null) => x?.toPrecision(6) ?? 'undefined';
    const verdict = `candidate mean ${policy.metricKey} ${shown(candidateMetric)} vs incumbent v${incumbent.version} ${shown(incumbentMetric)} over ${frames.size} series' holdouts (${policy.minimize ? 'lower' : 'higher'} is better)`;
    const retrained = {
      ...base,
      retrained: true,
      candidate_metric: candidateMetric,
      incumbent_metric: incumbentMetric,
      per_series,
    };
    if (!beatsIncumbent(candidateMetric, incumbentMetric, policy)) {
      return {
        ...retrained,
        outcome: 'kept',
        reason: decision.reason,
        detail: `${decision.detail}; not promoted: ${verdict}`,
      };
    }
    const saved = await saveGlobalTask.run(
      {
        store,
        name,
        files: candidate.files,
        meta: globalSaveMeta(candidate.fit.labels, candidate.aggregate, log.flowRunId),
      },
      log,
      retry,
    );
    await promoteOrRemove(setup, { store, name, saved, ifMatch: incumbent.etag });
    const path = store.describe(saved.key);
    await run.setTags({ 'twiga.checkpoint.path': path, 'twiga.checkpoint.version': String(saved.version) });
    log.info(`${name}: promoted version ${saved.version}: ${verdict}`, { task: 'promote' });
    return {
      ...retrained,
      outcome: 'promoted',
      promoted: true,
      reason: decision.reason,
      detail: `${decision.detail}; promoted: ${verdict}`,
      version: saved.version,
      checkpoint_path: path,
    };
  }
}
