/** `twiga-edge train` (the training flow), `retrain` (the retraining flow), `settings`; `--schedule` for both. */
import { type Command, Option } from 'commander';
import { ConfigError } from '../../runtime/errors.js';
import { isFleetConfig } from '../fleet-data.js';
import { fleetTrainingFlow } from '../flows/fleet-flow.js';
import { fleetRetrainingFlow } from '../flows/fleet-retraining-flow.js';
import { errorField, jsonLogSink, type LogSink, textLogSink } from '../flows/flow-log.js';
import { retrainingFlow } from '../flows/retraining-flow.js';
import { runOnSchedule } from '../flows/schedule.js';
import { trainingFlow } from '../flows/training-flow.js';
import { loadSettings } from '../settings.js';
import { number, tag, wholeAtLeast } from './args.js';
import { trainConfigFromFlags } from './train-flags.js';

/** Tracking, report, retry, log and schedule flags shared by `train` and `retrain`. */
export function addFlowOptions(command: Command): Command {
  return command
    .option('--experiment <name>', 'MLflow experiment (default: TWIGA_MLFLOW_EXPERIMENT, else twiga)')
    .option('--run-name <name>', 'tracking run name (default: a generated one)')
    .option('--tag <key=value>', 'run tag (repeatable)', tag)
    .option(
      '--tracking-uri <uri>',
      'mlruns folder or http(s) MLflow server (default: TWIGA_MLFLOW_TRACKING_URI, else ./mlruns)',
    )
    .option(
      '--report-dir <dir>',
      'write the markdown metrics table (and drift report) here (default: TWIGA_SERVE_REPORT_DIR)',
    )
    .option(
      '--retries <n>',
      'retries per task on transient errors (default: TWIGA_FLOW_RETRIES, else 2)',
      wholeAtLeast(0),
    )
    .option('--retry-delay <seconds>', 'delay before the first retry, doubling after (default 1)', number)
    .addOption(
      new Option('--log-format <format>', 'structured log lines on stderr')
        .choices(['json', 'text'])
        .default('json'),
    )
    .option('--env-file <file>', 'read TWIGA_* settings from this file (default: .env when present)')
    .option(
      '--schedule <cron>',
      'keep running: one run per tick of this cron pattern (5 fields, or 6 with seconds)',
    )
    .option('--max-runs <n>', 'with --schedule: stop after this many runs', wholeAtLeast(1));
}

interface FlowFlags {
  experiment?: string;
  runName?: string;
  tag?: Record<string, string>;
  trackingUri?: string;
  reportDir?: string;
  retries?: number;
  retryDelay?: number;
  logFormat: 'json' | 'text';
  envFile?: string;
  schedule?: string;
  maxRuns?: number;
}

/** The retrain command's decision flags. */
interface DecisionFlags {
  driftThreshold?: number;
  performanceThreshold?: number;
  metricKey?: string;
  maximize?: boolean;
  holdoutFraction?: number;
}

function common(flags: FlowFlags) {
  return {
    ...(flags.experiment ? { experiment: flags.experiment } : {}),
    ...(flags.runName ? { runName: flags.runName } : {}),
    ...(flags.tag ? { tags: flags.tag } : {}),
    ...(flags.trackingUri ? { trackingUri: flags.trackingUri } : {}),
    ...(flags.reportDir ? { reportDir: flags.reportDir } : {}),
    ...(flags.retries !== undefined ? { retries: flags.retries } : {}),
    ...(flags.retryDelay !== undefined ? { retryDelayMs: flags.retryDelay * 1000 } : {}),
  };
}

/** The options deciding a retrain and a promotion, shared by the one-model and the fleet flow. */
function decision(flags: DecisionFlags) {
  return {
    ...(flags.driftThreshold !== undefined ? { driftThreshold: flags.driftThreshold } : {}),
    ...(flags.performanceThreshold !== undefined ? { performanceThreshold: flags.performanceThreshold } : {}),
    ...(flags.metricKey ? { metricKey: flags.metricKey } : {}),
    ...(flags.maximize ? { minimize: false } : {}),
    ...(flags.holdoutFraction !== undefined ? { holdoutFraction: flags.holdoutFraction } : {}),
  };
}

/**
 * Run `job` once and print its JSON, or with `--schedule` print one compact JSON line per run; a failed
 * scheduled run is logged and the schedule goes on. SIGINT/SIGTERM end the schedule after the current run.
 */
