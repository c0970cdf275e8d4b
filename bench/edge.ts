/**
 * `npm run bench -- edge`: POST /predict on the Node server (`twiga-edge serve`, worker threads) and on workerd
 * (`wrangler dev --local`, checkpoint in local R2), against GET /health on the same server and the same
 * forecast computed in this process; then the same load while /reload runs every second.
 *
 * Flags: --duration S (10) --warmup S (3) --connections 1,4 --workers N (CPUs − 1) --gbdt TREES (0: linear and
 * seasonal naive only) --reps N (500, in-process) --servers node,workerd --no-direct (skip workerd's own socket)
 * --workerd-from bundle|source (bundle: the `wrangler deploy --dry-run` output, served with --no-bundle)
 * --wrangler-log-level warn --days 120 --record-days 7.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { createApp } from '../src/edge/app.js';
import { inProcessPredictors } from '../src/edge/predictor.js';
import { PredictRequestSchema } from '../src/edge/schemas.js';
import { NET_LOAD_MODELS, netLoadCsv, netLoadPipeline } from '../src/node/demo/net-load.js';
import { FsCheckpointStore } from '../src/node/fs-store.js';
import { memoryLogger } from '../src/node/log.js';
import { publish } from '../src/node/publish.js';
import { train } from '../src/node/train.js';
import { loadCheckpoint } from '../src/runtime/checkpoint/index.js';
import { buildFeatures, prepareFrame } from '../src/runtime/features/pipeline.js';
import { forecastToJson } from '../src/runtime/forecast-json.js';
import { Forecaster } from '../src/runtime/forecaster.js';
import { frameFromRecords } from '../src/runtime/input/frame-input.js';
import { createOnnxEngine } from '../src/runtime/onnx/engine.js';
import { settingsFromEnv } from '../src/runtime/settings.js';
import { syntheticNetLoad } from '../src/runtime/synthetic.js';
import { formatTimestamp } from '../src/runtime/time-format.js';
import { flagReader, formatJson, machineInfo } from './bench-io.js';
import { type LoadRun, load, median, type ReloadLoop, reloadLoop } from './edge-load.js';
import {
  directWorkerdUrl,
  installExitHandlers,
  live,
  type Server,
  startNode,
  startWorkerd,
  tempDirs,
  uploadSize,
  waitLoaded,
} from './edge-servers.js';

const RESULTS = new URL('./results/', import.meta.url);
const NAME = 'twiga-bench';
const PER_DAY = 48;
const TARGET_P50_MS = 3;
/** In-process iterations before timing: the JIT needs a few hundred to settle. */
const WARM = 300;

interface Flags {
  days: number;
  recordDays: number;
  seconds: number;
  warmup: number;
  connections: number[];
  workers: number;
  gbdt: number;
  reps: number;
  servers: string[];
  /** `warn` keeps wrangler from printing (through its Node process) a line per request. */
  wranglerLogLevel: string;
  /** `bundle`: serve the dry-run bundle (`--no-bundle`); `source`: let wrangler dev build and watch src/. */
  workerdFrom: string;
  /** Also measure workerd's own socket, behind wrangler dev's proxy worker. */
  direct: boolean;
}

function parseFlags(args: string[]): Flags {
  const { get, num } = flagReader(args);
  return {
    days: num('days', 120),
    recordDays: num('record-days', 7),
    seconds: num('duration', 10),
    warmup: num('warmup', 3),
    connections: (get('connections') ?? '1,4').split(',').map(Number),
    workers: num('workers', Math.max(1, availableParallelism() - 1)),
    gbdt: num('gbdt', 0),
    reps: num('reps', 500),
    servers: (get('servers') ?? 'node,workerd').split(','),
    wranglerLogLevel: get('wrangler-log-level') ?? 'warn',
    workerdFrom: get('workerd-from') ?? 'bundle',
    direct: !args.includes('--no-direct'),
  };
}

