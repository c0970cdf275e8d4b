/** The `twiga-edge` command line: train, evaluate, predict, demo. */

import { Command, Option } from 'commander';
import { TwigaError } from '../../runtime/errors.js';
import { CONFORMAL_METHODS, ENSEMBLE_STRATEGIES } from '../../runtime/schemas/forecaster-config.js';
import { PACKAGE_VERSION } from '../../runtime/version.js';
import { backtest, writeBacktestCsv } from '../backtest.js';
import { backtestFleet, writeFleetBacktestCsv } from '../backtest-fleet.js';
import {
  formatModelTable,
  listCheckpointModels,
  listCheckpointVersions,
  rollbackCheckpoint,
} from '../checkpoints.js';
import { installCrashHook } from '../crash-hook.js';
import { runDemo } from '../demo/run-demo.js';
import { runDrift } from '../drift.js';
import { runPanelDrift } from '../drift-panel.js';
import { evaluate } from '../evaluate.js';
import { isFleetConfig } from '../fleet-data.js';
import { TaskFailedError } from '../flows/task.js';
import { importOnnx } from '../import-onnx.js';
import { createLogger } from '../log.js';
import { forecastFile } from '../predict.js';
import { publish } from '../publish.js';
import { serve } from '../serve.js';
import { parseLevels, wholeAtLeast } from './args.js';
import { addFlowOptions, addRetrainCommand, trainCommand } from './flow-commands.js';
import { withR2Bucket } from './r2-options.js';
import { trainConfigFromFlags } from './train-flags.js';
import { addWorkerCommand } from './worker-command.js';

const ensembleOption = () =>
  new Option('--ensemble <strategy>', 'ensemble strategy (weighted, best: learned on validation)').choices([
    ...ENSEMBLE_STRATEGIES,
  ]);
const printJson = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);

const positiveInt = wholeAtLeast(1);
const positiveOrZero = wholeAtLeast(0);

/** Data, pipeline and model flags shared by `train` and `backtest`. */
function addTrainingOptions(command: Command): Command {
  return command
    .option('--config <file>', 'JSON config (data, pipeline, models, train); flags override it')
    .option('--data <file>', 'CSV, TSV or Parquet file')
    .option('--target <cols>', 'target column(s), comma-separated')
    .option('--time-col <col>', 'time column (default "timestamp")')
    .option('--id-col <col>', 'series id column of a panel (long format; twiga/Nixtla unique_id): a fleet')
    .option('--melt <cols>', 'wide file: these columns are series, melted to long format (values → --target)')
    .option(
      '--static <file>',
      'static features per series for a global model (CSV/JSON keyed by the id column)',
    )
    .addOption(
      new Option('--strategy <s>', 'with --id-col: one model per series, or one global model').choices([
        'per_series',
        'global',
      ]),
    )
    .option('--time-format <fmt>', 'strptime pattern, e.g. "%d-%m-%Y %H:%M" (auto-detected by default)')
    .option('--period <p>', 'sampling period, e.g. 30min, 1h (default 1h)')
    .option('--horizon <h>', 'forecast horizon: periods or a duration like 1D (default 1D)')
    .option('--lookback <l>', 'history length: periods or a duration (default 7D)')
    .option('--stride <s>', 'spacing of evaluation origins (default: the horizon)')
    .option('--train-stride <s>', 'spacing of training windows (default 1: every window)')
    .option(
      '--calendar <list>',
      'any of hour,day_of_week,month,weekend,day_night,day_of_year,holiday,bridge_day,holiday_eve,' +
        'after_holiday (default hour,day_of_week,weekend)',
    )
    .option('--fourier <orders>', 'Fourier terms per cycle, e.g. day=3,week=2,year=4 (default none)')
    .option('--holidays <country[:region]>', 'public holidays for the holiday features, e.g. US or US:CA')
    .option('--exogenous <cols>', 'known-ahead covariates (values at the forecast steps are used)')
    .option('--past-exogenous <cols>', 'observed-only covariates (values over the lookback are used)')
    .option('--latitude <deg>', 'site latitude, for day_night')
    .option('--longitude <deg>', 'site longitude, for day_night')
    .option(
      '--models <list>',
      'e.g. seasonal_naive:1D,seasonal_naive:7D,linear,gbdt,mlp:64x64 (default: the first three); lightgbm = gbdt, mlpf = mlp',
    )
    .option('--tune', 'tune gbdt and mlp models with TPE on the validation windows')
    .option('--trials <n>', 'trials per tuned model (default 20)')
    .option(
      '--tune-fourier <orders>',
      'with --tune, the most Fourier order per cycle to search, e.g. day=4,week=3,year=6',
    )
    .addOption(ensembleOption())
    .addOption(
      new Option('--duplicates <policy>', 'duplicated timestamps').choices([
        'mean',
        'first',
        'last',
        'error',
      ]),
    )
    .addOption(new Option('--gaps <policy>', 'missing periods').choices(['interpolate', 'keep', 'error']));
}

