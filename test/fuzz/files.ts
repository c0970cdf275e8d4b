/**
 * Hostile data files for the CLI's loaders, as fast-check arbitraries: CSV/TSV text built from hostile
 * cells (BOMs, quoted newlines, huge fields, mixed types in the time column, ragged rows), raw bytes and
 * bad encodings, empty files and header-only files, and Parquet files (typed and damaged).
 */
import fc from 'fast-check';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { MAX_TIME_MS, MIN_TIME_MS } from '../../src/runtime/time-range.js';

/** A generated file: its extension and bytes (a plan small enough to print). */
export interface FileCase {
  ext: '.csv' | '.tsv' | '.txt' | '.parquet' | '.csv.gz';
  bytes: Uint8Array;
  what: string;
}

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');

const timeCell: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 500 }).map((h) => iso(Date.UTC(2024, 0, 1) + h * HOUR)) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '',
      'garbage',
      '2024-13-01 00:00',
      '2024-02-30 00:00',
      '1677-09-21 00:12',
      '2262-04-12 00:00',
      '9999-12-31 23:59',
      '0001-01-01 00:00',
      '8640000000000001',
      '9007199254740993',
      '1e300',
      '-1e300',
      'NaN',
      'Infinity',
      '1704067200000',
      '1704067200',
      '"2024-01-01\n00:00"',
      '"a""b"',
      'x'.repeat(70_000),
      '😀',
      '\u0000',
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);

const valueCell: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true }).map(String) },
  {
    weight: 2,
    arbitrary: fc.constantFrom('', 'NaN', 'inf', '-inf', '1e400', '1,5', '"quoted\nnewline"', '"', 'null'),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
);

const row = fc.tuple(timeCell, valueCell, fc.nat({ max: 3 })).map(([t, v, extra]) =>
  // Ragged rows: some with fewer or more cells than the header.
  extra === 0 ? [t] : extra === 3 ? [t, v, 'extra', 'more'] : [t, v],
);

const header = fc.constantFrom(
  ['timestamp', 'value'],
  ['timestamp', 'value'],
  ['timestamp', 'value'],
  ['\ufefftimestamp', 'value'],
  ['Timestamp', 'value'],
  ['timestamp', 'timestamp'],
  ['value', 'timestamp'],
  ['"timestamp"', '"value"'],
  ['timestamp'],
);

const encoder = new TextEncoder();

/** Delimited text: header + rows, with a delimiter, a line ending, and perhaps a BOM or a bad encoding. */
const delimited: fc.Arbitrary<FileCase> = fc
  .record({
    ext: fc.constantFrom('.csv' as const, '.tsv' as const, '.txt' as const),
    header,
    rows: fc.array(row, { maxLength: 40 }),
    eol: fc.constantFrom('\n', '\r\n', '\r'),
    bom: fc.boolean(),
    latin1: fc.boolean(),
    headerOnly: fc.boolean(),
  })
  .map((p) => {
    const sep = p.ext === '.tsv' ? '\t' : ',';
    const lines = [p.header.join(sep), ...(p.headerOnly ? [] : p.rows.map((r) => r.join(sep)))];
    let bytes = encoder.encode((p.bom ? '\ufeff' : '') + lines.join(p.eol));
    if (p.latin1) {
      // Invalid UTF-8: lone continuation and overlong bytes in the middle of the text.
      const out = new Uint8Array(bytes.length + 3);
      const mid = Math.floor(bytes.length / 2);
      out.set(bytes.subarray(0, mid));
      out.set([0xe9, 0xc0, 0x80], mid);
      out.set(bytes.subarray(mid), mid + 3);
      bytes = out;
    }
    const what = `${p.ext} ${p.rows.length} rows${p.headerOnly ? ' (header only)' : ''}${p.bom ? ' BOM' : ''}${p.latin1 ? ' bad UTF-8' : ''}`;
    return { ext: p.ext, bytes, what };
  });

/** Random bytes under a data extension (and empty files). */
const randomBytes: fc.Arbitrary<FileCase> = fc
  .record({
    ext: fc.constantFrom('.csv' as const, '.tsv' as const, '.parquet' as const, '.csv.gz' as const),
    bytes: fc.oneof(fc.uint8Array({ maxLength: 600 }), fc.constant(new Uint8Array(0))),
  })
  .map((p) => ({ ...p, what: `${p.ext} ${p.bytes.length} random bytes` }));

const parquetTime = fc.oneof(
  fc
    .array(fc.integer({ min: 0, max: 300 }), { minLength: 1, maxLength: 30 })
    .map((hs) => ({ kind: 'STRING', data: hs.map((h) => iso(Date.UTC(2024, 0, 1) + h * HOUR)) })),
  fc
    .array(
      fc.oneof(
        fc.integer({ min: 0, max: 300 }).map((h) => Date.UTC(2024, 0, 1) + h * HOUR),
        fc.constantFrom(MAX_TIME_MS + 1, MIN_TIME_MS - 1, 8.64e15 + 1, 2 ** 53 + 1),
      ),
      { minLength: 1, maxLength: 30 },
    )
    .map((ts) => ({ kind: 'DOUBLE', data: ts })),
  fc
    .array(
      fc.oneof(
        fc.integer({ min: 0, max: 300 }).map((h) => BigInt(Date.UTC(2024, 0, 1) + h * HOUR)),
        fc.constantFrom(2n ** 60n, -(2n ** 60n), BigInt(MAX_TIME_MS) + 1n),
      ),
      { minLength: 1, maxLength: 30 },
    )
    .map((ts) => ({ kind: 'TIMESTAMP', data: ts })),
  fc
    .array(fc.oneof(fc.string({ maxLength: 6 }), fc.constant('2024-01-01 00:00')), {
      minLength: 1,
      maxLength: 10,
    })
    .map((ts) => ({ kind: 'STRING', data: ts })),
);

/** A Parquet file with a string, double or timestamp time column, perhaps with bytes damaged. */
const parquet: fc.Arbitrary<FileCase> = fc
  .record({
    time: parquetTime,
    damage: fc.option(
      fc.array(fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }), {
        minLength: 1,
        maxLength: 4,
      }),
    ),
  })
  .map((p) => {
    const n = p.time.data.length;
    const buffer = parquetWriteBuffer({
      columnData: [
        { name: 'timestamp', data: p.time.data as never, type: p.time.kind as never },
        { name: 'value', data: Array.from({ length: n }, (_, i) => i * 1.5), type: 'DOUBLE' },
      ],
    });
    const bytes = new Uint8Array(buffer);
    for (const d of p.damage ?? []) bytes[d.at % bytes.length] = d.byte;
    return {
      ext: '.parquet' as const,
      bytes,
      what: `parquet ${p.time.kind} ${n} rows${p.damage ? ' damaged' : ''}`,
    };
  });

/** Every kind of hostile file. */
export const hostileFile: fc.Arbitrary<FileCase> = fc.oneof(
  { weight: 5, arbitrary: delimited },
  { weight: 2, arbitrary: randomBytes },
  { weight: 3, arbitrary: parquet },
);
