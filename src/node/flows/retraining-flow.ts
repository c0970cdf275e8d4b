/**
 * twiga's `retraining_flow`: drift of the current window against the reference → retrain when the drifted
 * share is above the threshold, else evaluate the incumbent and retrain only when it breaches the
 * performance threshold → promote the candidate only if it beats the incumbent on the holdout → save it
 * (compare-and-swap against the manifest the decision was made on), log the run, POST /reload.
 */
import { z } from 'zod';
import type { CheckpointStore } from '../../runtime/checkpoint/store.js';
import type { DriftSummary } from '../../runtime/drift/summary.js';
import {
  driftDecision,
  metricValue,
  performanceDecision,
  type RetrainDecision,
  type RetrainPolicy,
} from '../../runtime/flows/decision.js';
import type { RetrainingResult } from '../../runtime/flows/retraining-result.js';
import type { Forecaster } from '../../runtime/forecaster.js';
import { parseWith } from '../../runtime/schemas/parse.js';
import { normaliseKeys, type TrainConfigInput } from '../../runtime/schemas/train-config.js';
import { formatTimestamp } from '../../runtime/time-format.js';
import type { MetricsByModel } from '../../runtime/training-result.js';
import { readConfigFile } from '../cli/train-flags.js';
import type { Evaluated, FittedModel } from '../training-steps.js';
import { errorField, type FlowLog } from './flow-log.js';
import {
  CommonFlowOptionsSchema,
  type FlowDeps,
  type FlowSetup,
  plainOptions,
  setUpFlow,
} from './flow-setup.js';
import { type Incumbent, loadIncumbentTask } from './incumbent.js';
import { metricsTable } from './metrics-table.js';
import { type ReloadOutcome, reloadTask } from './reload.js';
import {
  checkDriftTask,
  evaluateForecasterTask,
  fitAndCompare,
  loadWindowsTask,
  type RetrainData,
  retrainingParts,
  saveAndPromote,
  specOfIncumbent,
} from './retraining-tasks.js';
import { logTrainingTask, publishReportTask, startFlowRun } from './run-tasks.js';

/** twiga's `retraining_flow` parameters: reference and current data, thresholds, holdout, reload URL. */
export const RetrainingFlowOptionsSchema = CommonFlowOptionsSchema.extend({
  /** The data the incumbent was trained on (or any window taken as normal): CSV, TSV or Parquet. */
  referencePath: z.string().min(1),
  /** The recent window to test for drift, evaluate on and (partly) retrain on. */
  currentPath: z.string().min(1),
  /** Checkpoint root. Default: TWIGA_MODEL_CHECKPOINT_DIR. */
  checkpointDir: z.string().min(1).optional(),
  /** Checkpoint name: the incumbent is `<checkpointDir>/<name>`. */
  name: z
    .string()
    .regex(/^[A-Za-z0-9._-]+$/, { message: 'use letters, digits, ".", "_" or "-"' })
    .default('twiga'),
  /** The serving API's `/reload`, POSTed after a promotion. Default: TWIGA_SERVE_RELOAD_URL (unset = none). */
  reloadUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** Default: TWIGA_RETRAIN_DRIFT_THRESHOLD (0.5). */
  driftThreshold: z.number().min(0).max(1).optional(),
  /** Default: TWIGA_RETRAIN_PERFORMANCE_THRESHOLD (unset = decide on drift alone). */
  performanceThreshold: z.number().optional(),
  /** Default: TWIGA_RETRAIN_METRIC_KEY (`mae`, the ensemble's). */
  metricKey: z.string().min(1).optional(),
  /** Default: TWIGA_RETRAIN_MINIMIZE (true). */
  minimize: z.boolean().optional(),
  /** Share of the current window (its latest rows) held out to compare candidate and incumbent. */
  holdoutFraction: z.number().gt(0).lt(1).default(0.3),
  /**
   * A training config (or its JSON file) for when there is no usable incumbent to take the pipeline and
   * models from: the first run, or a corrupt checkpoint.
   */
  config: z.union([z.string().min(1), z.record(z.string(), z.unknown())]).optional(),
  /** Tune gbdt models again with TPE. */
  tune: z.boolean().default(false),
  numTrials: z.int().positive().default(20),
  /** strptime pattern of both files' time column (auto-detected when absent). */
  timeFormat: z.string().min(1).optional(),
}).strict();
/** Options of `retrainingFlow`. */
export type RetrainingFlowOptions = z.input<typeof RetrainingFlowOptionsSchema> &
  FlowDeps & {
    /** fetch for the reload call. Default: the global one. */
    fetch?: typeof fetch;
  };

