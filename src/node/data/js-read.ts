/**
 * Stream a plain CSV/TSV of any size into typed columns for the JS load path: the file is read in
 * line-aligned blocks (node:fs streams), each block parsed by d3-dsv, and every cell turned into a
 * number as it arrives, so memory is ~8 bytes a cell and time per row is flat. Anything duckdb's
 * reader would treat in its own way is handed over (EngineNeeded).
 */
import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { csvParseRows, tsvParseRows } from 'd3-dsv';
import { MAX_TIME_MS, MIN_TIME_MS } from '../../runtime/time-range.js';
import { EngineNeeded, needEngineUnless } from './engine-needed.js';
import { GrowableI32 } from './growable.js';
import { numberCell, type TimeCellParser } from './js-cells.js';
import { checkColumns, type FileFormat } from './read-file.js';
import type { InvalidValues } from './repair.js';

/** Bytes read at a time; a block is this much cut back to its last line end. */
export const CHUNK = 4 * 1024 * 1024;
/** A line longer than this is not a plain table row (and would make carrying it quadratic). */
const MAX_LINE = 64 * 1024 * 1024;
const MEMO_LIMIT = 200_000;

/** What `readDsvStream` reads: the time column, an optional id (text) column, numeric columns. */
export interface StreamRequest {
  readonly timeColumn: string;
  /** Cells kept as text and grouped on (a panel's series id); absent: one group of every row. */
  readonly idColumn?: string | undefined;
  /** Columns read as numbers (`numberCell`): NaN where a cell is not one. */
  readonly columns: readonly string[];
  /** Picks the time parser once the rows are counted and sampled (`resolveTimeJs`). */
  readonly timeParser: (source: TimeSource) => Promise<TimeCellParser>;
}

/** What a time parser may look at before the main pass: a sample, and a whole-column scan on demand. */
export interface TimeSource {
  /** Data rows in the file (header excluded). */
  readonly rows: number;
  /** Non-blank time cells of the data rows whose 1-based number passes `take`, in file order. */
  sample(take: (row: number) => boolean): Promise<string[]>;
  /** Calls `visit` with every time cell (one full parse of the file). */
  forEachCell(visit: (cell: string) => void): Promise<void>;
}

/** The rows of one group (series) and the first cell of each column that was not a number. */
export interface RowGroup {
  /** 0-based data rows, in file order. */
  readonly rows: GrowableI32;
  readonly examples: Array<InvalidValues['example']>;
}

/** A file's columns as numbers, one entry per data row in file order. */
export interface StreamedColumns {
  readonly format: FileFormat;
  readonly rows: number;
  /** Epoch ms of each row's time cell. */
  readonly time: Float64Array;
  /** The requested numeric columns, in the order asked for. */
  readonly values: readonly Float64Array[];
  /** Rows by id cell (first appearance order); one group keyed `''` when there is no id column. */
  readonly groups: ReadonlyMap<string, RowGroup>;
}

const SPACE = /\s/;
/** What `String.prototype.trim` removes (ASCII controls and spaces, and Unicode spaces such as U+00A0). */
const isSpace = (code: number) => code <= 32 || (code > 127 && SPACE.test(String.fromCharCode(code)));
const isPadded = (cell: string) =>
  cell !== '' && (isSpace(cell.charCodeAt(0)) || isSpace(cell.charCodeAt(cell.length - 1)));

const padded = (i: number) => new EngineNeeded(`row ${i + 1} has a padded cell`);

const BYTE = { lf: 10, cr: 13, nul: 0, quote: 0x22, tab: 9, semicolon: 0x3b, bar: 0x7c } as const;

/** Calls `visit` with the file in blocks of whole lines (the last block may lack its line end). */
async function forEachBlock(path: string, visit: (block: Buffer) => void): Promise<void> {
  let carry: Buffer | undefined;
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK }) as AsyncIterable<Buffer>) {
    const buf = carry ? Buffer.concat([carry, chunk]) : chunk;
    const end = buf.lastIndexOf(BYTE.lf);
    if (end < 0) {
      needEngineUnless(buf.length <= MAX_LINE, `a line longer than ${MAX_LINE} bytes`);
      carry = buf;
      continue;
    }
    visit(buf.subarray(0, end + 1));
    carry = end + 1 < buf.length ? buf.subarray(end + 1) : undefined;
  }
  if (carry) visit(carry);
}

/** A line's bytes without its `\n` / `\r\n`. */
function lineText(block: Buffer, start: number, end: number): string {
  return block.toString('utf8', start, end > start && block[end - 1] === BYTE.cr ? end - 1 : end);
}

/**
 * Pass 1, bytes only: the checks the whole text needs (UTF-8, BOM, NUL, quotes, CR-only line ends,
 * another delimiter), the header line and the data row count as d3-dsv would yield them.
 */
async function survey(path: string, format: FileFormat): Promise<{ header: string; rows: number }> {
  let header: string | undefined;
  let lines = 0;
  let last = BYTE.lf as number;
  await forEachBlock(path, (block) => {
    if (header === undefined) {
      needEngineUnless(!(block[0] === 0xef && block[1] === 0xbb && block[2] === 0xbf), 'starts with a BOM');
      const end = block.indexOf(BYTE.lf);
      header = lineText(block, 0, end < 0 ? block.length : end);
    }
    needEngineUnless(isUtf8(block), 'not valid UTF-8');
    needEngineUnless(block.indexOf(BYTE.nul) < 0 && block.indexOf(BYTE.quote) < 0, 'NUL bytes or quotes');
    for (let j = block.indexOf(BYTE.cr); j >= 0; j = block.indexOf(BYTE.cr, j + 1))
      needEngineUnless(block[j + 1] === BYTE.lf, 'CR-only line ends');
    if (format === 'csv')
      needEngineUnless(
        block.indexOf(BYTE.semicolon) < 0 && block.indexOf(BYTE.bar) < 0 && block.indexOf(BYTE.tab) < 0,
        'another delimiter may be the one',
      );
    for (let j = block.indexOf(BYTE.lf); j >= 0; j = block.indexOf(BYTE.lf, j + 1)) lines++;
    last = block[block.length - 1]!;
  });
  // d3-dsv drops one trailing line end; a last line without one is still a row.
  const total = lines + (last === BYTE.lf ? 0 : 1);
  return { header: header ?? '', rows: Math.max(0, total - 1) };
}

