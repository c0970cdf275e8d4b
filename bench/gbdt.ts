/** GBDT benchmark: 200,000 × 50 synthetic regression, 100 trees, our trainer on 1 and 2 threads vs xgboost `hist`. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { predictGbdt, trainGbdt } from '../src/node/trainers/gbdt/index.js';
import { r2, syntheticRegression } from './gbdt-data.js';
import { runMulti } from './gbdt-multi.js';
import { type AnchorSettings, runXgboost } from './gbdt-xgboost.js';

const RESULTS = new URL('./results/gbdt.json', import.meta.url);

interface OursRun {
  threads: number;
  strategy: string;
  seconds: number;
  /** CPU time of this process over the run: about `seconds × threads` when the cores were free. */
  cpuSeconds: number;
  r2: number;
  trees: number;
  leaves: number;
}

function flag(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
}

/** `npm run bench -- gbdt [--rows 200000] [--trees 100] [--max-threads 2] [--data-seed S] [--multi-rows 25000 (0 skips)]`. */
export async function run(args: string[]): Promise<void> {
  const n = flag(args, 'rows', 200_000);
  const maxThreads = flag(args, 'max-threads', 2);
  const settings: AnchorSettings = {
    numTrees: flag(args, 'trees', 100),
    maxDepth: 6,
    numLeaves: 63,
    learningRate: 0.1,
    minDataInLeaf: 20,
    lambdaL2: 0,
    maxBins: 255,
  };
  const load0 = loadavg()[0]!;
  const threadCounts = Array.from({ length: maxThreads }, (_, i) => i + 1);
  const dataSeed = flag(args, 'data-seed', 20240601);
  const data = syntheticRegression(n, dataSeed);
  const F = data.nFeatures;
  const nTrain = Math.round(n * 0.8);
  const nTest = n - nTrain;
  const train = { x: data.x.subarray(0, nTrain * F), y: data.y.subarray(0, nTrain), n: nTrain };
  const test = { x: data.x.subarray(nTrain * F), y: data.y.subarray(nTrain) };
  console.log(
    `data: ${n} × ${F} (train ${nTrain}, test ${nTest}); ${cpus().length} CPUs, load ${load0.toFixed(2)}`,
  );

  const ours: OursRun[] = [];
  for (const threads of threadCounts) {
    const cpu0 = process.cpuUsage();
    const fit = await trainGbdt(
      { ...train, nFeatures: F, nOutputs: 1 },
      { ...settings, featureFraction: 1, baggingFraction: 1, earlyStoppingRounds: 0, seed: 7, threads },
    );
    const cpu = process.cpuUsage(cpu0);
    const pred = predictGbdt(fit.spec, test.x, nTest);
    let leaves = 0;
    for (let k = 0; k < fit.spec.nodeFeature.length; k++) if (fit.spec.nodeFeature[k]! < 0) leaves++;
    const result = {
      threads,
      strategy: fit.strategy,
      seconds: fit.seconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      r2: r2(test.y, pred),
      trees: fit.spec.treeOutputs.length,
      leaves,
    };
    ours.push(result);
    console.log(
      `ours     ${threads} thread(s): ${result.seconds.toFixed(2)} s (CPU ${result.cpuSeconds.toFixed(2)} s), R² ${result.r2.toFixed(4)} (${fit.strategy})`,
    );
  }

  const xgb = runXgboost(data, nTrain, settings, threadCounts);
  if (xgb === undefined)
    console.log('xgboost: not importable (apt-get install -y python3-xgboost); comparison skipped');
  else {
    for (const r of xgb.runs) {
      console.log(
        `xgboost  ${r.threads} thread(s): ${r.seconds.toFixed(2)} s, R² ${r.r2.toFixed(4)} (${xgb.version})`,
      );
    }
  }

  const rows = threadCounts.map((threads) => {
    const o = ours.find((r) => r.threads === threads)!;
    const x = xgb?.runs.find((r) => r.threads === threads);
    return { threads, ours: o, xgboost: x ?? null, ratio: x ? o.seconds / x.seconds : null };
  });
  console.log('\nthreads  ours s  xgboost s  ours/xgboost  R² ours  R² xgboost');
  for (const r of rows) {
    const xs = r.xgboost ? r.xgboost.seconds.toFixed(2).padStart(9) : '        –';
    const ratio = r.ratio === null ? '           –' : r.ratio.toFixed(2).padStart(12);
    const xr = r.xgboost ? r.xgboost.r2.toFixed(4).padStart(10) : '         –';
    console.log(
      `${String(r.threads).padStart(7)}  ${r.ours.seconds.toFixed(2).padStart(6)}  ${xs}  ${ratio}  ${r.ours.r2.toFixed(4).padStart(7)}  ${xr}`,
    );
  }
  const multiRows = flag(args, 'multi-rows', 25_000);
  if (multiRows > 0) console.log(`\nper-step multi-output: ${multiRows} × 50, 24 outputs, 50 trees each`);
  const multi = multiRows > 0 ? await runMulti(multiRows, threadCounts) : [];
  mkdirSync(new URL('.', RESULTS), { recursive: true });
  const json = {
    bench: 'gbdt',
    date: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      model: cpus()[0]?.model ?? '',
      node: process.version,
      /** Load average (1 min) when the run started: other processes share these cores. */
      load1mAtStart: load0,
    },
    data: { rows: n, features: F, train: nTrain, test: nTest, seed: dataSeed },
    settings: {
      ...settings,
      growth: 'leaf-wise (xgboost grow_policy=lossguide)',
      objective: 'squared_error',
    },
    xgboost: xgb ? { python: xgb.python, version: xgb.version } : null,
    results: rows,
    perStep: { rows: multiRows, outputs: 24, trees: 50, leaves: 31, runs: multi },
  };
  writeFileSync(RESULTS, `${JSON.stringify(json, null, 2)}\n`);
  console.log(`\nwrote ${RESULTS.pathname}`);
}
