/**
 * `npm run bench -- engine`: the lean engine against onnxruntime-web (ORT) in the same run —
 * 1. tree-ensemble inference (100 trees, depth 6, 50 features; batch 1 and 1,000), in this Node process, on
 *    xgboost's own trees when Debian's python3-xgboost is present (and its `inplace_predict` timed as the anchor),
 *    else on random complete trees;
 * 2. a linear day-ahead model (MatMul + Add), batch 1 and 1,000;
 * 3. a day-ahead `POST /predict` p50 on workerd (`wrangler dev --local`, checkpoint in local R2), the same bundle
 *    with `TWIGA_INFERENCE_ENGINE=lean` and `=ort`.
 * Writes bench/results/engine.json.
 *
 * Flags: --duration S (8) --warmup S (2) --reps1 N (3000) --reps-batch N (200) --no-workerd --days 60.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NET_LOAD_MODELS, netLoadCsv, netLoadPipeline } from '../src/node/demo/net-load.js';
import { nodeLeanKernels } from '../src/node/lean-wasm.js';
import { memoryLogger } from '../src/node/log.js';
import { publish } from '../src/node/publish.js';
import { train } from '../src/node/train.js';
import type { InferenceEngine } from '../src/runtime/engine/contract.js';
import { createLeanEngine } from '../src/runtime/lean/engine.js';
import { jsLeanKernels } from '../src/runtime/lean/kernels.js';
import { exportModel } from '../src/runtime/models/export.js';
import type { GbdtSpec } from '../src/runtime/models/spec.js';
import { createOnnxEngine } from '../src/runtime/onnx/engine.js';
import { mulberry32, syntheticNetLoad } from '../src/runtime/synthetic.js';
import { formatTimestamp } from '../src/runtime/time-format.js';
import { randomFeatures, randomGbdtSpec } from '../test/runtime/lean/random-models.js';
import { machineInfo } from './bench-io.js';
import { load, median } from './edge-load.js';
import { installExitHandlers, live, startWorkerd, tempDirs, waitLoaded } from './edge-servers.js';
import { xgboostTrees } from './engine-xgboost.js';

const RESULTS = fileURLToPath(new URL('./results/engine.json', import.meta.url));
const TREES = 100;
const DEPTH = 6;
const FEATURES = 50;
const BATCH = 1000;
const NAME = 'twiga-engine-bench';

interface Flags {
  seconds: number;
  warmup: number;
  reps1: number;
  repsBatch: number;
  workerd: boolean;
  days: number;
}

function parseFlags(args: string[]): Flags {
  const get = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const num = (name: string, fallback: number) => Number(get(name) ?? fallback);
  return {
    seconds: num('duration', 8),
    warmup: num('warmup', 2),
    reps1: num('reps1', 3000),
    repsBatch: num('reps-batch', 200),
    workerd: !args.includes('--no-workerd'),
    days: num('days', 60),
  };
}

/** Median ms per `run` over `reps` calls, after `reps / 5` warm-up calls. */
async function time(run: () => Promise<unknown>, reps: number): Promise<number> {
  for (let i = 0; i < Math.ceil(reps / 5); i++) await run();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  return median(times);
}

const ENGINES: Array<[string, () => Promise<InferenceEngine>]> = [
  ['lean', async () => createLeanEngine({ kernels: await nodeLeanKernels() })],
  ['lean-js', async () => createLeanEngine({ kernels: jsLeanKernels })],
  ['ort', async () => createOnnxEngine()],
];

/** Per engine, median ms at batch 1 and `BATCH`; and whether every engine gave the same bits. */
async function inference(bytes: Uint8Array, x: Float32Array, nFeatures: number, f: Flags) {
  const result: Record<string, { batch1Ms: number; batch1000Ms: number }> = {};
  const outputs: Float32Array[] = [];
  for (const [name, make] of ENGINES) {
    const session = await (await make()).load(bytes, name);
    const one = x.subarray(0, nFeatures);
    const batch1Ms = await time(() => session.run(one, 1, nFeatures), f.reps1);
    const batch1000Ms = await time(() => session.run(x, BATCH, nFeatures), f.repsBatch);
    outputs.push(await session.run(x, BATCH, nFeatures));
    await session.release();
    result[name] = { batch1Ms, batch1000Ms };
    process.stderr.write(
      `[engine bench] ${name}: batch 1 ${batch1Ms.toFixed(4)} ms, batch ${BATCH} ${batch1000Ms.toFixed(3)} ms\n`,
    );
  }
  const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
  const identical = outputs.every((o) => JSON.stringify(bits(o)) === JSON.stringify(bits(outputs[0]!)));
  return { engines: result, identicalOutputs: identical, output: outputs[0]! };
}