/**
 * `path`'s time column (epoch ms), id column and numeric `columns`, or EngineNeeded when the file is
 * not one the JS path reads exactly as duckdb's `read_csv(header = true, all_varchar = true)` would:
 * gzip, `.txt` (delimiter sniffed), not valid UTF-8, a BOM, NUL bytes, CR-only line ends, quotes, a
 * blank or ragged row, padded cells, a header with blank, padded or repeated names, no data rows, a
 * cell the strict parsers do not read, a timestamp out of range, or an empty id. A missing column in
 * a plain header is the DataError duckdb's path gives.
 */
export async function readDsvStream(
  path: string,
  format: FileFormat,
  request: StreamRequest,
): Promise<StreamedColumns> {
  const name = basename(path).toLowerCase();
  needEngineUnless(
    format !== 'parquet' && !name.endsWith('.gz') && !name.endsWith('.txt'),
    'not plain CSV/TSV',
  );
  const parseRows = format === 'tsv' ? tsvParseRows : csvParseRows;
  const { header: headerLine, rows } = await survey(path, format);
  const header = parseRows(headerLine)[0] ?? [];
  needEngineUnless(
    new Set(header).size === header.length && header.every((h) => h !== '' && h.trim() === h),
    'blank, padded or repeated header names',
  );
  const { timeColumn, idColumn, columns } = request;
  // A plain header reads the same in both engines: a missing column is duckdb's error, said here.
  checkColumns(path, header, timeColumn, idColumn === undefined ? columns : [idColumn, ...columns]);
  needEngineUnless(rows > 0, 'no data rows');
  const width = header.length;
  const timeAt = header.indexOf(timeColumn);
  const idAt = idColumn === undefined ? -1 : header.indexOf(idColumn);
  const at = columns.map((c) => header.indexOf(c));

  /** Pass over every data row: d3-dsv on each block, `visit(row, 0-based data row)`. */
  const forEachRow = async (visit: (row: string[], i: number) => void) => {
    let next = -1; // the header is row -1
    await forEachBlock(path, (block) => {
      parseRows(block.toString('utf8'), (row) => {
        if (next >= 0) {
          // Messages are built only on failure: a template per row would cost more than the parse.
          if (row.length !== width)
            throw new EngineNeeded(`row ${next + 1} has ${row.length} cells, the header ${width}`);
          visit(row, next);
        }
        next++;
        return undefined;
      });
    });
    needEngineUnless(next === rows, 'rows counted and parsed differ');
  };

  const parse = await request.timeParser({
    rows,
    sample: async (take) => {
      const out: string[] = [];
      let row = 0; // the header is line 0
      await forEachBlock(path, (block) => {
        for (let s = 0; s < block.length; row++) {
          let e = block.indexOf(BYTE.lf, s);
          if (e < 0) e = block.length;
          if (row > 0 && take(row)) {
            const cell = parseRows(lineText(block, s, e))[0]?.[timeAt];
            if (cell !== undefined && cell.trim() !== '') out.push(cell);
          }
          s = e + 1;
        }
      });
      return out;
    },
    forEachCell: (visit) => forEachRow((row) => visit(row[timeAt]!)),
  });

  const time = new Float64Array(rows);
  const values = columns.map(() => new Float64Array(rows));
  const groups = new Map<string, RowGroup>();
  const memo = new Map<string, number>();
  const newGroup = (): RowGroup => ({ rows: new GrowableI32(), examples: columns.map(() => undefined) });
  let group = newGroup();
  let groupId: string | undefined;
  if (idAt < 0) groups.set('', group);
  await forEachRow((row, i) => {
    const cell = row[timeAt]!;
    if (isPadded(cell)) throw padded(i);
    let ms = memo.get(cell);
    if (ms === undefined) {
      const parsed = parse(cell);
      needEngineUnless(
        parsed !== undefined && parsed >= MIN_TIME_MS && parsed <= MAX_TIME_MS,
        'a timestamp needs duckdb',
      );
      ms = parsed;
      if (memo.size < MEMO_LIMIT) memo.set(cell, ms);
    }
    time[i] = ms;
    if (idAt >= 0) {
      const id = row[idAt]!;
      needEngineUnless(id !== '', 'an empty series id');
      if (isPadded(id)) throw padded(i);
      // Long panels come grouped by id: the last group is almost always the row's.
      if (id !== groupId) {
        groupId = id;
        const known = groups.get(id);
        group = known ?? newGroup();
        if (!known) groups.set(id, group);
      }
    }
    group.rows.push(i);
    for (let c = 0; c < at.length; c++) {
      const raw = row[at[c]!]!;
      if (isPadded(raw)) throw padded(i);
      const x = numberCell(raw);
      if (x === undefined) throw new EngineNeeded('a value cell needs duckdb');
      if (x === null) {
        values[c]![i] = Number.NaN;
        group.examples[c] ??= { value: raw, row: i + 1 };
      } else values[c]![i] = x;
    }
  });
  return { format, rows, time, values, groups };
}
