/**
 * `npm run bench -- fleet-serve`: serving a fleet by name, against today's single-model `/predict` measured in
 * the same run on the same server. On Node (`twiga-edge serve --checkpoints`, worker threads) and on workerd
 * (`wrangler dev --local`, the fleet in local R2):
 * - warm: `/models/{name}/predict` p50/p99 vs `/predict` (the default model), 1 connection (target ≤ 1.2×);
 * - cold: the first request after eviction — a server whose budget holds few models, asked in turn for more
 *   models than fit, so every request loads (target p50 ≤ 50 ms for a linear model);
 * - promotions: 0 failed requests while 10 models are promoted (new versions) under load, picked up by poll;
 * and in this process: memory per loaded model, and how many stay loaded within 128 MB.
 *
 * Flags: --models N (40) --duration S (8) --workers N (1) --servers node,workerd --cold N (60) --promote 10.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { MODEL_OVERHEAD_BYTES } from '../src/edge/model-registry.js';
import { FsCheckpointStore } from '../src/node/fs-store.js';
import { openLocalR2, publishFleet } from '../src/node/publish.js';
import { loadCheckpoint, saveCheckpoint } from '../src/runtime/checkpoint/checkpoint.js';
import type { CheckpointStore } from '../src/runtime/checkpoint/store.js';
// The test fleet (small, seeded); the project's synthetic fleet generator replaces it later.
import { buildFleetFixture } from '../test/edge/fleet-fixture.js';
import { flagReader, formatJson, machineInfo } from './bench-io.js';
import { type LoadRun, load, median, percentile } from './edge-load.js';
import {
  installExitHandlers,
  live,
  type Server,
  startNode,
  startWorkerd,
  tempDirs,
  waitLoaded,
} from './edge-servers.js';

const RESULTS = new URL('./results/', import.meta.url);
const DEFAULT = 'single';
const FLEET = 'fleet';
const MiB = 1024 * 1024;
const TARGETS = { warmRatio: 1.2, coldP50Ms: 50, failedDuringPromotions: 0 };
/** Models a cold-run server keeps loaded besides its default one. */
const COLD_CAPACITY = 2;

interface Flags {
  models: number;
  seconds: number;
  workers: number;
  servers: string[];
  cold: number;
  promote: number;
}

function parseFlags(args: string[]): Flags {
  const { get, num } = flagReader(args);
  return {
    models: num('models', 40),
    seconds: num('duration', 8),
    workers: num('workers', 1),
    servers: (get('servers') ?? 'node,workerd').split(','),
    cold: num('cold', 60),
    promote: num('promote', 10),
  };
}

const series = (i: number) => `${FLEET}/s${String(i).padStart(4, '0')}`;

/** One trained linear checkpoint copied to `single` and `fleet/s0001…`: N models of the same size. */
async function makeFleet(tmp: string, n: number) {
  const fixture = await buildFleetFixture(1);
  tempDirs.add(fixture.dir);
  const name = fixture.names[0]!;
  const loaded = await loadCheckpoint(new FsCheckpointStore(fixture.root), name);
  const root = join(tmp, 'checkpoints');
  const store = new FsCheckpointStore(root, { durable: false });
  const meta = {
    modelType: loaded.manifest.model_type,
    checkpointFile: 'pipeline.json',
    metrics: loaded.manifest.metrics,
  };
  await saveCheckpoint(store, DEFAULT, loaded.files, meta);
  for (let i = 1; i <= n; i++) await saveCheckpoint(store, series(i), loaded.files, meta);
  const fileBytes = Object.values(loaded.files).reduce((s, f) => s + f.byteLength, 0);
  return {
    root,
    store,
    files: loaded.files,
    meta,
    fileBytes,
    body: JSON.stringify({ records: fixture.records[name] }),
  };
}

type Fleet = Awaited<ReturnType<typeof makeFleet>>;