/** The two first steps of twiga's decision; `incumbentMetric` is evaluated only when drift did not decide. */
export async function decide(
  drift: DriftSummary,
  incumbent: Incumbent,
  evaluateCurrent: (forecaster: Forecaster) => Promise<MetricsByModel>,
  policy: RetrainPolicy,
  log: FlowLog,
): Promise<{ decision: RetrainDecision; currentMetrics: MetricsByModel | null }> {
  const byDrift = driftDecision(drift, policy);
  if (byDrift.retrain) return { decision: byDrift, currentMetrics: null };
  if (incumbent.status !== 'loaded') {
    const missing = incumbent.status === 'missing';
    return {
      decision: {
        retrain: true,
        reason: missing ? 'no_incumbent' : 'corrupt_incumbent',
        detail: `${byDrift.detail}; ${missing ? 'no incumbent to evaluate' : 'the incumbent is corrupt'}`,
      },
      currentMetrics: null,
    };
  }
  const currentMetrics = await evaluateCurrent(incumbent.forecaster);
  const decision = performanceDecision(metricValue(currentMetrics, policy.metricKey), policy);
  log.info(`performance check: ${decision.detail}`, { task: 'evaluate-incumbent' });
  return { decision: { ...decision, detail: `${byDrift.detail}; ${decision.detail}` }, currentMetrics };
}

/**
 * Run one retraining decision and, when it says so, retrain, compare, promote and reload.
 * @returns the RetrainingResult (`retrained`, `promoted`, `drift_summary`, `checkpoint_path`,
 *   `mlflow_run_id`, `metrics`, and why).
 * @throws TaskFailedError naming the task that failed after its retries; a lost promotion race
 *   (CheckpointConflictError inside) is not retried: decide again against the new incumbent.
 * @example
 * const result = await retrainingFlow({
 *   referencePath: 'train.csv', currentPath: 'last-week.csv',
 *   checkpointDir: 'checkpoints', name: 'net-load', reloadUrl: 'http://127.0.0.1:8000/reload',
 * });
 * if (result.promoted) console.log(`now serving ${result.checkpoint_path}`);
 */
