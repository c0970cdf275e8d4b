/**
 * Fleet benchmark, training half: training time per series for a synthetic fleet (per-series linear, global
 * linear, global GBDT) against one single-series fit measured in the same run, and panel loading time for
 * 4k, 100k and 10M rows (cold: the first load in a process, duckdb-wasm start-up included; warm: the next).
 * `npm run bench -- fleet [--series 1000] [--days 21] [--trees 30] [--load-rows 4000,100000,10000000] [--only load]
 * [--anchor-max-rows N]` (no duckdb anchor above N rows)
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadFleetData } from '../src/node/fleet-data.js';
import { memoryLogger } from '../src/node/log.js';
import { trainFleet } from '../src/node/train-fleet.js';
import { fitModels } from '../src/node/training-steps.js';
import { MemoryCheckpointStore } from '../src/runtime/checkpoint/memory-store.js';
import { fleetCsvChunks, syntheticFleet } from '../src/runtime/fleet/synthetic-fleet.js';
import { createOnnxEngine } from '../src/runtime/onnx/engine.js';
import type { ModelConfig } from '../src/runtime/schemas/model-config.js';
import type { TrainConfigInput } from '../src/runtime/schemas/train-config.js';

const RESULTS = fileURLToPath(new URL('./results/fleet-train.json', import.meta.url));
const ROOT = fileURLToPath(new URL('../', import.meta.url));

function flag(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : fallback;
}

async function writeFleetCsv(path: string, fleet: ReturnType<typeof syntheticFleet>): Promise<void> {
  const out = createWriteStream(path);
  for (const chunk of fleetCsvChunks(fleet))
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
}

const config = (
  path: string,
  models: ModelConfig[],
  strategy: 'per_series' | 'global',
): TrainConfigInput => ({
  data: { path },
  pipeline: {
    target: 'net_load',
    idColumn: 'unique_id',
    horizon: 24,
    lookback: 48,
    calendar: ['hour', 'day_of_week'],
  },
  models,
  train: { strategy, split: { testFraction: 0.2, valFraction: 0.1 } },
});

/** Loads `path` in a fresh process twice (cold, then warm) with the given engine and prints the two times as JSON. */
const LOAD_CHILD = `
import { loadPanel } from './src/node/data/panel.ts';
const [path, engine] = process.argv.slice(-2);
const o = { idColumn: 'unique_id', timeColumn: 'timestamp', columns: ['net_load'], engine };
let c = process.cpuUsage(); let t = performance.now(); const a = await loadPanel(path, o); const cold = performance.now() - t;
const coldCpu = process.cpuUsage(c); const rss = process.resourceUsage().maxRSS / 1024;
c = process.cpuUsage(); t = performance.now(); await loadPanel(path, o); const warm = performance.now() - t;
const warmCpu = process.cpuUsage(c); const cpu = (u) => (u.user + u.system) / 1e6;
const used = Object.values(a.report.series)[0].engine;
console.log(JSON.stringify({ cold_s: cold / 1000, warm_s: warm / 1000, cold_cpu_s: cpu(coldCpu), warm_cpu_s: cpu(warmCpu), max_rss_mb: rss, series: a.series.length, rows: a.report.rowsRead, engine: used }));
`;

interface LoadTimes {
  cold_s: number;
  warm_s: number;
  /** CPU time (user + system, all threads) of each load: on a shared machine, steadier than wall time. */
  cold_cpu_s: number;
  warm_cpu_s: number;
  /** Peak resident memory of the child after the cold load (the process, runtime included). */
  max_rss_mb: number;
  series: number;
  rows: number;
  engine: string;
}

