/**
 * `npm run fuzz -- --runs 20000`: the route fuzzer's long run against both servers — `twiga-edge serve`
 * (a real child process) and the Worker inside workerd (the vitest-pool-workers project) — printing the
 * cases run and statuses seen per route. The fast slice of the same properties runs in `npm test`.
 */
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { Command, InvalidArgumentError } from 'commander';
import { buildServingFixture, CHECKPOINT_NAME } from '../test/edge/fixture.js';
import { ROUTE_SETTINGS, routeEnv } from '../test/edge/route-settings.js';
import { DEFAULT_SEED, fuzzContext } from '../test/fuzz/context.js';
import { fuzzAll, httpSend, statsTable } from '../test/fuzz/route-fuzz.js';
import { startServer } from '../test/node/serve-process.js';

const whole = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError(`expected a whole number ≥ 1, got "${value}"`);
  return n;
};

interface Flags {
  runs: number;
  seed: number;
  only?: string;
  target: 'node' | 'workerd' | 'both';
}

async function fuzzNode(flags: Flags): Promise<void> {
  const fixture = await buildServingFixture();
  const server = await startServer(
    ['--checkpoint', fixture.checkpointDir, '--port', '0', '--workers', '2'],
    routeEnv(),
  );
  try {
    const ctx = fuzzContext(
      ROUTE_SETTINGS.apiKey,
      CHECKPOINT_NAME,
      Object.keys(fixture.files),
      fixture.records,
    );
    const started = performance.now();
    const stats = await fuzzAll(ctx, httpSend(server.url), flags);
    const seconds = ((performance.now() - started) / 1000).toFixed(0);
    process.stdout.write(
      `\n${statsTable(`Node (twiga-edge serve), ${flags.runs} runs/route, seed ${flags.seed}, ${seconds} s`, stats)}\n\n`,
    );
  } finally {
    await server.stop();
    await rm(fixture.dir, { recursive: true, force: true });
  }
}

/** The workerd test file with the long run's size; it prints its own table. */
function fuzzWorkerd(flags: Flags): Promise<number> {
  const args = [
    'vitest',
    'run',
    '--project',
    'workerd',
    'test/edge/workerd/fuzz.test.ts',
    '-t',
    flags.only ?? 'fuzz',
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('npx', args, {
      stdio: 'inherit',
      env: { ...process.env, TWIGA_FUZZ_RUNS: String(flags.runs), TWIGA_FUZZ_SEED: String(flags.seed) },
    });
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
}

async function main(argv: string[]): Promise<number> {
  const flags = new Command('fuzz')
    .description('fuzz every route of both servers (Node and workerd) and print the statuses seen per route')
    .option('--runs <n>', 'cases per route', whole, 2000)
    .option('--seed <n>', 'fast-check seed', whole, DEFAULT_SEED)
    .option('--only <text>', 'only routes whose name contains this')
    .option('--target <t>', 'node, workerd or both', 'both')
    .parse(argv)
    .opts<Flags>();
  if (flags.target !== 'workerd') await fuzzNode(flags);
  if (flags.target !== 'node') return fuzzWorkerd(flags);
  return 0;
}

process.exitCode = await main(process.argv);
