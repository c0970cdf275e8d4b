/** Read a CSV, TSV or Parquet file into a duckdb table of raw values: `__row`, `traw`, `r0..rk`. */
import { readFile, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { tableToIPC } from 'apache-arrow';
import { DataError } from '../../runtime/errors.js';
import { type Duck, type Scratch, sql, sqlIdent, sqlString } from './duckdb.js';
import { openParquet, type RawKind } from './parquet.js';

export type { RawKind } from './parquet.js';

/** File formats by extension. `.txt` is delimited text whose delimiter duckdb sniffs. */
export const FORMATS = {
  '.csv': 'csv',
  '.csv.gz': 'csv',
  '.txt': 'csv',
  '.tsv': 'tsv',
  '.tsv.gz': 'tsv',
  '.parquet': 'parquet',
} as const;

export type FileFormat = (typeof FORMATS)[keyof typeof FORMATS];

/** A file loaded into duckdb as raw values, one row per data row in file order. */
export interface Source {
  readonly format: FileFormat;
  /** Temp table with `__row` (1-based row in the file), `traw` (time) and `r0..rk` (requested columns). */
  readonly table: string;
  readonly rows: number;
  readonly timeKind: RawKind;
  readonly kinds: readonly RawKind[];
}

/** The format of `path` by its extension; FORMAT_UNSUPPORTED names the supported ones. */
export function formatOf(path: string): FileFormat {
  const name = basename(path).toLowerCase();
  const ext = Object.keys(FORMATS)
    .sort((a, b) => b.length - a.length)
    .find((e) => name.endsWith(e));
  if (ext) return FORMATS[ext as keyof typeof FORMATS];
  const dot = name.lastIndexOf('.');
  const found = dot > 0 ? name.slice(dot) : '(none)';
  throw new DataError(
    `unsupported file extension "${found}" for ${path}; supported: ${Object.keys(FORMATS).join(', ')}`,
    { path, extension: found, supported: Object.keys(FORMATS) },
    undefined,
    'FORMAT_UNSUPPORTED',
  );
}

function missingColumn(path: string, column: string, role: string, available: readonly string[]): DataError {
  const lone = available.length === 1 && /[,;\t|]/.test(available[0]!);
  return new DataError(
    `${role} column "${column}" not found in ${path}; available columns: ${available.map((c) => `"${c}"`).join(', ')}` +
      (lone ? ' (one column: the delimiter was not detected; are some rows malformed?)' : ''),
    { path, column, available },
  );
}

/** DATA_INVALID naming a missing column and the available ones (the time column, or a requested one). */
export function checkColumns(
  path: string,
  available: readonly string[],
  timeColumn: string,
  columns: readonly string[],
) {
  if (!available.includes(timeColumn)) throw missingColumn(path, timeColumn, 'time', available);
  for (const column of columns)
    if (!available.includes(column)) throw missingColumn(path, column, 'requested', available);
}

/** duckdb's CSV errors run to many lines (the whole sniffer search space); the first few say what went wrong. */
const firstLines = (message: string) => message.split('\n').slice(0, 3).join(' ');

function noRows(path: string): DataError {
  return new DataError(`${path} has no data rows`, { path });
}

async function readDelimited(
  duck: Duck,
  scratch: Scratch,
  path: string,
  format: FileFormat,
  timeColumn: string,
  columns: readonly string[],
): Promise<Source> {
  const suffix = basename(path).toLowerCase().endsWith('.gz') ? `.${format}.gz` : `.${format}`;
  const file = scratch.file(suffix);
  const table = scratch.table('src');
  duck.db.registerFileURL(file, resolve(path), duck.nodeFs, false);
  const reader = `read_csv(${sqlString(file)}, header = true, skip = 0, all_varchar = true${format === 'tsv' ? `, delim = '\\t'` : ''})`;
  const run = (query: string) => {
    try {
      return sql(duck, query);
    } catch (error) {
      throw new DataError(
        `could not read ${path} as ${format.toUpperCase()}: ${firstLines((error as Error).message)}`,
        { path },
        error,
      );
    }
  };
  try {
    // Check names against the header ourselves: duckdb matches quoted identifiers case-insensitively.
    const header = run(`SELECT * FROM ${reader} LIMIT 0`).schema.fields.map((f) => f.name);
    checkColumns(path, header, timeColumn, columns);
    const picks = [timeColumn, ...columns].map(
      (c, i) => `${sqlIdent(c)} AS ${i === 0 ? 'traw' : `r${i - 1}`}`,
    );
    run(
      `CREATE TEMP TABLE ${table} AS SELECT row_number() OVER () AS __row, ${picks.join(', ')} FROM ${reader}`,
    );
  } finally {
    duck.db.dropFile(file);
  }
  const rows = Number(sql(duck, `SELECT count(*) AS n FROM ${table}`).get(0)!['n']);
  if (rows === 0) throw noRows(path);
  return { format, table, rows, timeKind: 'text', kinds: columns.map(() => 'text') };
}

async function readParquet(
  duck: Duck,
  scratch: Scratch,
  path: string,
  timeColumn: string,
  columns: readonly string[],
): Promise<Source> {
  const buffer = await readFile(path);
  const bytes = buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer;
  const parquet = openParquet(bytes, path);
  checkColumns(path, parquet.columns, timeColumn, columns);
  if (parquet.rows === 0) throw noRows(path);
  const { table: arrow, timeKind, kinds } = await parquet.read(timeColumn, columns);
  const table = scratch.table('src');
  // IPC bytes, not insertArrowTable: duckdb-wasm serialises with its own (CommonJS) copy of
  // apache-arrow, which silently writes nothing for a table built by the ESM copy.
  duck.conn.insertArrowFromIPCStream(tableToIPC(arrow, 'stream'), { name: table, create: true });
  return { format: 'parquet', table, rows: parquet.rows, timeKind, kinds };
}

/**
 * Load the time column and `columns` of `path` into a duckdb temp table (see `Source`).
 * Throws as `checkFile`, and DATA_INVALID naming the column and the available ones when a column is missing.
 */
export async function readSource(
  duck: Duck,
  scratch: Scratch,
  path: string,
  timeColumn: string,
  columns: readonly string[],
): Promise<Source> {
  const { format } = await checkFile(path);
  if (format === 'parquet') return readParquet(duck, scratch, path, timeColumn, columns);
  return readDelimited(duck, scratch, path, format, timeColumn, columns);
}

/**
 * The format and size of `path`, checked before either engine reads it: DATA_NOT_FOUND for a missing
 * file or a folder, FORMAT_UNSUPPORTED for an unknown extension, DATA_INVALID for an empty file.
 */
export async function checkFile(path: string): Promise<{ format: FileFormat; size: number }> {
  const format = formatOf(path);
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') {
      throw new DataError(`data file not found: ${path}`, { path }, error, 'DATA_NOT_FOUND');
    }
    throw new DataError(`cannot read ${path}: ${error.message}`, { path }, error, 'DATA_NOT_FOUND');
  });
  if (!info.isFile()) throw new DataError(`${path} is not a file`, { path }, undefined, 'DATA_NOT_FOUND');
  if (info.size === 0) throw new DataError(`${path} is empty`, { path });
  return { format, size: info.size };
}