/** Synthetic 30-min net load → CSV → train() → checkpoint folder; the request body is the last `recordDays`. */
async function makeCheckpoint(tmp: string, f: Flags) {
  const series = syntheticNetLoad({ days: f.days });
  const csv = join(tmp, 'net_load.csv');
  writeFileSync(csv, netLoadCsv(series, { columns: ['net_load'] }));
  const root = join(tmp, 'checkpoints');
  const t0 = performance.now();
  await train({
    logger: memoryLogger(),
    config: {
      data: { path: csv },
      pipeline: netLoadPipeline(),
      models: [
        ...NET_LOAD_MODELS,
        ...(f.gbdt > 0 ? [{ name: 'gbdt' as const, numTrees: f.gbdt, earlyStoppingRounds: 0 }] : []),
      ],
      train: { checkpointRoot: root, name: NAME },
    },
  });
  const trainSeconds = (performance.now() - t0) / 1000;
  const first = series.time.length - f.recordDays * PER_DAY;
  const records = Array.from(series.time.subarray(first), (t, i) => ({
    timestamp: formatTimestamp(t),
    net_load: series.net_load[first + i]!,
  }));
  return {
    root,
    dir: join(root, NAME),
    body: JSON.stringify({ records }),
    records: records.length,
    trainSeconds,
  };
}

/** The same forecast in this process, stage by stage (median ms of `reps`), and through the app without a socket. */
async function inProcess(root: string, body: string, apiKey: string, reps: number) {
  const store = new FsCheckpointStore(root);
  const engine = createOnnxEngine();
  const loaded = await loadCheckpoint(store, NAME);
  const forecaster = await Forecaster.fromFiles(loaded.files, engine);
  const p = forecaster.pipeline;
  const stages: Record<string, number[]> = {
    json_parse: [],
    zod: [],
    frame: [],
    features: [],
    predict_latest: [],
    json_out: [],
    total: [],
  };
  let bytesOut = 0;
  for (let i = 0; i < reps + WARM; i++) {
    const t0 = performance.now();
    const raw: unknown = JSON.parse(body);
    const t1 = performance.now();
    // The route's validator; the handler then uses its output as is.
    const req = PredictRequestSchema.parse(raw);
    const t2 = performance.now();
    const frame = frameFromRecords(req.records, p.config);
    const t3 = performance.now();
    const origin = frame.time.length;
    buildFeatures(p, prepareFrame(p, frame), [origin]);
    const t4 = performance.now();
    const batch = await forecaster.predictLatest(frame);
    const t5 = performance.now();
    const out = JSON.stringify(forecastToJson(batch, 0, loaded.version, forecaster.manifest.ensemble));
    const t6 = performance.now();
    bytesOut = out.length;
    if (i < WARM) continue;
    stages['json_parse']!.push(t1 - t0);
    stages['zod']!.push(t2 - t1);
    stages['frame']!.push(t3 - t2);
    stages['features']!.push(t4 - t3);
    stages['predict_latest']!.push(t5 - t4);
    stages['json_out']!.push(t6 - t5);
    stages['total']!.push(t6 - t0 - (t4 - t3));
  }
  await forecaster.release();

  const settings = settingsFromEnv({ TWIGA_SERVE_CHECKPOINT: NAME, TWIGA_SERVE_API_KEY: apiKey });
  const app = createApp({ store, settings, predictors: inProcessPredictors(engine) });
  await app.host.ensure();
  const headers = { 'content-type': 'application/json', 'x-api-key': apiKey };
  const appTimes = { predict: [] as number[], health: [] as number[] };
  for (let i = 0; i < reps + WARM; i++) {
    let t = performance.now();
    const res = await app.request('/predict', { method: 'POST', headers, body });
    await res.text();
    if (res.status !== 200) throw new Error(`in-process /predict: ${res.status}`);
    if (i >= WARM) appTimes.predict.push(performance.now() - t);
    t = performance.now();
    await (await app.request('/health')).text();
    if (i >= WARM) appTimes.health.push(performance.now() - t);
  }
  await app.host.active?.predictor.release();
  const med = (xs: number[]) => median(xs);
  return {
    reps,
    bytesIn: body.length,
    bytesOut,
    /** `features` is measured apart; `predict_latest` repeats it (features + ORT + inverse scaling + ensemble). */
    stagesMs: Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, med(v)])),
    appRequestMs: { predict: med(appTimes.predict), health: med(appTimes.health) },
  };
}