/** The `twiga-edge` commander program with every command (used by `main` and the CLI reference). */
export function buildProgram(): Command {
  const program = new Command('twiga-edge')
    .description('Train forecasters in Node, export them to ONNX, serve them anywhere.')
    .version(PACKAGE_VERSION, '-V, --version', 'print the twiga-edge version')
    // `--version` after a command is that command's own option (`rollback --version 3`).
    .enablePositionalOptions()
    .showHelpAfterError()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  addFlowOptions(
    addTrainingOptions(
      program
        .command('train')
        .description(
          'the training flow: train models, evaluate them on the test split, save a checkpoint, track the run ' +
            '(MLflow file store or server); prints a TrainingResult JSON',
        ),
    ),
  )
    .option('--train-end <date>', 'last day of training (inclusive)')
    .option('--test-start <date>', 'first day of the test split (inclusive)')
    .option(
      '--checkpoints <dir>',
      'checkpoint root folder (default: TWIGA_MODEL_CHECKPOINT_DIR, else ./checkpoints)',
    )
    .option('--name <name>', 'checkpoint name (default twiga)')
    .addOption(
      new Option(
        '--conformal <method>',
        'where conformal residuals come from: the validation tail, or also rolling refits (default cv_plus)',
      ).choices([...CONFORMAL_METHODS]),
    )
    .option(
      '--conformal-folds <n>',
      'rolling origins of cv_plus, each a refit of every model (default 4)',
      positiveInt,
    )
    .action(trainCommand);
  addRetrainCommand(program);

  addTrainingOptions(
    program
      .command('backtest')
      .description(
        'rolling-origin backtest: refit on each fold, score its test window; prints per-fold and mean metrics',
      ),
  )
    .requiredOption('--train-size <d>', 'training window per fold, e.g. 3M, 90D')
    .requiredOption('--test-size <d>', 'test window per fold, e.g. 1M, 7D')
    .option('--step <d>', 'how far each fold moves (default: the test size)')
    .option('--expanding', 'every fold trains from the first row (expanding window)')
    .option('--max-folds <n>', 'stop after this many folds', Number)
    .option('--out <file.csv>', 'write one row per fold and model')
    .action(async (flags) => {
      const config = await trainConfigFromFlags(flags);
      const folds = {
        trainSize: flags.trainSize,
        testSize: flags.testSize,
        expanding: flags.expanding === true,
        ...(flags.step ? { step: flags.step } : {}),
        ...(flags.maxFolds ? { maxFolds: flags.maxFolds } : {}),
      };
      // --id-col (or --melt) makes it a panel: every series backtested, then aggregated.
      if (isFleetConfig(config)) {
        const result = await backtestFleet({ config, backtest: folds });
        if (flags.out) await writeFleetBacktestCsv(flags.out, result);
        printJson(result);
        return;
      }
      const result = await backtest({ config, backtest: folds });
      if (flags.out) await writeBacktestCsv(flags.out, result);
      printJson(result);
    });

  program
    .command('evaluate')
    .description('evaluate a checkpoint on a data file; prints metrics JSON')
    .requiredOption('--checkpoint <dir>', 'checkpoint folder (<root>/<name>)')
    .requiredOption('--data <file>', 'CSV, TSV or Parquet file')
    .option('--test-start <date>', 'first day to evaluate (default: the test start recorded at training)')
    .addOption(ensembleOption())
    .option(
      '--levels <list>',
      'conformal interval levels to score and write, e.g. 0.8,0.9 (default 0.9)',
      parseLevels,
    )
    .option(
      '--out <file.csv>',
      'write origin,timestamp,step,model,prediction,actual[,lower_<level>,upper_<level>]',
    )
    .option('--time-format <fmt>', 'strptime pattern for the time column')
    .option('--id-col <col>', "global checkpoint: the data's series id column (default: the checkpoint's)")
    .option('--version <n>', 'evaluate this checkpoint version instead of the active one', Number)
    .action(async (flags) => {
      printJson(await evaluate({ ...flags, idColumn: flags.idCol, logger: createLogger() }));
    });

  program
    .command('predict')
    .description('forecast the horizon after the last known target value; prints forecast JSON')
    .requiredOption('--checkpoint <dir>', 'checkpoint folder (<root>/<name>)')
    .requiredOption(
      '--data <file>',
      'recent history (at least the lookback), plus future covariates if the model uses them',
    )
    .addOption(ensembleOption())
    .option(
      '--levels <list>',
      'add conformal prediction intervals at these levels, e.g. 0.8,0.9',
      parseLevels,
    )
    .option('--time-format <fmt>', 'strptime pattern for the time column')
    .option('--id-col <col>', "global checkpoint: the data's series id column (default: the checkpoint's)")
    .option('--version <n>', 'use this checkpoint version instead of the active one', Number)
    .action(async (flags) => {
      printJson(await forecastFile({ ...flags, idColumn: flags.idCol, logger: createLogger() }));
    });

  program
    .command('import-onnx')
    .description(
      'wrap ONNX models written by another tool (e.g. onnxmltools) in a checkpoint, given a pipeline spec',
    )
    .requiredOption(
      '--spec <file.json>',
      'pipeline + scalers + model files (see README "Bring your own ONNX")',
    )
    .requiredOption('--checkpoints <dir>', 'checkpoint root folder')
    .requiredOption('--name <name>', 'checkpoint name')
    .action(async (flags) => {
      printJson(await importOnnx({ spec: flags.spec, checkpoints: flags.checkpoints, name: flags.name }));
    });

  program
    .command('versions')
    .description('list the versions of a checkpoint (JSON), marking the active one')
    .requiredOption('--checkpoint <dir>', 'checkpoint folder (<root>/<name>)')
    .action(async (flags) => {
      printJson(await listCheckpointVersions(flags.checkpoint));
    });

  program
    .command('models')
    .description(
      'list the models under a checkpoint root (fleet layout <fleet>/<series> included): name, active version, saved_at, metrics',
    )
    .requiredOption('--checkpoints <dir>', 'checkpoint root folder')
    .option('--prefix <prefix>', 'only names starting with this, e.g. feeders/')
    .option('--json', 'print JSON instead of a table')
    .action(async (flags) => {
      const models = await listCheckpointModels(flags.checkpoints, flags.prefix ?? '');
      if (flags.json) printJson(models);
      else process.stdout.write(`${formatModelTable(models)}\n`);
    });

  program
    .command('rollback')
    .description('make an earlier version active again (verifies its files first); prints the new manifest')
    .requiredOption('--checkpoint <dir>', 'checkpoint folder (<root>/<name>)')
    .requiredOption('--version <n>', 'version to activate', Number)
    .action(async (flags) => {
      printJson(await rollbackCheckpoint(flags.checkpoint, flags.version));
    });

  withR2Bucket(
    program
      .command('publish')
      .description(
        'copy a checkpoint folder, or every model under a root (a fleet), to R2 (the local wrangler dev state, ' +
          'or a bucket over its S3 API); only missing files are copied, manifests last; prints a summary JSON',
      )
      .option('--checkpoint <dir>', 'checkpoint folder (<root>/<name>)')
      .option('--checkpoints <dir>', 'a checkpoint root: publish every model under it, under the same names')
      .option('--prefix <prefix>', 'with --checkpoints: only names starting with this, e.g. feeders/')
      .option('--name <name>', 'checkpoint name in the bucket (default: the folder name)')
      .option('--local', 'publish to the local R2 state that `wrangler dev` serves')
      .option(
        '--persist-to <dir>',
        'with --local: the state folder, as wrangler dev --persist-to (default .wrangler/state)',
      ),
  ).action(async (flags) => {
    printJson(await publish(flags));
  });

  program
    .command('drift')
    .description(
      'test a data file for drift against a reference file or checkpoint; prints a DriftSummary JSON',
    )
    .requiredOption('--reference <path>', 'reference data (CSV, TSV, Parquet) or a checkpoint folder')
    .requiredOption('--current <file>', 'data to test (CSV, TSV, Parquet)')
    .option('--columns <cols>', 'columns to test, comma-separated (default: every non-time column)', (v) =>
      v.split(',').map((c) => c.trim()),
    )
    .option(
      '--report-dir <dir>',
      'write the HTML report here (with --id-col: one per series and a fleet page; default: TWIGA_SERVE_REPORT_DIR)',
    )
    .option(
      '--time-col <col>',
      "time column (default: the checkpoint's, else timestamp/date/datetime/time/ds)",
    )
    .option('--time-format <fmt>', 'strptime pattern for the time column')
    .option(
      '--method <test>',
      'auto (default, as Evidently), ks, wasserstein, chisquare, z, jensenshannon, psi or kl',
    )
    .option('--threshold <x>', "override the test's threshold", Number)
    .option('--drift-share <x>', 'dataset drift when this share of columns drifted (default 0.5)', Number)
    .option(
      '--id-col <col>',
      'panels: test every series on its own against its reference (a panel file, a global checkpoint or a per-series fleet folder); prints one summary per series and the fleet counts',
    )
    .option('--melt <cols>', 'with --id-col: wide files, these comma-separated columns are the series')
    .action(async (flags) => {
      if (flags.idCol) {
        const melt = flags.melt
          ? String(flags.melt)
              .split(',')
              .map((c: string) => c.trim())
          : undefined;
        printJson(await runPanelDrift({ ...flags, idColumn: flags.idCol, melt, timeColumn: flags.timeCol }));
        return;
      }
      printJson(await runDrift({ ...flags, timeColumn: flags.timeCol, logger: createLogger() }));
    });

  program
    .command('serve')
    .description(
      'serve the forecast API (health, predict, intervals, monitoring, reload) over a checkpoint folder; TWIGA_SERVE_API_KEY from the environment',
    )
    .option('--checkpoint <dir>', 'one checkpoint folder (holding _checkpoint_manifest.json)')
    .option(
      '--checkpoints <dir>',
      'a checkpoint root: serve every model under it at /models/{name}/… (TWIGA_SERVE_CHECKPOINT, else the first, on the unprefixed routes)',
    )
    .option('--port <n>', 'port (0 picks a free one)', positiveOrZero, 8000)
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('--workers <n>', 'inference worker threads (default: CPUs − 1, at least 1)', positiveInt)
    .action(async (flags) => {
      const server = await serve({
        ...(flags.checkpoint ? { checkpoint: flags.checkpoint } : {}),
        ...(flags.checkpoints ? { checkpoints: flags.checkpoints } : {}),
        port: flags.port,
        host: flags.host,
        ...(flags.workers ? { workers: flags.workers } : {}),
      });
      const model = server.app.host.active?.info;
      printJson(
        flags.checkpoints
          ? {
              url: server.url,
              checkpoints: flags.checkpoints,
              default: server.app.host.name,
              served: (await server.app.registry.names()).length,
            }
          : { url: server.url, checkpoint: flags.checkpoint, version: model?.version, models: model?.models },
      );
      await new Promise<void>((stop) => {
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await server.close();
    });

  addWorkerCommand(program);

  program
    .command('demo')
    .description('make a synthetic 30-min net-load dataset, train, evaluate and forecast (no network)')
    .option('--dir <dir>', 'working folder for data and checkpoints', '.twiga-demo')
    .option('--days <n>', 'days of data to generate', Number, 182)
    .option('--json', 'print the TrainingResult JSON instead of tables')
    .action(async (flags) => {
      await runDemo({ dir: flags.dir, days: flags.days, json: flags.json === true });
    });

  return program;
}

/** Run the CLI; typed errors become one readable line (plus field issues) and exit code 1. */
export async function main(argv: string[]): Promise<number> {
  try {
    installCrashHook(process.env['TWIGA_TEST_CRASH_AT']);
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof TwigaError) {
      process.stderr.write(`twiga-edge: ${error.name}: ${error.message}\n`);
      // A flow task that failed on bad input is a usage error, like the input itself.
      const root = error instanceof TaskFailedError ? error.cause : error;
      return root instanceof TwigaError && root.code === 'CONFIG_INVALID' ? 2 : 1;
    }
    throw error;
  }
}