function loadInChild(path: string, engine: 'auto' | 'duckdb'): LoadTimes {
  const r = spawnSync(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', LOAD_CHILD, path, engine],
    { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  if (r.status !== 0) throw new Error(`load child failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

/**
 * Panel loading per size: the default engine choice against duckdb-wasm (the anchor) on the same file
 * in the same run, with the child's peak memory (the JS path streams: ~8 bytes a cell plus the runtime).
 */
async function loadBench(
  dir: string,
  loadRows: readonly number[],
  anchorMaxRows: number,
): Promise<Array<Record<string, unknown>>> {
  const loads: Array<Record<string, unknown>> = [];
  for (const rows of loadRows) {
    // 200 rows (hours) per series up to 4k rows, then more series: 10M rows = 5,000 series × 2,000 hours.
    const perSeries = rows <= 4000 ? 200 : rows <= 100_000 ? 1000 : 2000;
    const file = join(dir, `load-${rows}.csv`);
    const panel = syntheticFleet({ series: Math.round(rows / perSeries), days: perSeries / 24, seed: 5 });
    await writeFleetCsv(file, panel);
    const bytes = statSync(file).size;
    const t = loadInChild(file, 'auto');
    // duckdb-wasm on 10M rows takes minutes on a shared machine: `--anchor-max-rows` skips it there, and
    // the smallest size loaded in the same run is the anchor that growth is read against.
    const anchor = t.engine === 'duckdb' || t.rows > anchorMaxRows ? undefined : loadInChild(file, 'duckdb');
    const prev = loads[loads.length - 1] ?? { rows: t.rows, cold_s: t.cold_s, warm_cpu_s: t.warm_cpu_s };
    const prevUs = ((prev.cold_s as number) * 1e6) / (prev.rows as number);
    const prevCpuUs = ((prev.warm_cpu_s as number) * 1e6) / (prev.rows as number);
    const row = {
      rows: t.rows,
      series: t.series,
      mb: bytes / 1e6,
      engine: t.engine,
      cold_s: t.cold_s,
      warm_s: t.warm_s,
      cold_us_per_row: (t.cold_s * 1e6) / t.rows,
      warm_us_per_row: (t.warm_s * 1e6) / t.rows,
      cold_cpu_s: t.cold_cpu_s,
      warm_cpu_s: t.warm_cpu_s,
      warm_cpu_us_per_row: (t.warm_cpu_s * 1e6) / t.rows,
      max_rss_mb: t.max_rss_mb,
      anchor_duckdb_max_rss_mb: anchor?.max_rss_mb ?? null,
      anchor_duckdb_cold_s: anchor?.cold_s ?? null,
      anchor_duckdb_warm_s: anchor?.warm_s ?? null,
      ratio_cold_to_duckdb: anchor ? t.cold_s / anchor.cold_s : null,
      // Linear growth: µs a row against the next smaller size of the same run (1 = flat).
      ratio_us_per_row_to_previous: (t.cold_s * 1e6) / t.rows / prevUs,
      ratio_warm_cpu_us_per_row_to_previous: (t.warm_cpu_s * 1e6) / t.rows / prevCpuUs,
    };
    loads.push(row);
    console.log(
      `load ${String(t.rows).padStart(9)} rows (${t.series} series, ${row.mb.toFixed(1)} MB) on ${t.engine.padEnd(6)}: ` +
        `cold ${t.cold_s.toFixed(3)} s, warm ${t.warm_s.toFixed(3)} s (${row.cold_us_per_row.toFixed(2)} µs/row cold, ` +
        `${row.warm_us_per_row.toFixed(2)} warm), peak RSS ${t.max_rss_mb.toFixed(0)} MB; ` +
        (anchor
          ? `duckdb anchor cold ${anchor.cold_s.toFixed(3)} s, warm ${anchor.warm_s.toFixed(3)} s → ratio cold ${(t.cold_s / anchor.cold_s).toFixed(3)}; `
          : 'no duckdb anchor at this size; ') +
        `µs/row ×${row.ratio_us_per_row_to_previous.toFixed(2)} the ${prev.rows}-row figure (${prevUs.toFixed(2)}); ` +
        `CPU warm ${row.warm_cpu_us_per_row.toFixed(2)} µs/row, ×${row.ratio_warm_cpu_us_per_row_to_previous.toFixed(2)} the ${prev.rows}-row figure`,
    );
    rmSync(file, { force: true });
  }
  return loads;
}

export async function run(args: string[]): Promise<void> {
  const nSeries = Number(flag(args, 'series', '1000'));
  const days = Number(flag(args, 'days', '21'));
  const trees = Number(flag(args, 'trees', '30'));
  const loadRows = flag(args, 'load-rows', '4000,100000,10000000').split(',').filter(Boolean).map(Number);
  const anchorMaxRows = Number(flag(args, 'anchor-max-rows', 'Infinity'));
  const dir = mkdtempSync(join(tmpdir(), 'twiga-bench-fleet-'));
  const cores = availableParallelism();
  console.log(
    `fleet bench: ${nSeries} series × ${days} days hourly; ${cpus().length} CPUs, load ${loadavg()[0]!.toFixed(2)}`,
  );
  try {
    if (flag(args, 'only', '') === 'load') {
      const loads = await loadBench(dir, loadRows, anchorMaxRows);
      const out = join(RESULTS, '..', 'fleet-load.json');
      mkdirSync(join(RESULTS, '..'), { recursive: true });
      writeFileSync(
        out,
        `${JSON.stringify({ date: new Date().toISOString(), cpus: cpus().length, loading: loads }, null, 2)}\n`,
      );
      console.log(`wrote ${out}`);
      return;
    }
    const fleet = syntheticFleet({ series: nSeries, days });
    const data = join(dir, 'fleet.csv');
    await writeFleetCsv(data, fleet);
    const linear: ModelConfig[] = [{ name: 'linear', alpha: 1 }];
    const gbdt: ModelConfig[] = [
      {
        name: 'gbdt',
        numTrees: trees,
        learningRate: 0.1,
        numLeaves: 15,
        maxDepth: 5,
        minDataInLeaf: 20,
        earlyStoppingRounds: 0,
      } as ModelConfig,
    ];

    // Anchor: one series fitted the single-series way (fit + ONNX + validation + conformal), same config.
    const fleetData = await loadFleetData(config(data, linear, 'per_series'), memoryLogger());
    const engine = createOnnxEngine();
    const one = fleetData.series[0]!;
    const { idColumn: _id, ...pipelineConfig } = fleetData.pipelineConfig;
    const single = async (models: ModelConfig[]) => {
      const t = performance.now();
      const m = await fitModels({
        frame: one.frame,
        pipelineConfig,
        models,
        split: one.split,
        valFraction: 0.1,
        ensemble: 'mean',
        // Calibrated as the fleet calibrates each series (train.conformal), so the ratio compares like with like.
        conformal: fleetData.config.train.conformal,
        runId: 'bench',
        source: data,
        engine,
        log: memoryLogger(),
      });
      await m.fit.forecaster.release();
      return (performance.now() - t) / 1000;
    };
    await single(linear); // warm-up: first ORT session, JIT
    const anchorLinear = await single(linear);
    const anchorGbdt = await single(gbdt);
    console.log(
      `anchor: one series, single-model fit: linear ${anchorLinear.toFixed(3)} s, gbdt ${anchorGbdt.toFixed(3)} s`,
    );

    const runs: Array<Record<string, unknown>> = [];
    for (const [label, models, strategy, anchor] of [
      ['per-series linear', linear, 'per_series', anchorLinear],
      ['global linear', linear, 'global', anchorLinear],
      ['global gbdt', gbdt, 'global', anchorGbdt],
    ] as const) {
      const runConfig = config(data, [...models], strategy);
      const r = await trainFleet({
        config: runConfig,
        data: await loadFleetData(runConfig, memoryLogger()),
        store: new MemoryCheckpointStore(),
        logger: memoryLogger(),
        engine,
      });
      const perSeries = r.seconds.train / nSeries;
      const row = {
        run: label,
        series: Object.keys(r.series).length,
        threads: r.threads,
        train_s: r.seconds.train,
        per_series_s: perSeries,
        anchor_single_s: anchor,
        ratio_per_series_to_single: perSeries / anchor,
        weighted_mae: r.aggregate.weighted[models[0]!.name]?.mae ?? null,
      };
      runs.push(row);
      console.log(
        `${label.padEnd(18)} ${r.seconds.train.toFixed(1).padStart(7)} s total, ${(perSeries * 1000).toFixed(1)} ms/series on ${r.threads} thread(s); ` +
          `single-series fit ${(anchor * 1000).toFixed(1)} ms → ratio ${(perSeries / anchor).toFixed(3)}`,
      );
    }

    const loads = await loadBench(dir, loadRows, anchorMaxRows);
    mkdirSync(join(RESULTS, '..'), { recursive: true });
    writeFileSync(
      RESULTS,
      `${JSON.stringify({ date: new Date().toISOString(), cpus: cpus().length, cores, series: nSeries, days, trees, training: runs, loading: loads }, null, 2)}\n`,
    );
    console.log(`wrote ${RESULTS}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