async function runOnceOrScheduled(
  flags: FlowFlags,
  log: LogSink,
  job: () => Promise<unknown>,
): Promise<void> {
  if (!flags.schedule) {
    process.stdout.write(`${JSON.stringify(await job(), null, 2)}\n`);
    return;
  }
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await runOnSchedule(flags.schedule, job, {
      signal: controller.signal,
      ...(flags.maxRuns ? { maxRuns: flags.maxRuns } : {}),
      onResult: (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
      onError: (error, run) =>
        log({
          ts: new Date().toISOString(),
          level: 'error',
          flow: 'schedule',
          flow_run_id: String(run),
          event: 'schedule.run_failed',
          error: errorField(error),
          message: 'the schedule goes on',
        }),
      onSkip: (at) =>
        log({
          ts: new Date().toISOString(),
          level: 'warn',
          flow: 'schedule',
          flow_run_id: '',
          event: 'schedule.skipped',
          message: `tick at ${at.toISOString()} skipped: the previous run is still going`,
        }),
    });
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

/** `train`: the training flow over the training flags (see addTrainingOptions). */
export async function trainCommand(
  flags: Parameters<typeof trainConfigFromFlags>[0] & FlowFlags,
): Promise<void> {
  const settings = await loadSettings(flags.envFile ? { envFile: flags.envFile } : {});
  const log = flags.logFormat === 'text' ? textLogSink() : jsonLogSink();
  const config = await trainConfigFromFlags(flags);
  const options = { config: config as Record<string, unknown>, ...common(flags), settings, log };
  // An id column (or a wide file to melt) makes it a fleet: one model per series, or one global model.
  await runOnceOrScheduled(flags, log, () =>
    isFleetConfig(config) ? fleetTrainingFlow(options) : trainingFlow(options),
  );
}

export function addRetrainCommand(program: Command): void {
  addFlowOptions(
    program
      .command('retrain')
      .description(
        'drift-aware retraining: test the current window for drift against the reference, retrain when it drifted ' +
          '(or the incumbent breaches --performance-threshold), promote only a better model, POST /reload; prints a RetrainingResult JSON',
      )
      .option(
        '--reference <file>',
        'reference data (what the incumbent was trained on): CSV, TSV or Parquet (one model)',
      )
      .option('--current <file>', 'the recent window, in the same columns (one model)')
      .option(
        '--data <file>',
        'a fleet: the recent window of every series in one panel file; each model under <checkpoints>/<name>/ decides, retrains and promotes on its own series (a global checkpoint: one decision, retrain when any series drifted)',
      )
      .option('--id-col <column>', 'with --data: the column naming the series (default unique_id)')
      .option('--melt <columns>', 'with --data: a wide file, these comma-separated columns are the series')
      .option(
        '--checkpoints <dir>',
        'checkpoint root folder (default: TWIGA_MODEL_CHECKPOINT_DIR, else ./checkpoints)',
      )
      .option('--name <name>', 'checkpoint name (the incumbent is <checkpoints>/<name>)', 'twiga')
      .option(
        '--reload-url <url>',
        "the server's /reload, POSTed with X-API-Key from TWIGA_SERVE_API_KEY (default: TWIGA_SERVE_RELOAD_URL)",
      )
      .option(
        '--config <file>',
        'training config for a first run or a corrupt incumbent (otherwise the incumbent’s own)',
      )
      .option(
        '--drift-threshold <share>',
        'retrain when the drifted share of columns is above this (default 0.5)',
        number,
      )
      .option(
        '--performance-threshold <x>',
        "retrain when the incumbent's metric is worse than this (default: drift only)",
        number,
      )
      .option(
        '--metric-key <key>',
        'metric deciding performance and promotion: mae, or <model>/<metric> (default mae)',
      )
      .option('--maximize', 'higher is better for the metric (e.g. corr)')
      .option(
        '--holdout-fraction <share>',
        'latest share of the current window held out to compare models (default 0.3)',
        number,
      )
      .option('--tune', 'tune gbdt and mlp models again with TPE')
      .option('--trials <n>', 'trials per tuned model (default 20)', wholeAtLeast(1))
      .option('--time-format <fmt>', 'strptime pattern for the time column'),
  ).action(async (flags) => {
    const settings = await loadSettings(flags.envFile ? { envFile: flags.envFile } : {});
    const log = flags.logFormat === 'text' ? textLogSink() : jsonLogSink();
    if (flags.data !== undefined) {
      if (flags.reference !== undefined || flags.current !== undefined)
        throw new ConfigError('pass --data (a fleet) or --reference and --current (one model), not both', [
          { path: 'data', message: 'not with --reference / --current' },
        ]);
      await runOnceOrScheduled(flags, log, () =>
        fleetRetrainingFlow({
          dataPath: flags.data,
          name: flags.name,
          ...(flags.idCol ? { idColumn: flags.idCol } : {}),
          ...(flags.melt
            ? {
                melt: String(flags.melt)
                  .split(',')
                  .map((c) => c.trim())
                  .filter(Boolean),
              }
            : {}),
          ...(flags.checkpoints ? { checkpointDir: flags.checkpoints } : {}),
          ...decision(flags),
          ...(flags.timeFormat ? { timeFormat: flags.timeFormat } : {}),
          ...common(flags),
          settings,
          log,
        }),
      );
      return;
    }
    if (flags.reference === undefined || flags.current === undefined)
      throw new ConfigError('pass --reference and --current (one model), or --data (a fleet)', [
        { path: flags.reference === undefined ? 'reference' : 'current', message: 'required without --data' },
      ]);
    await runOnceOrScheduled(flags, log, () =>
      retrainingFlow({
        referencePath: flags.reference,
        currentPath: flags.current,
        name: flags.name,
        ...(flags.checkpoints ? { checkpointDir: flags.checkpoints } : {}),
        ...(flags.reloadUrl ? { reloadUrl: flags.reloadUrl } : {}),
        ...(flags.config ? { config: flags.config } : {}),
        ...decision(flags),
        ...(flags.tune ? { tune: true } : {}),
        ...(flags.trials ? { numTrials: flags.trials } : {}),
        ...(flags.timeFormat ? { timeFormat: flags.timeFormat } : {}),
        ...common(flags),
        settings,
        log,
      }),
    );
  });

  program
    .command('settings')
    .description('print the resolved TWIGA_* settings (environment over .env) as JSON; secrets are masked')
    .option('--env-file <file>', 'settings file (default: .env when present)')
    .action(async (flags) => {
      const settings = await loadSettings(flags.envFile ? { envFile: flags.envFile } : {});
      process.stdout.write(`${JSON.stringify(settings, null, 2)}\n`);
    });
}
