/**
 * Node side of the route tests: a real checkpoint trained by `train()`, the records a client would send,
 * and what `twiga-edge predict` (the real CLI) answers for them — the figure the edge must reproduce.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NET_LOAD_MODELS, netLoadCsv, netLoadPipeline } from '../../src/node/demo/net-load.js';
import { FsCheckpointStore } from '../../src/node/fs-store.js';
import { memoryLogger } from '../../src/node/log.js';
import { train } from '../../src/node/train.js';
import type { ForecastJson } from '../../src/runtime/forecast-json.js';
import { syntheticNetLoad } from '../../src/runtime/synthetic.js';
import { formatTimestamp } from '../../src/runtime/time-format.js';
import { runCliJson } from '../node/cli-run.js';

export const CHECKPOINT_NAME = 'twiga';
const DAYS = 40;
const RECORD_DAYS = 10;
const PER_DAY = 48;

export interface ServingFixture {
  /** Temp folder holding everything (remove when done). */
  dir: string;
  /** Store root; the checkpoint is `<root>/twiga`. */
  root: string;
  checkpointDir: string;
  /** The last 10 days of the training series: `{ timestamp, net_load }`. */
  records: Array<{ timestamp: string; net_load: number }>;
  /** `twiga-edge predict --checkpoint … --data <records as CSV>`. */
  predicted: ForecastJson;
  /** Every stored object: key relative to the root → base64. */
  files: Record<string, string>;
}

export async function buildServingFixture(): Promise<ServingFixture> {
  const dir = await mkdtemp(path.join(tmpdir(), 'twiga-serving-'));
  const series = syntheticNetLoad({ days: DAYS });
  const csv = (from: number) => netLoadCsv(series, { from, columns: ['net_load'] });
  const data = path.join(dir, 'net_load.csv');
  await writeFile(data, csv(0));
  const root = path.join(dir, 'checkpoints');
  await train({
    logger: memoryLogger(),
    config: {
      data: { path: data },
      pipeline: netLoadPipeline({ lookback: '2D' }),
      models: NET_LOAD_MODELS,
      train: { checkpointRoot: root, name: CHECKPOINT_NAME },
    },
  });
  const first = series.time.length - RECORD_DAYS * PER_DAY;
  const records = Array.from(series.time.subarray(first), (t, i) => ({
    timestamp: formatTimestamp(t),
    net_load: series.net_load[first + i]!,
  }));
  const recent = path.join(dir, 'recent.csv');
  await writeFile(recent, csv(first));
  const checkpointDir = path.join(root, CHECKPOINT_NAME);
  const predicted = await runCliJson<ForecastJson>([
    'predict',
    '--checkpoint',
    checkpointDir,
    '--data',
    recent,
  ]);
  const store = new FsCheckpointStore(root);
  const files: Record<string, string> = {};
  for (const key of await store.list(`${CHECKPOINT_NAME}/`)) {
    files[key] = Buffer.from((await store.get(key))!.bytes).toString('base64');
  }
  return { dir, root, checkpointDir, records, predicted, files };
}
