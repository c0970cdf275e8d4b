/**
 * Retraining-fleet benchmark: wall time to check and retrain a fleet of `--models` models (default 100) on
 * workerd locally (`wrangler dev --local` on the deploy bundle, the real cron → Queue → Workflow path), split into
 * the cron's drift check and the queue + Workflow runs, with each step's time from the run records and the
 * share of fits that ran at the edge vs were handed to Node. Anchor, measured in the same run: the same
 * path with one model. `npm run bench -- retrain-fleet [--models 100] [--days 40]`
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NET_LOAD_MODELS, netLoadCsv, netLoadPipeline } from '../src/node/demo/net-load.js';
import { memoryLogger } from '../src/node/log.js';
import { openLocalR2, publishCheckpoint } from '../src/node/publish.js';
import { train } from '../src/node/train.js';
import { RUNS_PREFIX, type RunRecord } from '../src/runtime/retrain/run-record.js';
import { syntheticNetLoad } from '../src/runtime/synthetic.js';
import { formatTimestamp } from '../src/runtime/time-format.js';
import { type Server, startWorkerd, tempDirs, uploadSize, waitLoaded } from './edge-servers.js';

const RESULTS = fileURLToPath(new URL('./results/retrain-fleet.json', import.meta.url));
const NAME = 'twiga';
const PER_DAY = 48;
const RECENT_DAYS = 21;
const CRON = '*/30+*+*+*+*';
/** No new run record for this long ends the phase with workerd's output saved (a fit takes ~20 s). */
const STALL_MS = 5 * 60_000;