interface ServerResult {
  server: string;
  url?: string;
  health?: Record<string, unknown>;
  startSeconds?: number;
  runs: LoadRun[];
  reload?: { run: LoadRun; reloads: ReloadLoop };
  error?: string;
  /** The last lines the server printed (ANSI colours removed). */
  outputTail?: string;
}

/** Warm-up, then health and predict at each connection count, then predict while /reload runs every second. */
async function measure(
  result: ServerResult,
  url: string,
  pid: number,
  body: string,
  apiKey: string,
  f: Flags,
): Promise<void> {
  const kind = result.server;
  const headers = { 'content-type': 'application/json', 'x-api-key': apiKey };
  const predict = { url: `${url}/predict`, method: 'POST' as const, headers, body };
  const health = { url: `${url}/health`, method: 'GET' as const };
  const probe = await fetch(predict.url, { method: 'POST', headers, body });
  const text = await probe.text();
  if (probe.status !== 200) throw new Error(`POST /predict → ${probe.status} ${text}`);
  const maxC = Math.max(...f.connections);
  process.stderr.write(`[edge bench] ${kind}: warming up\n`);
  await load('warmup', predict, maxC, f.warmup);
  await load('warmup', health, maxC, Math.min(1, f.warmup));
  for (const c of f.connections) {
    process.stderr.write(`[edge bench] ${kind}: ${f.seconds} s runs at ${c} connection(s)\n`);
    result.runs.push(await load('health', health, c, f.seconds, pid));
    result.runs.push(await load('predict', predict, c, f.seconds, pid));
  }
  process.stderr.write(`[edge bench] ${kind}: predict with /reload every second\n`);
  let done!: () => void;
  const finished = new Promise<void>((ok) => {
    done = ok;
  });
  const reloads = reloadLoop(url, { 'x-api-key': apiKey }, finished);
  const run = await load('predict+reload', predict, maxC, f.seconds, pid).finally(done);
  result.reload = { run, reloads: await reloads };
}

/**
 * Starts a server, measures it, stops it (always). With `direct`, also measures the URL it finds once the
 * server is up (workerd's own socket behind wrangler dev's proxy), as a second result.
 */
async function benchServer(
  kind: string,
  start: () => Promise<Server>,
  body: string,
  apiKey: string,
  f: Flags,
  direct?: { kind: string; find: (server: Server) => Promise<string | undefined> },
): Promise<ServerResult[]> {
  const result: ServerResult = { server: kind, runs: [] };
  const results = [result];
  const t0 = performance.now();
  let server: Server | undefined;
  const fail = (r: ServerResult, error: unknown) => {
    r.error = error instanceof Error ? error.message : String(error);
    process.stderr.write(`[edge bench] ${r.server} failed: ${r.error}\n`);
  };
  try {
    server = await start();
    result.url = server.url;
    result.health = await waitLoaded(server);
    result.startSeconds = (performance.now() - t0) / 1000;
    process.stderr.write(`[edge bench] ${kind}: up and loaded in ${result.startSeconds.toFixed(1)} s\n`);
    await measure(result, server.url, server.pid, body, apiKey, f);
    if (direct) {
      const other: ServerResult = { server: direct.kind, runs: [] };
      results.push(other);
      try {
        const url = await direct.find(server);
        if (url === undefined) throw new Error('no socket of the server answered /health');
        other.url = url;
        await measure(other, url, server.pid, body, apiKey, f);
      } catch (error) {
        fail(other, error);
      }
    }
  } catch (error) {
    fail(result, error);
    if (server) result.error += `\n--- server output ---\n${stripVTControlCharacters(server.output())}`;
  } finally {
    await server?.stop();
    if (server) result.outputTail = stripVTControlCharacters(server.output()).slice(-4000);
  }
  return results;
}

const ms = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '–' : x.toFixed(2));

