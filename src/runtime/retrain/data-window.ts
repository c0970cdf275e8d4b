/** The load-data step: which data files make a model's current window, and its size, without decoding rows. */
import type { CheckpointStore } from '../checkpoint/store.js';
import { dataFileShape, dataKeys } from '../input/data-files.js';
import type { DataWindow } from './tasks.js';

/**
 * The newest data files directly under `prefix` until `maxRows` rows (the cron's drift window), as keys,
 * oldest first, with their row count and the number of columns. Each file is read once for its shape
 * (CSV header and lines, Arrow schema); the fit reads the same keys again, so step outputs stay small.
 * @returns `undefined` when the prefix holds no data file.
 */
export async function stageDataWindow(
  store: CheckpointStore,
  prefix: string,
  maxRows: number,
): Promise<DataWindow | undefined> {
  const keys = await dataKeys(store, prefix, true);
  const files: string[] = [];
  const columns = new Set<string>();
  let rows = 0;
  for (const key of keys.reverse()) {
    const found = await store.get(key);
    if (!found) continue;
    const shape = dataFileShape(key, found.bytes);
    files.unshift(key);
    rows += shape.rows;
    for (const c of shape.columns) columns.add(c);
    if (rows >= maxRows) break;
  }
  if (files.length === 0) return undefined;
  return { files, rows, features: columns.size };
}
