/**
 * `npm run edge:dev -- --checkpoint DIR`: publish a checkpoint to the local R2 state, then run `wrangler dev`
 * on it — the app, the cron, the retraining Queue and the Workflow, all local. `--test-scheduled` exposes
 * `/__scheduled`, so the cron runs by hand (the command is printed at start).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { DEFAULT_PERSIST_TO, publish } from '../src/node/publish.js';
import { TwigaError } from '../src/runtime/errors.js';
import { WRANGLER_ENV, wranglerEntry } from './wrangler.js';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
const SIGNAL_CODES = { SIGINT: 130, SIGTERM: 143 } as Record<string, number>;

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new InvalidArgumentError(`expected a port between 1 and 65535, got "${value}"`);
  }
  return port;
}

/**
 * `--env-file` arguments that hand TWIGA_SERVE_API_KEY to the Worker as a secret: wrangler prints it as
 * "(hidden)", and it stays off the command line (`--var` would show it in `ps`). Giving `--env-file` makes
 * wrangler skip its default `.dev.vars` / `.env` lookup, so the file it would have read comes first.
 */
function apiKeyEnvFiles(apiKey: string | undefined, cwd: string): { args: string[]; cleanup(): void } {
  if (apiKey === undefined || apiKey === '') return { args: [], cleanup: () => undefined };
  if (/['\\\r\n]/.test(apiKey)) {
    throw new TwigaError(
      'CONFIG_INVALID',
      'TWIGA_SERVE_API_KEY contains a quote, backslash or newline, which edge:dev cannot pass through ' +
        'an env file safely; put it in .dev.vars instead and unset it',
    );
  }
  const defaults = existsSync(join(cwd, '.dev.vars'))
    ? ['.dev.vars']
    : ['.env', '.env.local'].filter((f) => existsSync(join(cwd, f)));
  const dir = mkdtempSync(join(tmpdir(), 'twiga-edge-dev-'));
  const file = join(dir, 'api-key.env');
  // Single quotes keep the value literal for dotenv; `\$` stops dotenv-expand from expanding `$NAME`.
  writeFileSync(file, `TWIGA_SERVE_API_KEY='${apiKey.replaceAll('$', '\\$')}'\n`, { mode: 0o600 });
  const args = [...defaults, file].flatMap((f) => ['--env-file', resolve(cwd, f)]);
  return { args, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

async function main(argv: string[]): Promise<number> {
  const flags = new Command('edge:dev')
    .description(
      'publish a checkpoint to the local R2 state, then serve src/edge with wrangler dev (offline)',
    )
    .requiredOption('--checkpoint <dir>', 'checkpoint folder (<root>/<name>)')
    .option('--port <n>', 'port to listen on', parsePort, 8787)
    .option('--name <name>', 'checkpoint name in the bucket (default: the folder name)')
    .option('--persist-to <dir>', 'local state folder shared with wrangler dev', DEFAULT_PERSIST_TO)
    .option('--inspector-port <n>', "wrangler's DevTools port (default: wrangler's own choice)", parsePort)
    .showHelpAfterError()
    .parse(argv)
    .opts<{ checkpoint: string; port: number; name?: string; persistTo: string; inspectorPort?: number }>();

  const persistTo = resolve(flags.persistTo);
  const summary = await publish({
    checkpoint: flags.checkpoint,
    local: true,
    persistTo,
    ...(flags.name === undefined ? {} : { name: flags.name }),
  });
  process.stderr.write(
    `[edge:dev] ${summary.destination} v${summary.version}: ${summary.objects_written} objects written, ` +
      `${summary.objects_skipped} already there (state ${persistTo})\n`,
  );

  const cwd = process.cwd();
  const secrets = apiKeyEnvFiles(process.env['TWIGA_SERVE_API_KEY'], cwd);
  const args = [
    wranglerEntry(),
    'dev',
    '--local',
    ...['--ip', '127.0.0.1', '--port', String(flags.port)],
    ...['--persist-to', persistTo],
    ...['--var', `TWIGA_SERVE_CHECKPOINT:${summary.name}`],
    '--test-scheduled',
    ...(flags.inspectorPort === undefined ? [] : ['--inspector-port', String(flags.inspectorPort)]),
    ...secrets.args,
  ];
  process.stderr.write(
    `[edge:dev] run the cron by hand: curl "http://127.0.0.1:${flags.port}/__scheduled?cron=*/30+*+*+*+*"\n`,
  );
  const env = { ...process.env, ...WRANGLER_ENV };
  const child: ChildProcess = spawn(process.execPath, args, { cwd, env, stdio: 'inherit' });
  const running = () => child.exitCode === null && child.signalCode === null;
  const forward = (signal: NodeJS.Signals) => () => {
    if (!running()) return;
    child.kill(signal);
    // Seen once: wrangler ignored a stop while rebuilding. Ask again, once, if it is still up 10 s later.
    setTimeout(() => {
      if (!running()) return;
      process.stderr.write('[edge:dev] wrangler is still running; sending SIGTERM again\n');
      child.kill('SIGTERM');
    }, 10_000).unref();
  };
  for (const signal of SIGNALS) process.on(signal, forward(signal));
  return new Promise((done) => {
    child.on('error', (error) => {
      secrets.cleanup();
      process.stderr.write(`[edge:dev] could not start wrangler: ${error.message}\n`);
      done(1);
    });
    child.on('exit', (code, signal) => {
      secrets.cleanup();
      done(code ?? (signal ? (SIGNAL_CODES[signal] ?? 1) : 1));
    });
  });
}

try {
  process.exitCode = await main(process.argv);
} catch (error) {
  if (!(error instanceof TwigaError)) throw error;
  process.stderr.write(`edge:dev: ${error.name}: ${error.message}\n`);
  process.exitCode = error.code === 'CONFIG_INVALID' ? 2 : 1;
}
