/**
 * Trains the browser demo's checkpoint and writes its sample CSV: synthetic 30-min net load with
 * temperature/irradiance, seasonal naive + linear, horizon 1 day, lookback 7 days.
 *
 * `node --conditions=source --import tsx scripts/demo-checkpoint.ts OUT_DIR` writes
 * `OUT_DIR/checkpoints/net-load/…` (the store keys) and `OUT_DIR/sample.csv`; the Vite plugin in
 * `scripts/vite-demo-checkpoint.ts` runs it once per build.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  closeDuckDB,
  createLogger,
  NET_LOAD_MODELS,
  netLoadPipeline,
  train,
  writeDemoData,
} from '../src/node/index.js';

/** Days the demo trains on (about two seconds here). */
export const TRAIN_DAYS = 90;
/** Days after the training data that the sample CSV holds, then one more day with weather only. */
export const SAMPLE_DAYS = 14;
export const DEMO_NAME = 'net-load';
const ROWS_PER_DAY = 48;

/** Writes the checkpoint and sample CSV under `dir`; returns the training result's headline. */
export async function buildDemoCheckpoint(dir: string): Promise<{ version: number; seconds: number }> {
  const started = performance.now();
  const data = await writeDemoData(join(dir, 'data'), TRAIN_DAYS + SAMPLE_DAYS);
  const [header, ...rows] = (await readFile(data.history, 'utf8')).trimEnd().split('\n');
  const tomorrow = (await readFile(data.tomorrow, 'utf8')).trimEnd().split('\n').slice(-ROWS_PER_DAY);
  const held = SAMPLE_DAYS * ROWS_PER_DAY;
  const trainCsv = join(dir, 'data', 'train.csv');
  await writeFile(trainCsv, `${[header, ...rows.slice(0, -held)].join('\n')}\n`);
  await writeFile(join(dir, 'sample.csv'), `${[header, ...rows.slice(-held), ...tomorrow].join('\n')}\n`);
  const result = await train({
    logger: createLogger({ quiet: true }),
    config: {
      data: { path: trainCsv },
      pipeline: netLoadPipeline({ exogenous: ['temperature', 'irradiance'] }),
      models: NET_LOAD_MODELS,
      train: { checkpointRoot: join(dir, 'checkpoints'), name: DEMO_NAME },
    },
  });
  await closeDuckDB();
  return { version: result.version, seconds: (performance.now() - started) / 1000 };
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  const out = process.argv[2];
  if (!out) {
    process.stderr.write('usage: scripts/demo-checkpoint.ts OUT_DIR\n');
    process.exit(2);
  }
  const { version, seconds } = await buildDemoCheckpoint(resolve(out));
  process.stdout.write(`${JSON.stringify({ version, seconds: Number(seconds.toFixed(2)) })}\n`);
}