function printServer(r: ServerResult, appPredictMs: number): void {
  if (r.error) {
    console.log(`\n${r.server}: FAILED\n${r.error}`);
    return;
  }
  const up = r.startSeconds === undefined ? '' : `, up and loaded in ${r.startSeconds.toFixed(1)} s`;
  const what =
    r.server === 'workerd'
      ? ' via wrangler dev (its proxy worker in front)'
      : r.server === 'workerd-direct'
        ? " the same isolate, on workerd's own socket"
        : '';
  console.log(`\n${r.server}${what} (${r.url}${up})`);
  console.log(
    '  conn  route             req/s   p50 ms   p90 ms   p99 ms   max ms  failed  p50÷health  HTTP overhead' +
      '  CPU ms/request by process',
  );
  const rows = [...r.runs, ...(r.reload ? [r.reload.run] : [])];
  for (const run of rows) {
    const health = r.runs.find((h) => h.route === 'health' && h.connections === run.connections);
    const isPredict = run.route !== 'health';
    const ratio = isPredict && health ? `${(run.latencyMs.p50 / health.latencyMs.p50).toFixed(1)}×` : '';
    // p50 over HTTP minus the same request through app.request in this process.
    const overhead = isPredict ? `${(run.latencyMs.p50 - appPredictMs).toFixed(2)} ms` : '';
    const cpu = Object.entries(run.cpuMsPerRequest)
      .filter(([, t]) => t >= 0.005)
      .map(([comm, t]) => `${comm} ${t.toFixed(2)}`)
      .join(' · ');
    console.log(
      `  ${String(run.connections).padStart(4)}  ${run.route.padEnd(15)} ${run.rps.toFixed(0).padStart(6)}  ` +
        `${ms(run.latencyMs.p50).padStart(7)}  ${ms(run.latencyMs.p90).padStart(7)}  ${ms(run.latencyMs.p99).padStart(7)}  ` +
        `${ms(run.latencyMs.max).padStart(7)}  ${String(run.failed).padStart(6)}  ${ratio.padStart(10)}  ${overhead.padStart(13)}` +
        `  ${cpu}`,
    );
  }
  if (r.reload) {
    const l = r.reload.reloads;
    console.log(
      `  reloads: ${l.ok}/${l.attempted} ok (p50 ${ms(l.latencyMs.p50)} ms, max ${ms(l.latencyMs.max)} ms), ` +
        `failed predicts during reloads: ${r.reload.run.failed} (target 0) ${r.reload.run.failed === 0 ? '✓' : '✗'}` +
        (l.failures.length ? `\n  reload failures: ${l.failures.join(' | ')}` : ''),
    );
  }
}

