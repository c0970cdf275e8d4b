/**
 * The same fit with Node's backend (GBDT on worker threads) and with only the kernel (the single-thread path
 * Workers and browsers take), on the first `--rows` rows of ETTh1. Prints each figure with its ratio to the
 * single-thread run of the same process and writes bench/results/train-anywhere.json. (workerd is not timed
 * here: its clock does not advance during a request's CPU work.)
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { nodeTrainingBackend } from '../src/node/training-backend.js';
import { setTrainingBackend } from '../src/runtime/train/backend.js';
import { etth1Frame, trainJob } from '../test/edge/train-fixture.js';
import { flagReader, formatJson, machineInfo } from './bench-io.js';

const RESULTS = fileURLToPath(new URL('./results/train-anywhere.json', import.meta.url));

/** Runs the bench. */
export async function run(args: string[]): Promise<void> {
  const loadAtStart = loadavg();
  const flags = flagReader(args);
  const rows = flags.num('rows', 4000);
  const repeats = flags.num('repeats', 3);
  const csv = readFileSync(new URL('../../shared/data/ETTh1.csv', import.meta.url), 'utf8');
  const frame = etth1Frame(csv, rows);
  const time = async (label: string): Promise<number> => {
    let best = Number.POSITIVE_INFINITY;
    for (let i = 0; i < repeats; i++) {
      const t0 = performance.now();
      await trainJob(frame, { trainEnd: Math.floor(rows * 0.8) });
      best = Math.min(best, performance.now() - t0);
    }
    process.stderr.write(`[train-anywhere] ${label}: ${best.toFixed(0)} ms\n`);
    return best;
  };
  setTrainingBackend({ gbdtKernel: nodeTrainingBackend.gbdtKernel! });
  const single = await time('single-thread runtime');
  setTrainingBackend(nodeTrainingBackend);
  const threads = await time('node threads');
  console.log(`fit of seasonal naive + ridge + GBDT (20 trees) on ${rows} ETTh1 rows, best of ${repeats}:`);
  console.log(`  runtime single-thread  ${single.toFixed(0)} ms  (anchor, 1.00)`);
  console.log(
    `  node worker threads    ${threads.toFixed(0)} ms  (${(threads / single).toFixed(2)} × single-thread)`,
  );
  mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true });
  writeFileSync(
    RESULTS,
    JSON.stringify({
      rows,
      repeats,
      singleThreadMs: single,
      nodeThreadsMs: threads,
      ratioThreadsToSingle: threads / single,
      machine: machineInfo(loadAtStart),
    }),
  );
  formatJson(RESULTS);
}