export async function retrainingFlow(options: RetrainingFlowOptions): Promise<RetrainingResult> {
  const o = parseWith(RetrainingFlowOptionsSchema, plainOptions(options), 'retraining flow options');
  const setup = await setUpFlow('retraining', o, options);
  const { log, retry, settings } = setup;
  const { policy, store, engine } = retrainingParts(setup, o, options);
  const reloadUrl = o.reloadUrl ?? settings.reloadUrl;
  log.emit('info', 'flow.start', {
    message: `retraining check of ${store.describe(o.name)} on ${o.currentPath}`,
    policy,
  });

  try {
    const incumbent = await loadIncumbentTask.run({ store, name: o.name, engine }, log, retry);
    if (incumbent.status === 'missing')
      log.info(`no incumbent yet (${incumbent.message}): the first model will be trained`);
    if (incumbent.status === 'corrupt')
      log.warn(`the incumbent is corrupt and will be replaced: ${incumbent.message}`, {
        error: errorField(incumbent.error),
      });
    const config =
      o.config === undefined
        ? undefined
        : typeof o.config === 'string'
          ? ((await readConfigFile(o.config)) as TrainConfigInput)
          : (normaliseKeys(o.config) as TrainConfigInput);
    const data = await loadWindowsTask.run(
      {
        referencePath: o.referencePath,
        currentPath: o.currentPath,
        incumbentSpec:
          incumbent.status === 'loaded' ? specOfIncumbent(incumbent.forecaster, incumbent.path) : undefined,
        config,
        holdoutFraction: o.holdoutFraction,
        timeFormat: o.timeFormat,
      },
      log,
      retry,
    );
    const drift = await checkDriftTask.run({ data, reportDir: setup.reportDir }, log, retry);
    const { decision, currentMetrics } = await decide(
      drift,
      incumbent,
      (forecaster) =>
        evaluateForecasterTask.run({ forecaster, frame: data.all, startRow: data.currentStart }, log, retry),
      policy,
      log,
    );
    log.info(
      `decision: ${decision.retrain ? 'retrain' : 'keep the incumbent'} (${decision.reason}): ${decision.detail}`,
    );

    const holdout = {
      start: formatTimestamp(data.all.time[data.holdoutStart]!),
      rows: data.all.time.length - data.holdoutStart,
    };
    const base: RetrainingResult = {
      retrained: false,
      promoted: false,
      drift_summary: drift,
      checkpoint_path: null,
      mlflow_run_id: null,
      metrics: null,
      reason: decision.reason,
      detail: decision.detail,
      metric_key: policy.metricKey,
      minimize: policy.minimize,
      candidate_metric: null,
      incumbent_metric: null,
      incumbent:
        incumbent.status === 'loaded'
          ? {
              version: incumbent.version,
              path: incumbent.path,
              current_metrics: currentMetrics,
              holdout_metrics: null,
            }
          : null,
      version: null,
      reload: null,
      holdout,
      report_path: null,
    };
    if (!decision.retrain) {
      log.emit('info', 'flow.done', { message: 'no retraining needed' });
      return base;
    }

    // Retrain on everything before the holdout; score candidate and incumbent on the same holdout windows.
    const compared = await fitAndCompare(setup, {
      spec: data.spec,
      frame: data.all,
      holdoutStart: data.holdoutStart,
      rule: `reference + current before ${holdout.start} for training; the last ${holdout.rows} rows of current as holdout`,
      incumbent,
      policy,
      engine,
      source: `${o.referencePath} + ${o.currentPath}`,
      tune: o.tune ? { numTrials: o.numTrials, seed: 42 } : undefined,
    });
    const { candidate, evaluated, holdoutMetrics, candidateMetric, incumbentMetric, wins, verdict } =
      compared;
    log.info(`${wins ? 'promote' : 'keep the incumbent'}: ${verdict}`);

    const table =
      metricsTable(evaluated.metrics, `Candidate on the holdout (from ${holdout.start})`) +
      (holdoutMetrics && incumbent.status === 'loaded'
        ? `\n${metricsTable(holdoutMetrics, `Incumbent v${incumbent.version} on the holdout`)}`
        : '') +
      `\n**Decision:** ${decision.reason} — ${decision.detail}. ${wins ? 'Promoted' : 'Not promoted'}: ${verdict}.\n`;
    const reportPath = setup.reportDir
      ? await publishReportTask.run(
          { dir: setup.reportDir, file: `retraining-${log.flowRunId}.md`, content: table },
          log,
          retry,
        )
      : null;
    const result: RetrainingResult = {
      ...base,
      retrained: true,
      metrics: evaluated.metrics,
      candidate_metric: candidateMetric,
      incumbent_metric: incumbentMetric,
      incumbent: base.incumbent && { ...base.incumbent, holdout_metrics: holdoutMetrics },
      report_path: reportPath,
    };
    if (!wins) {
      log.emit('info', 'flow.done', { message: 'candidate not promoted' });
      return result;
    }

    const promoted = await promoteCandidate({
      setup,
      o,
      store,
      incumbent,
      data,
      decision,
      policy,
      candidate,
      evaluated,
      holdoutMetrics,
      artifacts: { 'metrics.md': table, 'drift_summary.json': `${JSON.stringify(drift, null, 2)}\n` },
      reloadUrl,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    log.emit('info', 'flow.done', {
      message: `promoted version ${promoted.version}`,
      mlflow_run_id: promoted.mlflow_run_id,
    });
    return { ...result, promoted: true, ...promoted };
  } catch (error) {
    log.emit('error', 'flow.failed', { error: errorField(error) });
    throw error;
  }
}

interface PromotionInput {
  setup: FlowSetup;
  o: z.output<typeof RetrainingFlowOptionsSchema>;
  store: CheckpointStore;
  incumbent: Incumbent;
  data: RetrainData;
  decision: RetrainDecision;
  policy: RetrainPolicy;
  candidate: FittedModel;
  evaluated: Evaluated;
  holdoutMetrics: MetricsByModel | null;
  artifacts: Record<string, string>;
  reloadUrl: string | undefined;
  fetch?: typeof fetch;
}

/**
 * Save the candidate inactive, then one compare-and-swap of the manifest against the etag read before
 * deciding (a lost race removes the unreferenced version and fails: decide again); then log the run and
 * reload the server.
 */
async function promoteCandidate(
  p: PromotionInput,
): Promise<Pick<RetrainingResult, 'checkpoint_path' | 'version' | 'reload'> & { mlflow_run_id: string }> {
  const { setup, o, store, incumbent, data, candidate, evaluated } = p;
  const { log, retry } = setup;
  const { saved, files } = await saveAndPromote(setup, {
    store,
    name: o.name,
    candidate,
    evaluated,
    ifMatch: incumbent.etag,
  });
  const checkpointPath = store.describe(saved.key);
  log.info(`promoted version ${saved.version}: ${checkpointPath}`, { task: 'promote' });

  const run = await startFlowRun(setup, o);
  const dataset = (name: string, path: string, frame: RetrainData['reference']) => ({
    name,
    path,
    rows: frame.time.length,
    columns: Object.keys(frame.columns).length + 1,
    context: 'training',
  });
  try {
    await logTrainingTask.run(
      {
        run,
        datasets: [
          dataset('reference', o.referencePath, data.reference),
          dataset('current', o.currentPath, data.current),
        ],
        params: {
          pipeline: data.spec.pipelineConfig,
          models: data.spec.models,
          retrain: {
            ...p.policy,
            reason: p.decision.reason,
            holdout_fraction: o.holdoutFraction,
            from: data.spec.from,
          },
        },
        model: candidate,
        files,
        metrics: {
          '': evaluated.metrics,
          validation: evaluated.validationMetrics,
          ...(p.holdoutMetrics ? { incumbent: p.holdoutMetrics } : {}),
        },
        store,
        saved,
        tags: {
          'twiga.retrain.reason': p.decision.reason,
          'twiga.promoted': 'true',
          ...(incumbent.status === 'loaded' ? { 'twiga.incumbent.version': String(incumbent.version) } : {}),
        },
        artifacts: p.artifacts,
      },
      log,
      retry,
    );
    await run.end('FINISHED');
  } catch (error) {
    await run.end('FAILED').catch(() => undefined);
    throw error;
  }
  const reload = p.reloadUrl ? await reloadServer(p, saved.version, run.runId) : null;
  return { checkpoint_path: checkpointPath, mlflow_run_id: run.runId, version: saved.version, reload };
}

/** POST /reload; a failure says first that the promotion stands, since the error is about the server only. */
async function reloadServer(p: PromotionInput, version: number, runId: string): Promise<ReloadOutcome> {
  const { log, retry, settings } = p.setup;
  const url = p.reloadUrl!;
  const reload = await reloadTask
    .run({ url, apiKey: settings.serve.apiKey, ...(p.fetch ? { fetch: p.fetch } : {}) }, log, retry)
    .catch((error: unknown) => {
      log.warn(
        `version ${version} is promoted and logged (run ${runId}) but ${url} did not reload it; ` +
          'a twiga-edge server picks it up within TWIGA_SERVE_POLL_SECONDS of its next request',
      );
      throw error;
    });
  if (reload.version !== version) {
    log.warn(
      `${url} reloaded version ${reload.version}, not the promoted ${version}: is it serving ${p.store.describe(p.o.name)}?`,
    );
  }
  return reload;
}
