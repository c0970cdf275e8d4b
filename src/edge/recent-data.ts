/**
 * Recent data files under a store prefix → columns, for the scheduled drift check: JSON records, CSV
 * (d3-dsv) or Arrow IPC, newest keys first until enough rows are read.
 */
import { csvParse } from 'd3-dsv';
import { z } from 'zod';
import type { CheckpointStore } from '../runtime/checkpoint/store.js';
import { DataError } from '../runtime/errors.js';
import { columnsFromArrowIpc } from '../runtime/input/arrow.js';
import type { ColumnsInput } from '../runtime/input/frame-input.js';
import { parseWith } from '../runtime/schemas/parse.js';

const RecordsFile = z.array(z.record(z.string(), z.unknown()));

/** The file kinds read, by extension. */
export const DATA_EXTENSIONS = ['.json', '.csv', '.arrow', '.arrows', '.feather'] as const;

function toColumns(rows: readonly Record<string, unknown>[]): Record<string, unknown[]> {
  const names = new Set(rows.flatMap((r) => Object.keys(r)));
  return Object.fromEntries([...names].map((n) => [n, rows.map((r) => r[n] ?? null)]));
}

/** CSV cells are text: numbers where they parse, `null` where empty, text otherwise (e.g. timestamps). */
function csvValue(text: string | undefined): unknown {
  if (text === undefined || text.trim() === '') return null;
  const n = Number(text);
  return Number.isNaN(n) && text.trim() !== 'NaN' ? text : n;
}

function decode(key: string, bytes: Uint8Array): ColumnsInput {
  const lower = key.toLowerCase();
  if (lower.endsWith('.json')) {
    let value: unknown;
    try {
      value = JSON.parse(new TextDecoder().decode(bytes));
    } catch (cause) {
      throw new DataError(`${key}: not valid JSON`, { path: key }, cause);
    }
    return toColumns(parseWith(RecordsFile, value, `records file ${key}`));
  }
  if (lower.endsWith('.csv')) {
    const rows = csvParse(new TextDecoder().decode(bytes));
    return Object.fromEntries(rows.columns.map((c) => [c, rows.map((r) => csvValue(r[c]))]));
  }
  return columnsFromArrowIpc(bytes);
}

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
  const keys = (await store.list(prefix)).filter(
    (k) =>
      DATA_EXTENSIONS.some((e) => k.toLowerCase().endsWith(e)) &&
      (!flat || !k.slice(prefix.length).includes('/')),
  );
  const parts: { key: string; columns: ColumnsInput }[] = [];
  let rows = 0;
  for (const key of keys.reverse()) {
    const found = await store.get(key);
    if (!found) continue;
    const columns = decode(key, found.bytes);
    parts.unshift({ key, columns });
    rows += Object.values(columns)[0]?.length ?? 0;
    if (rows >= maxRows) break;
  }
  if (parts.length === 0) return undefined;
  const names = new Set(parts.flatMap((p) => Object.keys(p.columns)));
  const columns: Record<string, unknown[]> = {};
  for (const name of names) {
    const all = parts.flatMap((p) => {
      const values = p.columns[name];
      const length = Object.values(p.columns)[0]?.length ?? 0;
      return values ? Array.from(values) : new Array<unknown>(length).fill(null);
    });
    columns[name] = all.slice(Math.max(0, all.length - maxRows));
  }
  return { columns, files: parts.map((p) => p.key), rows: Math.min(rows, maxRows) };
}