export async function run(args: string[]): Promise<void> {
  const f = parseFlags(args);
  const load0 = loadavg();
  const started = new Date();
  const tmp = mkdtempSync(join(tmpdir(), 'twiga-edge-bench-'));
  tempDirs.add(tmp);
  installExitHandlers();
  const apiKey = randomBytes(16).toString('hex');
  const servers: ServerResult[] = [];
  try {
    const ck = await makeCheckpoint(tmp, f);
    const models = ['linear', 'seasonal_naive', ...(f.gbdt > 0 ? [`gbdt (${f.gbdt} trees)`] : [])];
    process.stderr.write(`[edge bench] trained ${models.join(', ')} in ${ck.trainSeconds.toFixed(1)} s\n`);
    const before = await inProcess(ck.root, ck.body, apiKey, f.reps);
    const upload = await uploadSize(join(tmp, 'dry-run')).catch((e: Error) => ({ error: e.message }));

    if (f.servers.includes('node')) {
      servers.push(
        ...(await benchServer('node', () => startNode(ck.dir, f.workers, apiKey), ck.body, apiKey, f)),
      );
    }
    if (f.servers.includes('workerd')) {
      const persistTo = join(tmp, 'wrangler-state');
      const published = await publish({ checkpoint: ck.dir, local: true, persistTo });
      process.stderr.write(
        `[edge bench] published ${published.destination} v${published.version} to ${persistTo}\n`,
      );
      servers.push(
        ...(await benchServer(
          'workerd',
          () =>
            startWorkerd({
              persistTo,
              checkpointName: NAME,
              apiKey,
              tmp,
              logLevel: f.wranglerLogLevel,
              ...(f.workerdFrom === 'bundle' && !('error' in upload) ? { bundle: upload.entry } : {}),
            }),
          ck.body,
          apiKey,
          f,
          f.direct ? { kind: 'workerd-direct', find: directWorkerdUrl } : undefined,
        )),
      );
    }

    // Again after the servers: the machine's other work shifts these figures; the lower app.request is the anchor.
    const after = await inProcess(ck.root, ck.body, apiKey, f.reps);
    const local = after.appRequestMs.predict < before.appRequestMs.predict ? after : before;
    console.log(
      `edge bench: ${models.join(' + ')}, horizon 48 × 30 min, lookback 7 days; body ${ck.records} records ` +
        `(${(local.bytesIn / 1024).toFixed(1)} KiB) → ${(local.bytesOut / 1024).toFixed(1)} KiB; ` +
        `${cpus().length} CPUs, load ${load0.map((x) => x.toFixed(2)).join(' ')}; ${f.seconds} s runs, ` +
        `Node server with ${f.workers} worker thread(s); workerd from the ${f.workerdFrom}; autocannon runs in this process`,
    );
    console.log(`\nin-process anchor (this Node, median of ${f.reps}, ms), before | after the servers:`);
    const stage = (k: string) => `${ms(before.stagesMs[k])} | ${ms(after.stagesMs[k])}`;
    console.log(
      `  JSON.parse ${stage('json_parse')} · zod ${stage('zod')}\n` +
        `  records→frame ${stage('frame')} · predictLatest ${stage('predict_latest')} (features ${stage('features')}, rest ORT) · ` +
        `JSON out ${stage('json_out')} · total ${stage('total')}\n` +
        `  app.request (Hono + auth + validator + all of the above, no socket): /predict ` +
        `${ms(before.appRequestMs.predict)} | ${ms(after.appRequestMs.predict)}, /health ` +
        `${ms(before.appRequestMs.health)} | ${ms(after.appRequestMs.health)}`,
    );
    for (const r of servers) printServer(r, local.appRequestMs.predict);

    console.log('\ntargets:');
    for (const r of servers.filter((x) => x.server.startsWith('workerd'))) {
      const p50 = r.runs.find((x) => x.route === 'predict' && x.connections === 1)?.latencyMs.p50;
      console.log(
        `  ${r.server} p50 ≤ ${TARGET_P50_MS} ms (1 connection): ${ms(p50)} ms ` +
          (p50 === undefined ? '(not measured)' : p50 <= TARGET_P50_MS ? '✓' : '✗'),
      );
    }
    for (const r of servers) {
      if (r.reload) {
        console.log(
          `  zero failed requests during reloads, ${r.server}: ${r.reload.run.failed} failed of ` +
            `${r.reload.run.requests}, ${r.reload.reloads.ok} reloads ${r.reload.run.failed === 0 ? '✓' : '✗'}`,
        );
      }
    }
    console.log(
      'error' in upload
        ? `\nworker upload size: not measured: ${upload.error}`
        : `\nworker upload (wrangler deploy --dry-run): ${upload.totalKiB} KiB, gzip ${upload.gzipKiB} KiB ` +
            `(${(upload.gzipKiB / 1024).toFixed(2)} MiB; Workers free plan limit 3 MiB, paid 10 MiB)`,
    );

    mkdirSync(RESULTS, { recursive: true });
    const file = new URL(
      `edge-${started.toISOString().replaceAll(':', '-').replace(/\..*/, '')}.json`,
      RESULTS,
    );
    const json = {
      bench: 'edge',
      date: started.toISOString(),
      machine: machineInfo(load0),
      settings: { ...f, models, records: ck.records, trainSeconds: ck.trainSeconds },
      targets: { workerdP50Ms: TARGET_P50_MS, failedDuringReloads: 0 },
      inProcess: { before, after },
      upload,
      servers,
    };
    writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
    formatJson(file.pathname);
    console.log(`\nwrote ${file.pathname}`);
  } finally {
    await Promise.allSettled([...live].map((s) => s.stop()));
    rmSync(tmp, { recursive: true, force: true });
  }
}
