/**
 * Recent data files under a store prefix → columns, for the scheduled drift check: JSON records, CSV
 * (d3-dsv) or Arrow IPC, newest keys first until enough rows are read.
 */
import type { CheckpointStore } from '../runtime/checkpoint/store.js';
import { concatColumns, DATA_EXTENSIONS, dataKeys, decodeDataFile } from '../runtime/input/data-files.js';
import type { ColumnsInput } from '../runtime/input/frame-input.js';

/** The file kinds read, by extension (runtime/input/data-files.ts). */
export { DATA_EXTENSIONS };

/** The newest data files under a prefix, merged column by column for the cron check, with the keys read. */
export interface RecentData {
  columns: Record<string, unknown[]>;
  /** Keys read, oldest first. */
  files: string[];
  rows: number;
}

/**
 * Reads the newest data files under `prefix` (by key order: name them by date, e.g.
 * `data/recent/2024-06-01.csv`) until `maxRows` rows, and returns their newest `maxRows` rows, oldest first.
 * @param flat only files directly under `prefix`, not in its sub-folders.
 * @returns `undefined` when the prefix holds no data file.
 */
export async function readRecentData(
  store: CheckpointStore,
  prefix: string,
  maxRows: number,
  flat = false,
): Promise<RecentData | undefined> {
  const keys = await dataKeys(store, prefix, flat);
  const parts: { key: string; columns: ColumnsInput }[] = [];
  let rows = 0;
  for (const key of keys.reverse()) {
    const found = await store.get(key);
    if (!found) continue;
    const columns = decodeDataFile(key, found.bytes);
    parts.unshift({ key, columns });
    rows += Object.values(columns)[0]?.length ?? 0;
    if (rows >= maxRows) break;
  }
  if (parts.length === 0) return undefined;
  const all = concatColumns(parts.map((p) => p.columns));
  const columns: Record<string, unknown[]> = {};
  for (const [name, values] of Object.entries(all))
    columns[name] = values.slice(Math.max(0, values.length - maxRows));
  return { columns, files: parts.map((p) => p.key), rows: Math.min(rows, maxRows) };
}