/** Synthetic regression data for xgboost: a few interacting features, the rest noise. */
function regression(n: number, seed: number) {
  const x = randomFeatures(n, FEATURES, seed);
  const rand = mulberry32(seed + 1);
  const y = Float32Array.from({ length: n }, (_, r) => {
    const v = (k: number) => x[r * FEATURES + k]!;
    return Math.sin(v(0)) + 0.5 * v(1) * v(2) + (v(3) > 0 ? 1 : -1) + 0.3 * v(4) + 0.2 * (rand() - 0.5);
  });
  return { x, y };
}

async function trees(f: Flags) {
  const n = 20_000;
  const data = regression(n, 3);
  const xgb = xgboostTrees(data.x, data.y, {
    n,
    nFeatures: FEATURES,
    trees: TREES,
    depth: DEPTH,
    reps1: f.reps1,
    repsBatch: f.repsBatch,
    batch: BATCH,
  });
  const spec: GbdtSpec =
    xgb?.spec ?? randomGbdtSpec({ trees: TREES, depth: DEPTH, nFeatures: FEATURES, horizon: 1, seed: 7 });
  const nodes = spec.nodeFeature.length;
  process.stderr.write(
    `[engine bench] trees: ${xgb ? `xgboost ${xgb.version}'s` : 'random'} ${TREES} trees, ${nodes} nodes\n`,
  );
  const x = data.x.subarray(0, BATCH * FEATURES);
  const run = await inference(exportModel(spec), x, FEATURES, f);
  let maxAbsVsXgboost: number | undefined;
  if (xgb) {
    maxAbsVsXgboost = 0;
    for (let i = 0; i < BATCH; i++)
      maxAbsVsXgboost = Math.max(maxAbsVsXgboost, Math.abs(run.output[i]! - xgb.predictions[i]!));
  }
  return {
    source: xgb ? `xgboost ${xgb.version}` : 'random complete trees',
    nodes,
    ...run,
    output: undefined,
    xgboost: xgb ? { version: xgb.version, medianMs: xgb.timings } : null,
    maxAbsVsXgboost,
  };
}

async function linear(f: Flags) {
  const F = 170;
  const nOut = 48;
  const rand = mulberry32(5);
  const bytes = exportModel({
    kind: 'linear',
    label: 'linear',
    nFeatures: F,
    horizon: 48,
    nTargets: 1,
    weights: Float64Array.from({ length: F * nOut }, () => rand() - 0.5),
    bias: Float64Array.from({ length: nOut }, () => rand()),
    alpha: 1,
  });
  const { output: _, ...run } = await inference(bytes, randomFeatures(BATCH, F, 9), F, f);
  return { nFeatures: F, nOut, ...run };
}

/** Day-ahead checkpoint (seasonal naive, linear, 100-tree GBDT) published to local R2; /predict p50 per engine. */
async function workerd(f: Flags) {
  const tmp = mkdtempSync(join(tmpdir(), 'twiga-engine-bench-'));
  tempDirs.add(tmp);
  const series = syntheticNetLoad({ days: f.days });
  const csv = join(tmp, 'net_load.csv');
  writeFileSync(csv, netLoadCsv(series, { columns: ['net_load'] }));
  const root = join(tmp, 'checkpoints');
  await train({
    logger: memoryLogger(),
    config: {
      data: { path: csv },
      pipeline: netLoadPipeline(),
      models: [...NET_LOAD_MODELS, { name: 'gbdt' as const, numTrees: TREES, earlyStoppingRounds: 0 }],
      train: { checkpointRoot: root, name: NAME },
    },
  });
  const persistTo = join(tmp, 'wrangler-state');
  await publish({ checkpoint: join(root, NAME), local: true, persistTo });
  const first = series.time.length - 7 * 48;
  const records = Array.from(series.time.subarray(first), (t, i) => ({
    timestamp: formatTimestamp(t),
    net_load: series.net_load[first + i]!,
  }));
  const body = JSON.stringify({ records });
  const apiKey = randomBytes(16).toString('hex');
  const out: Record<
    string,
    { p50Ms: number; p90Ms: number; requests: number; failed: number; engines: unknown }
  > = {};
  for (const engine of ['lean', 'ort']) {
    const server = await startWorkerd({
      persistTo,
      checkpointName: NAME,
      apiKey,
      tmp,
      logLevel: 'warn',
      vars: { TWIGA_INFERENCE_ENGINE: engine },
    });
    try {
      const health = await waitLoaded(server);
      const target = {
        url: `${server.url}/predict`,
        method: 'POST' as const,
        headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
        body,
      };
      const probe = await fetch(target.url, { method: 'POST', headers: target.headers, body });
      if (probe.status !== 200) throw new Error(`POST /predict → ${probe.status} ${await probe.text()}`);
      await load('warmup', target, 1, f.warmup);
      const r = await load('predict', target, 1, f.seconds, server.pid);
      out[engine] = {
        p50Ms: r.latencyMs.p50,
        p90Ms: r.latencyMs.p90,
        requests: r.requests,
        failed: r.failed,
        engines: health['engines'],
      };
      process.stderr.write(
        `[engine bench] workerd ${engine}: /predict p50 ${r.latencyMs.p50} ms (${JSON.stringify(health['engines'])})\n`,
      );
    } finally {
      await server.stop();
    }
  }
  rmSync(tmp, { recursive: true, force: true });
  tempDirs.delete(tmp);
  return {
    models: ['seasonal_naive', 'linear', `gbdt (${TREES} trees)`],
    records: records.length,
    lean: out['lean'],
    ort: out['ort'],
  };
}