function flag(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  const value = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name}: expected a positive integer`);
  return value;
}

/** One real checkpoint (trained here) and recent data that drifted from its training data. */
async function makeCheckpoint(tmp: string, days: number) {
  const series = syntheticNetLoad({ days });
  const csv = join(tmp, 'net_load.csv');
  writeFileSync(csv, netLoadCsv(series, { columns: ['net_load'] }));
  const root = join(tmp, 'checkpoints');
  await train({
    logger: memoryLogger(),
    config: {
      data: { path: csv },
      pipeline: netLoadPipeline(),
      models: NET_LOAD_MODELS,
      train: { checkpointRoot: root, name: NAME },
    },
  });
  const first = series.time.length - RECENT_DAYS * PER_DAY;
  // Shifted well away from the training distribution: every model of the fleet is due.
  const drifted = Array.from(series.time.subarray(first), (t, i) => ({
    timestamp: formatTimestamp(t),
    net_load: series.net_load[first + i]! * 2 + 400,
  }));
  return { dir: join(root, NAME), drifted: new TextEncoder().encode(JSON.stringify(drifted)) };
}

/** Models published per Miniflare session: one long session over ~40 publishes hung once (no answer). */
const SEED_CHUNK = 10;

/** The fleet in a fresh local R2 state: the default model, plus `models` copies, each with drifted data. */
async function seedFleet(persistTo: string, checkpoint: string, drifted: Uint8Array, models: number) {
  const names = Array.from({ length: models }, (_, i) => `feeder-${String(i).padStart(4, '0')}`);
  for (let start = 0; start < names.length; start += SEED_CHUNK) {
    const local = await openLocalR2(persistTo);
    try {
      if (start === 0) await publishCheckpoint({ checkpoint, destination: local.store });
      for (const name of names.slice(start, start + SEED_CHUNK)) {
        await publishCheckpoint({ checkpoint, destination: local.store, name });
        await local.store.put(`data/recent/${name}/recent.json`, drifted);
      }
    } finally {
      await local.dispose();
    }
    process.stderr.write(`[retrain-fleet] seeded ${Math.min(start + SEED_CHUNK, models)}/${models}\n`);
  }
  return names;
}

async function runRecords(persistTo: string): Promise<RunRecord[]> {
  const local = await openLocalR2(persistTo);
  try {
    const keys = await local.store.list(RUNS_PREFIX);
    const out: RunRecord[] = [];
    for (const key of keys) {
      const got = await local.store.get(key);
      if (got) out.push(JSON.parse(new TextDecoder().decode(got.bytes)) as RunRecord);
    }
    return out;
  } finally {
    await local.dispose();
  }
}

interface Phase {
  models: number;
  /** Trigger → the cron handler's answer: every model's drift check and the queue send. */
  checkMs: number;
  /** The cron's answer → the last run record: queue delivery, Workflow starts, every run. */
  retrainMs: number;
  wallMs: number;
  outcomes: Record<string, number>;
  /** Distinct errors of failed runs, with how many runs ended with each. */
  errors: Record<string, number>;
  /** Per step name: runs, total and mean ms, mean attempts (from the run records). */
  steps: Record<string, { runs: number; totalMs: number; meanMs: number; meanAttempts: number }>;
}

/** One phase: seed, start workerd, trigger the cron by hand, wait for every model's run record. */
async function phase(
  tmp: string,
  ck: Awaited<ReturnType<typeof makeCheckpoint>>,
  models: number,
  logLevel: string,
  bundle: string,
) {
  const persistTo = mkdtempSync(join(tmp, `state-${models}-`));
  const names = await seedFleet(persistTo, ck.dir, ck.drifted, models);
  let server: Server | undefined;
  try {
    server = await startWorkerd({
      persistTo,
      checkpointName: NAME,
      apiKey: randomBytes(16).toString('hex'),
      tmp,
      logLevel: logLevel,
      // A frozen bundle, not src/: wrangler dev rebuilds and restarts workerd on every source change, and
      // a restart drops the local Workflow instances that were running (nothing wakes them again).
      bundle,
    });
    await waitLoaded(server, 300_000);
    process.stderr.write(`[retrain-fleet] ${models} model(s): workerd up, running the cron\n`);
    const t0 = Date.now();
    // wrangler dev's own trigger (no --test-scheduled middleware in a --no-bundle bundle).
    const cron = await fetch(`${server.url}/cdn-cgi/handler/scheduled?cron=${CRON}`);
    if (!cron.ok) throw new Error(`the cron trigger answered ${cron.status}: ${await cron.text()}`);
    const t1 = Date.now();
    let records: RunRecord[] = [];
    let progressAt = Date.now();
    while (records.filter((r) => names.includes(r.model)).length < names.length) {
      if (/Reloading local server/.test(server.output()))
        throw new Error('wrangler dev reloaded the Worker mid-run: its running Workflow instances are lost');
      if (Date.now() - progressAt > STALL_MS) {
        // Keep workerd's output for the post-mortem (the temporary folder is removed on the way out).
        const log = join(tmpdir(), `retrain-fleet-stall-${Date.now()}.log`);
        writeFileSync(log, server.output());
        throw new Error(
          `stalled at ${records.length}/${names.length} run records (none new in ${STALL_MS / 60_000} min); workerd output in ${log}`,
        );
      }
      await new Promise((ok) => setTimeout(ok, 500));
      const before = records.length;
      records = await runRecords(persistTo);
      if (records.length > before) progressAt = Date.now();
      process.stderr.write(`[retrain-fleet] ${records.length}/${names.length} run records\n`);
    }
    const fleetRecords = records.filter((r) => names.includes(r.model));
    // The last record's `finished_at` (workerd's clock, the same machine's) ends the retraining, not the
    // poll that found it (each poll opens the local state, about a second).
    const t2 = Math.max(...fleetRecords.map((r) => Date.parse(r.finished_at)));
    const outcomes: Record<string, number> = {};
    const errors: Record<string, number> = {};
    const steps: Phase['steps'] = {};
    for (const r of fleetRecords) {
      outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
      if (r.error) errors[r.error] = (errors[r.error] ?? 0) + 1;
      for (const s of r.steps) {
        steps[s.name] ??= { runs: 0, totalMs: 0, meanMs: 0, meanAttempts: 0 };
        const line = steps[s.name]!;
        line.runs++;
        line.totalMs += s.ms;
        line.meanAttempts += s.attempts;
      }
    }
    for (const line of Object.values(steps)) {
      line.meanMs = line.totalMs / line.runs;
      line.meanAttempts /= line.runs;
    }
    return {
      models,
      checkMs: t1 - t0,
      retrainMs: t2 - t1,
      wallMs: t2 - t0,
      outcomes,
      errors,
      steps,
    } satisfies Phase;
  } finally {
    await server?.stop();
  }
}

export async function run(args: string[]): Promise<void> {
  const models = flag(args, 'models', 100);
  const days = flag(args, 'days', 40);
  // `--log-level log` keeps the Worker's console lines (queue and cron events) in a stall's saved output.
  const li = args.indexOf('--log-level');
  const logLevel = li >= 0 ? (args[li + 1] ?? 'warn') : 'warn';
  const tmp = mkdtempSync(join(tmpdir(), 'twiga-bench-retrain-'));
  tempDirs.add(tmp);
  try {
    const ck = await makeCheckpoint(tmp, days);
    const { entry: bundle } = await uploadSize(join(tmp, 'bundle'));
    const single = await phase(tmp, ck, 1, logLevel, bundle);
    const fleet = await phase(tmp, ck, models, logLevel, bundle);
    const handed = fleet.outcomes['handed_off'] ?? 0;
    const fitted = (fleet.outcomes['promoted'] ?? 0) + (fleet.outcomes['kept'] ?? 0);
    const result = {
      bench: 'retrain-fleet',
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, parallelism: availableParallelism(), loadavg1: loadavg()[0] },
      where:
        'wrangler dev --local (workerd) on the `wrangler deploy --dry-run` bundle, cron by hand at /cdn-cgi/handler/scheduled, local Queue and Workflow',
      single,
      fleet,
      shareFittedAtEdge: fitted / models,
      shareHandedToNode: handed / models,
      ratioFleetWallToSingle: fleet.wallMs / single.wallMs,
      ratioPerModelToSingle: fleet.wallMs / models / single.wallMs,
    };
    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    console.log(`retrain-fleet on workerd (wrangler dev --local), ${models} models, all due (drifted)`);
    console.log(
      `  anchor: 1 model   check ${s(single.checkMs)}  retrain ${s(single.retrainMs)}  wall ${s(single.wallMs)}  (1.00)`,
    );
    console.log(
      `  fleet: ${models} models  check ${s(fleet.checkMs)}  retrain ${s(fleet.retrainMs)}  wall ${s(fleet.wallMs)}` +
        `  (${result.ratioFleetWallToSingle.toFixed(2)}× the anchor; ${result.ratioPerModelToSingle.toFixed(3)}× per model)`,
    );
    for (const [name, line] of Object.entries(fleet.steps))
      console.log(
        `    step ${name.padEnd(15)} ${line.runs} runs  mean ${line.meanMs.toFixed(1)} ms  total ${s(line.totalMs)}  attempts ${line.meanAttempts.toFixed(2)}`,
      );
    console.log(
      `  fitted at the edge ${(100 * result.shareFittedAtEdge).toFixed(0)} %, handed to Node ${(100 * result.shareHandedToNode).toFixed(0)} %` +
        `  (outcomes ${JSON.stringify(fleet.outcomes)})`,
    );
    for (const [error, count] of Object.entries(fleet.errors)) console.log(`  failed ×${count}: ${error}`);
    mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true });
    writeFileSync(RESULTS, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`  → ${RESULTS}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    tempDirs.delete(tmp);
  }
}