/** Sequential requests, each timed; returns sorted latencies and failures. */
async function sequential(urls: string[], init: RequestInit) {
  const times: number[] = [];
  let failed = 0;
  for (const url of urls) {
    const t0 = performance.now();
    const res = await fetch(url, init);
    await res.arrayBuffer();
    const dt = performance.now() - t0;
    if (res.ok) times.push(dt);
    else failed++;
  }
  times.sort((a, b) => a - b);
  return {
    n: urls.length,
    failed,
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    max: times.at(-1) ?? Number.NaN,
  };
}

/** Autocannon over several paths in turn (each connection cycles through them). */
async function loadPaths(
  url: string,
  paths: string[],
  headers: Record<string, string>,
  body: string,
  seconds: number,
) {
  const instance = autocannon({
    url,
    connections: 4,
    duration: seconds,
    timeout: 10,
    requests: paths.map((path) => ({ method: 'POST' as const, path, headers, body })),
  });
  const r = await instance;
  return {
    requests: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    failed: r.non2xx + r.errors + r.timeouts,
  };
}

interface ServerFigures {
  server: string;
  warm?: { single: LoadRun[]; named: LoadRun; ratioP50: number; ratioP99: number };
  cold?: Awaited<ReturnType<typeof sequential>> & { warmNamedP50: number };
  promotions?: Awaited<ReturnType<typeof loadPaths>> & {
    promoted: number;
    promoteErrors: string[];
    followed: number;
  };
  error?: string;
}

async function benchServer(
  label: string,
  start: (vars: Record<string, string>) => Promise<Server>,
  fleet: Fleet,
  promoteStore: () => Promise<{ store: CheckpointStore; done: () => Promise<void> }>,
  apiKey: string,
  f: Flags,
): Promise<ServerFigures> {
  const headers = { 'content-type': 'application/json', 'x-api-key': apiKey };
  const out: ServerFigures = { server: label };
  try {
    // Warm, and promotions: the default budget holds every model.
    const big = await start({ TWIGA_SERVE_POLL_SECONDS: '1' });
    await waitLoaded(big);
    const target = (path: string) => ({
      url: `${big.url}${path}`,
      method: 'POST' as const,
      headers,
      body: fleet.body,
    });
    const named = `/models/${series(1)}/predict`;
    await load('warmup', target(named), 1, 2);
    await load('warmup', target('/predict'), 1, 2);
    const a = await load('predict', target('/predict'), 1, f.seconds);
    const b = await load('models/{name}/predict', target(named), 1, f.seconds);
    const c = await load('predict', target('/predict'), 1, f.seconds);
    // The better of the two anchor runs (before and after): the ratio never flatters the named route.
    const anchor = {
      p50: Math.min(a.latencyMs.p50, c.latencyMs.p50),
      p99: Math.min(a.latencyMs.p99, c.latencyMs.p99),
    };
    out.warm = {
      single: [a, c],
      named: b,
      ratioP50: b.latencyMs.p50 / anchor.p50,
      ratioP99: b.latencyMs.p99 / anchor.p99,
    };

    const promoted = Array.from({ length: f.promote }, (_, i) => series(i + 2));
    const paths = promoted.map((n) => `/models/${n}/predict`);
    await sequential(
      paths.map((p) => `${big.url}${p}`),
      { method: 'POST', headers, body: fleet.body },
    );
    const { store, done } = await promoteStore();
    const promoteErrors: string[] = [];
    let count = 0;
    const running = loadPaths(big.url, paths, headers, fleet.body, f.seconds);
    const gap = (f.seconds * 1000 * 0.7) / promoted.length;
    for (const name of promoted) {
      await new Promise((ok) => setTimeout(ok, gap));
      try {
        await saveCheckpoint(store, name, fleet.files, fleet.meta);
        count++;
      } catch (error) {
        promoteErrors.push(`${name}: ${String(error)}`);
      }
    }
    const run = await running;
    await done();
    await new Promise((ok) => setTimeout(ok, 1500));
    let followed = 0;
    for (const name of promoted) {
      await fetch(`${big.url}/models/${name}/predict`, { method: 'POST', headers, body: fleet.body }).then(
        (r) => r.text(),
      );
      await new Promise((ok) => setTimeout(ok, 50));
      const h = (await (await fetch(`${big.url}/models/${name}/health`, { headers })).json()) as {
        version: number;
      };
      if (h.version > 1) followed++;
    }
    out.promotions = { ...run, promoted: count, promoteErrors, followed };
    await big.stop();
    live.delete(big);

    // Cold: room for COLD_CAPACITY models besides the default; asking in turn for more evicts on every request.
    const budget =
      ((COLD_CAPACITY + 1) * (fleet.fileBytes + MODEL_OVERHEAD_BYTES) + MODEL_OVERHEAD_BYTES / 2) / MiB;
    const small = await start({ TWIGA_SERVE_POLL_SECONDS: '60', TWIGA_SERVE_MAX_LOADED_MB: String(budget) });
    await waitLoaded(small);
    const cycle = Array.from(
      { length: f.cold },
      (_, i) => `${small.url}/models/${series(20 + (i % (COLD_CAPACITY + 3)))}/predict`,
    );
    const init = { method: 'POST', headers, body: fleet.body };
    await sequential(cycle.slice(0, COLD_CAPACITY + 3), init);
    const cold = await sequential(cycle, init);
    const warmSeq = await sequential(new Array(30).fill(`${small.url}/models/${series(20)}/predict`), init);
    out.cold = { ...cold, warmNamedP50: warmSeq.p50 };
    await small.stop();
    live.delete(small);
  } catch (error) {
    out.error = error instanceof Error ? (error.stack ?? error.message) : String(error);
  }
  return out;
}

