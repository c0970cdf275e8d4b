/**
 * Read a small or medium CSV/TSV with d3-dsv into raw text columns, for the JS load path. Only
 * plainly shaped files are taken; anything duckdb's reader would treat in its own way is handed over.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { csvParseRows, tsvParseRows } from 'd3-dsv';
import { EngineNeeded, needEngineUnless } from './engine-needed.js';
import { checkColumns, type FileFormat } from './read-file.js';

/**
 * Files up to this size go through the JS path. Measured with `npm run bench -- fleet --only load` on
 * the fleet layout (2 shared cores): at 4k / 100k / 1M rows the JS path took 0.15 / 0.67 / 6.1 s cold
 * against duckdb-wasm's 11.6 / 12.7 / 17.2 s cold (9.7 s warm at 1M), so on speed duckdb never pays off
 * at these sizes; the bound is memory: d3-dsv holds every requested cell as a JS string (~150 B a row),
 * so past ~1.2M rows (48 MB of CSV) the columnar duckdb reader is the safer trade.
 */
export const JS_MAX_BYTES = 48 * 1024 * 1024;

/** A file's requested columns as text, in file order. `''` is an empty cell (duckdb's NULL). */
export interface RawColumns {
  readonly format: FileFormat;
  readonly rows: number;
  /** The time column's cells. */
  readonly time: readonly string[];
  /** The requested columns' cells, in the order asked for. */
  readonly columns: readonly (readonly string[])[];
}

const OTHER_DELIMITERS = /[;|\t]/;
const SPACE = /\s/;
/** What `String.prototype.trim` removes (ASCII controls and spaces, and Unicode spaces such as U+00A0). */
const isSpace = (code: number) => code <= 32 || (code > 127 && SPACE.test(String.fromCharCode(code)));

/**
 * `path`'s time column and `columns` as text, or EngineNeeded when the file is not one the JS path
 * reads exactly as duckdb's `read_csv(header = true, all_varchar = true)` would: gzip, `.txt`
 * (delimiter sniffed), larger than `JS_MAX_BYTES`, not valid UTF-8, a BOM, NUL bytes, CR-only line
 * ends, quotes, a blank or ragged row, padded cells, a header with blank, padded or repeated names,
 * or no data rows. A missing column in a plain header is the DataError duckdb's path gives.
 */
export async function readDsvColumns(
  path: string,
  format: FileFormat,
  size: number,
  timeColumn: string,
  columns: readonly string[],
): Promise<RawColumns> {
  const name = basename(path).toLowerCase();
  needEngineUnless(
    format !== 'parquet' && !name.endsWith('.gz') && !name.endsWith('.txt'),
    'not plain CSV/TSV',
  );
  needEngineUnless(size <= JS_MAX_BYTES, `larger than ${JS_MAX_BYTES} bytes`);
  const bytes = await readFile(path);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    throw new EngineNeeded(`not valid UTF-8 (${(error as Error).message})`);
  }
  needEngineUnless(!text.startsWith('\ufeff'), 'starts with a BOM');
  needEngineUnless(!text.includes('\0') && !text.includes('"'), 'NUL bytes or quotes');
  needEngineUnless(!/\r(?!\n)/.test(text), 'CR-only line ends');
  if (format === 'csv') needEngineUnless(!OTHER_DELIMITERS.test(text), 'another delimiter may be the one');
  let at: number[] = [];
  let width = 0;
  let out: string[][] = [];
  let rows = 0;
  // Rows are taken apart as d3 yields them (the callback keeps none): no array per row survives the parse.
  (format === 'tsv' ? tsvParseRows : csvParseRows)(text, (row, i) => {
    if (i === 0) {
      needEngineUnless(
        new Set(row).size === row.length && row.every((h) => h !== '' && h.trim() === h),
        'blank, padded or repeated header names',
      );
      // A plain header reads the same in both engines: a missing column is duckdb's error, said here.
      checkColumns(path, row, timeColumn, columns);
      at = [timeColumn, ...columns].map((c) => row.indexOf(c));
      width = row.length;
      out = at.map(() => []);
      return undefined;
    }
    needEngineUnless(row.length === width, `row ${i} has ${row.length} cells, the header ${width}`);
    for (let c = 0; c < at.length; c++) {
      const cell = row[at[c]!]!;
      // duckdb trims some padding and not other: padded cells are its to read.
      needEngineUnless(
        cell === '' || !(isSpace(cell.charCodeAt(0)) || isSpace(cell.charCodeAt(cell.length - 1))),
        `row ${i} has a padded cell`,
      );
      out[c]!.push(cell);
    }
    rows++;
    return undefined;
  });
  needEngineUnless(rows > 0, 'no data rows');
  return { format, rows, time: out[0]!, columns: out.slice(1) };
}