const ratio = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined ? '–' : `${(a / b).toFixed(2)}×`;
const ms = (x: number | undefined, digits = 3) => (x === undefined ? '–' : x.toFixed(digits));

export async function run(args: string[]): Promise<void> {
  const f = parseFlags(args);
  installExitHandlers();
  const load0 = loadavg();
  const started = new Date();
  try {
    const t = await trees(f);
    const l = await linear(f);
    const w = f.workerd ? await workerd(f) : undefined;
    const e = t.engines;
    console.log(`engine bench: ${cpus().length} CPUs, load ${load0.map((x) => x.toFixed(2)).join(' ')}`);
    console.log(
      `\ntree ensemble (${t.source}, ${TREES} trees, depth ${DEPTH}, ${FEATURES} features, ${t.nodes} nodes), median ms:`,
    );
    for (const b of ['batch1Ms', 'batch1000Ms'] as const) {
      const rows = b === 'batch1Ms' ? 1 : BATCH;
      const x1 = t.xgboost?.medianMs[`1/${rows}`];
      const x2 = t.xgboost?.medianMs[`2/${rows}`];
      console.log(
        `  batch ${rows}: lean ${ms(e['lean']![b], 4)} · lean-js ${ms(e['lean-js']![b], 4)} · ORT ${ms(e['ort']![b], 4)}` +
          ` · xgboost 1 thread ${ms(x1, 4)} / 2 threads ${ms(x2, 4)}` +
          `  → lean/ORT ${ratio(e['lean']![b], e['ort']![b])}, lean/xgboost(1t) ${ratio(e['lean']![b], x1)}, lean/xgboost(2t) ${ratio(e['lean']![b], x2)}`,
      );
    }
    console.log(
      `  outputs identical across lean, lean-js and ORT: ${t.identicalOutputs}; max |lean − xgboost| ${t.maxAbsVsXgboost ?? '–'}`,
    );
    const le = l.engines;
    console.log(`\nlinear day-ahead (${l.nFeatures} features → ${l.nOut}), median ms:`);
    for (const b of ['batch1Ms', 'batch1000Ms'] as const)
      console.log(
        `  batch ${b === 'batch1Ms' ? 1 : BATCH}: lean ${ms(le['lean']![b], 4)} · lean-js ${ms(le['lean-js']![b], 4)} · ORT ${ms(le['ort']![b], 4)} → lean/ORT ${ratio(le['lean']![b], le['ort']![b])}`,
      );
    console.log(`  outputs identical: ${l.identicalOutputs}`);
    if (w) {
      console.log(
        `\nworkerd day-ahead POST /predict (${w.models.join(' + ')}, ${w.records} records), 1 connection:`,
      );
      console.log(
        `  p50 lean ${ms(w.lean?.p50Ms, 2)} ms · ORT ${ms(w.ort?.p50Ms, 2)} ms → lean/ORT ${ratio(w.lean?.p50Ms, w.ort?.p50Ms)}`,
      );
    }
    mkdirSync(join(RESULTS, '..'), { recursive: true });
    const json = {
      bench: 'engine',
      date: started.toISOString(),
      machine: machineInfo(load0),
      settings: { ...f, trees: TREES, depth: DEPTH, features: FEATURES, batch: BATCH },
      targets: { leanVsOrt: '≤ 1 on every figure', leanVsXgboostBatch1000: '≤ 1.5' },
      trees: t,
      linear: l,
      workerd: w ?? null,
    };
    writeFileSync(RESULTS, `${JSON.stringify(json, null, 2)}\n`);
    try {
      const biome = createRequire(import.meta.url).resolve('@biomejs/biome/bin/biome');
      execFileSync(process.execPath, [biome, 'format', '--write', RESULTS], { stdio: 'ignore' });
    } catch {
      // formatting is cosmetic
    }
    console.log(`\nwrote ${RESULTS}`);
  } finally {
    await Promise.allSettled([...live].map((s) => s.stop()));
  }
}