/**
 * Memory of M loaded models in a fresh Node process (bench/fleet-memory.ts: the app in-process, as in one
 * isolate): V8 heap + external (buffers, WASM memories) and RSS, after a GC, before and after the M loads.
 */
function memoryPerModel(fleet: Fleet, tmp: string, models: number, runs = 3) {
  const bodyFile = join(tmp, 'body.json');
  writeFileSync(bodyFile, fleet.body);
  // RSS moves with the allocator's mood: the run with the median RSS growth of a few fresh processes.
  const all = Array.from({ length: runs }, () => memoryRun(fleet, bodyFile, models));
  const middle = median(all.map((x) => x.perModelRssBytes));
  const chosen = all.find((x) => x.perModelRssBytes === middle) ?? all[0]!;
  return { ...chosen, runs, perModelRssBytesAll: all.map((x) => x.perModelRssBytes) };
}

function memoryRun(fleet: Fleet, bodyFile: string, models: number) {
  const out = execFileSync(
    process.execPath,
    [
      '--expose-gc',
      '--conditions=source',
      '--import',
      'tsx',
      'bench/fleet-memory.ts',
      fleet.root,
      bodyFile,
      DEFAULT,
      String(models),
      `${FLEET}/s`,
    ],
    { cwd: new URL('..', import.meta.url), encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  type Mem = { heapUsed: number; external: number; rss: number };
  const m = JSON.parse(out.trim().split('\n').at(-1)!) as {
    gc: boolean;
    base: Mem;
    early: Mem;
    third: number;
    after: Mem;
    loaded: number;
  };
  const heapExt = (x: Mem) => x.heapUsed + x.external;
  // The slope over the last two thirds: the first loads also free start-up buffers (ORT's .wasm bytes).
  const span = m.loaded - m.third;
  const perModel = (heapExt(m.after) - heapExt(m.early)) / span;
  const perModelRss = (m.after.rss - m.early.rss) / span;
  const estimate = fleet.fileBytes + MODEL_OVERHEAD_BYTES;
  // The runtime without fleet models, once start-up buffers are freed: the early point minus its models.
  const baseline = heapExt(m.early) - m.third * perModel;
  return {
    models: m.loaded,
    gcExposed: m.gc,
    /** Heap + external of the started runtime with its default model, start-up buffers freed. */
    baselineBytes: baseline,
    baselineRssBytes: m.base.rss,
    perModelBytes: perModel,
    perModelRssBytes: perModelRss,
    registryEstimateBytes: estimate,
    /**
     * Models that fit in 128 MB next to the runtime, counting each by its RSS growth (ORT's WASM memory is in
     * RSS, not in heap or external).
     */
    within128MB: Math.floor((128 * MiB - baseline) / Math.max(perModelRss, 1)),
    /** The same counting only heap + external per model (a lower bound on a model's cost). */
    within128MBByHeap: Math.floor((128 * MiB - baseline) / Math.max(perModel, 1)),
    /** What the registry keeps loaded at the default budget (64 MB) by its own estimate. */
    atDefaultBudget: Math.floor((64 * MiB) / estimate),
  };
}

const ms = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '–' : x.toFixed(2));
const ok = (pass: boolean) => (pass ? '✓' : '✗');

function print(r: ServerFigures): void {
  if (r.error) {
    console.log(`\n${r.server}: FAILED\n${r.error}`);
    return;
  }
  console.log(`\n${r.server}`);
  if (r.warm) {
    const [a, c] = r.warm.single as [LoadRun, LoadRun];
    const b = r.warm.named;
    console.log(
      `  warm, 1 connection: /predict p50 ${ms(a.latencyMs.p50)} | ${ms(c.latencyMs.p50)} ms, p99 ${ms(a.latencyMs.p99)} | ${ms(c.latencyMs.p99)} ms (before | after)\n` +
        `                      /models/{name}/predict p50 ${ms(b.latencyMs.p50)} ms, p99 ${ms(b.latencyMs.p99)} ms → ` +
        `${r.warm.ratioP50.toFixed(2)}× p50, ${r.warm.ratioP99.toFixed(2)}× p99 of /predict (target ≤ ${TARGETS.warmRatio}×) ${ok(r.warm.ratioP50 <= TARGETS.warmRatio)}` +
        `; failed ${a.failed + b.failed + c.failed}`,
    );
  }
  if (r.cold) {
    console.log(
      `  cold (first request after eviction, ${r.cold.n} in turn over ${COLD_CAPACITY + 3} models, room for ${COLD_CAPACITY}): ` +
        `p50 ${ms(r.cold.p50)} ms, p99 ${ms(r.cold.p99)} ms, max ${ms(r.cold.max)} ms (target p50 ≤ ${TARGETS.coldP50Ms} ms) ${ok(r.cold.p50 <= TARGETS.coldP50Ms)}; ` +
        `${(r.cold.p50 / r.cold.warmNamedP50).toFixed(1)}× the same server's warm sequential p50 ${ms(r.cold.warmNamedP50)} ms; failed ${r.cold.failed}`,
    );
  }
  if (r.promotions) {
    const p = r.promotions;
    console.log(
      `  ${p.promoted} models promoted under load (4 connections over them): ${p.failed} failed of ${p.requests} ` +
        `(target ${TARGETS.failedDuringPromotions}) ${ok(p.failed === 0 && p.promoted > 0)}; ${p.followed}/${p.promoted} serving the new version after one poll` +
        (p.promoteErrors.length ? `\n  promote errors: ${p.promoteErrors.slice(0, 3).join(' | ')}` : ''),
    );
  }
}

export async function run(args: string[]): Promise<void> {
  const f = parseFlags(args);
  const load0 = loadavg();
  const started = new Date();
  const tmp = mkdtempSync(join(tmpdir(), 'twiga-fleet-bench-'));
  tempDirs.add(tmp);
  installExitHandlers();
  const apiKey = randomBytes(16).toString('hex');
  const results: ServerFigures[] = [];
  try {
    const fleet = await makeFleet(tmp, Math.max(f.models, 20 + COLD_CAPACITY + 3, f.promote + 1));
    const memory = memoryPerModel(fleet, tmp, Math.min(30, f.models));
    if (f.servers.includes('node')) {
      const start = (vars: Record<string, string>) =>
        startNode(fleet.root, f.workers, apiKey, {
          fleet: true,
          env: { TWIGA_SERVE_CHECKPOINT: DEFAULT, ...vars },
        });
      const promoteStore = async () => ({
        store: fleet.store as CheckpointStore,
        done: async () => undefined,
      });
      results.push(await benchServer('node', start, fleet, promoteStore, apiKey, f));
    }
    if (f.servers.includes('workerd')) {
      const persistTo = join(tmp, 'wrangler-state');
      const local = await openLocalR2(persistTo);
      try {
        await publishFleet({ checkpoints: fleet.root, destination: local.store });
      } finally {
        await local.dispose();
      }
      const start = (vars: Record<string, string>) =>
        startWorkerd({ persistTo, checkpointName: DEFAULT, apiKey, tmp, logLevel: 'warn', vars });
      // Promotions through Miniflare on the same state folder wrangler dev serves.
      const promoteStore = async () => {
        const r2 = await openLocalR2(persistTo);
        return { store: r2.store as CheckpointStore, done: () => r2.dispose() };
      };
      results.push(await benchServer('workerd', start, fleet, promoteStore, apiKey, f));
    }

    console.log(
      `fleet-serve bench: ${f.models} linear models (${(fleet.fileBytes / 1024).toFixed(1)} KiB of files each), ` +
        `horizon 48 × 30 min; ${cpus().length} CPUs, load ${load0.map((x) => x.toFixed(2)).join(' ')}; ` +
        `${f.seconds} s runs; Node server with ${f.workers} worker thread(s); workerd via wrangler dev (its proxy in front)`,
    );
    for (const r of results) print(r);
    console.log(
      `\nmemory (median of ${memory.runs} fresh Node processes, ${memory.models} models loaded in-process as in one isolate${memory.gcExposed ? ', after GC' : ''}): ` +
        `${(memory.perModelBytes / 1024).toFixed(0)} KiB heap+external per model (RSS growth ${(memory.perModelRssBytes / 1024).toFixed(0)} KiB), ` +
        `${(memory.perModelBytes / memory.registryEstimateBytes).toFixed(2)}× (RSS ${(memory.perModelRssBytes / memory.registryEstimateBytes).toFixed(2)}×) the registry's estimate of ` +
        `${(memory.registryEstimateBytes / 1024).toFixed(0)} KiB;\n  runtime with its default model ${(memory.baselineBytes / MiB).toFixed(1)} MiB heap+external ` +
        `(process RSS ${(memory.baselineRssBytes / MiB).toFixed(1)} MiB) → about ${memory.within128MB} models within 128 MB ` +
        `counting RSS growth (${memory.within128MBByHeap} counting heap+external only); the default budget (64 MB) keeps ${memory.atDefaultBudget} loaded`,
    );

    mkdirSync(RESULTS, { recursive: true });
    const file = new URL('fleet-serve.json', RESULTS);
    const json = {
      bench: 'fleet-serve',
      date: started.toISOString(),
      machine: machineInfo(load0),
      settings: {
        ...f,
        fileBytes: fleet.fileBytes,
        coldCapacity: COLD_CAPACITY,
        modelOverheadBytes: MODEL_OVERHEAD_BYTES,
      },
      targets: TARGETS,
      memory,
      servers: results,
    };
    writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
    formatJson(file.pathname);
    console.log(`\nwrote ${file.pathname}`);
  } finally {
    await Promise.allSettled([...live].map((s) => s.stop()));
    rmSync(tmp, { recursive: true, force: true });
  }
}
