/**
 * Data files in a store (JSON records, CSV, Arrow IPC) → columns, and their shape without decoding every
 * row: platform-free, so the Worker's cron and retraining steps and the Node worker read a window alike.
 */
import { tableFromIPC } from 'apache-arrow';
import { csvParse, csvParseRows } from 'd3-dsv';
import { z } from 'zod';
import type { CheckpointStore } from '../checkpoint/store.js';
import { DataError } from '../errors.js';
import { parseWith } from '../schemas/parse.js';
import { columnsFromArrowIpc } from './arrow.js';
import type { ColumnsInput } from './frame-input.js';

const RecordsFile = z.array(z.record(z.string(), z.unknown()));

/** The file kinds read, by extension. */
export const DATA_EXTENSIONS = ['.json', '.csv', '.arrow', '.arrows', '.feather'] as const;

/** Whether `key` names a data file this module reads. */
export const isDataFile = (key: string): boolean =>
  DATA_EXTENSIONS.some((e) => key.toLowerCase().endsWith(e));

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

function parseRecords(key: string, bytes: Uint8Array): Record<string, unknown>[] {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch (cause) {
    throw new DataError(`${key}: not valid JSON`, { path: key }, cause);
  }
  return parseWith(RecordsFile, value, `records file ${key}`);
}

/** One data file's bytes → columns, by its extension. */
export function decodeDataFile(key: string, bytes: Uint8Array): ColumnsInput {
  const lower = key.toLowerCase();
  if (lower.endsWith('.json')) return toColumns(parseRecords(key, bytes));
  if (lower.endsWith('.csv')) {
    const rows = csvParse(new TextDecoder().decode(bytes));
    return Object.fromEntries(rows.columns.map((c) => [c, rows.map((r) => csvValue(r[c]))]));
  }
  return columnsFromArrowIpc(bytes);
}

/** Rows and column names of a data file. */
export interface DataFileShape {
  rows: number;
  columns: string[];
}

/**
 * A data file's rows and columns without building its columns: CSV by its header and line count, Arrow by
 * its schema and batch lengths (vectors stay unread); JSON records have no cheaper path than a parse.
 */
export function dataFileShape(key: string, bytes: Uint8Array): DataFileShape {
  const lower = key.toLowerCase();
  if (lower.endsWith('.json')) {
    const records = parseRecords(key, bytes);
    return { rows: records.length, columns: [...new Set(records.flatMap((r) => Object.keys(r)))] };
  }
  if (lower.endsWith('.csv')) {
    const text = new TextDecoder().decode(bytes);
    const end = text.indexOf('\n');
    const header = csvParseRows(end < 0 ? text : text.slice(0, end))[0] ?? [];
    // Lines after the header, a trailing newline not counted (quoted newlines are not expected in data files).
    let lines = 0;
    for (let i = end; i >= 0 && i < text.length - 1; i = text.indexOf('\n', i + 1)) lines++;
    return { rows: lines, columns: header.map((h) => h.trim()) };
  }
  let table: ReturnType<typeof tableFromIPC>;
  try {
    table = tableFromIPC(bytes);
  } catch (cause) {
    throw new DataError(`${key}: not an Arrow IPC stream or file`, { path: key }, cause);
  }
  if (table.schema.fields.length === 0) {
    throw new DataError(`${key}: not an Arrow IPC stream or file with columns (none found)`, { path: key });
  }
  return { rows: table.numRows, columns: table.schema.fields.map((f) => f.name) };
}

/** Columns of several parts, in order; a column missing from a part is `null` for its rows. */
export function concatColumns(parts: readonly ColumnsInput[]): Record<string, unknown[]> {
  const names = new Set(parts.flatMap((p) => Object.keys(p)));
  const out: Record<string, unknown[]> = {};
  for (const name of names) {
    out[name] = parts.flatMap((p) => {
      const values = p[name];
      const length = Object.values(p)[0]?.length ?? 0;
      return values ? Array.from(values) : new Array<unknown>(length).fill(null);
    });
  }
  return out;
}

/**
 * Reads and decodes `keys` (oldest first) into one set of columns.
 * @throws DataError naming a key that is gone (the window changed under the run).
 */
export async function readDataFiles(
  store: CheckpointStore,
  keys: readonly string[],
): Promise<Record<string, unknown[]>> {
  const parts: ColumnsInput[] = [];
  for (const key of keys) {
    const found = await store.get(key);
    if (!found) throw new DataError(`${store.describe(key)}: data file not found`, { path: key });
    parts.push(decodeDataFile(key, found.bytes));
  }
  return concatColumns(parts);
}

/** Data file keys under `prefix`, sorted (by name: date them); `flat` leaves out sub-folders. */
export async function dataKeys(store: CheckpointStore, prefix: string, flat = false): Promise<string[]> {
  return (await store.list(prefix)).filter(
    (k) => isDataFile(k) && (!flat || !k.slice(prefix.length).includes('/')),
  );
}
