/**
 * Hostile variations of a valid JSON request body, as fast-check arbitraries. A plan (a short list of
 * operations) is generated and shrunk, not the body itself, so a counterexample prints small: long
 * strings appear as `{ long: "x", times: 100000 }` and raw number tokens as `{ raw: "1e400" }`.
 */
import fc from 'fast-check';
import { MAX_TIME_MS, MIN_TIME_MS } from '../../src/runtime/time-range.js';

/** A value placed somewhere in a body: JSON, a long string, or a raw JSON token (`1e400`, `9007199254740993`). */
export type Planted = unknown | { long: string; times: number } | { raw: string };

const DATE_MAX = 8.64e15;

/** The numbers and strings that broke or could break parsers, `Date` and the time axis. */
const EXTREMES: Planted[] = [
  1e308,
  -1e308,
  5e-324,
  -0,
  2 ** 53 + 1,
  -(2 ** 53 + 1),
  DATE_MAX,
  DATE_MAX + 1,
  -DATE_MAX - 1,
  MAX_TIME_MS,
  MAX_TIME_MS + 1,
  MIN_TIME_MS,
  MIN_TIME_MS - 1,
  { raw: '8640000000000001' },
  { raw: '9007199254740993' },
  { raw: '1e400' },
  { raw: '-1e400' },
  { raw: '1e-400' },
  'NaN',
  'Infinity',
  '-Infinity',
  '',
  ' ',
  null,
  true,
  false,
  [],
  {},
  [[[]]],
  { long: 'x', times: 100_000 },
  { long: '😀', times: 20_000 },
  { long: '9', times: 400 },
  '\ud800',
  '\u0000',
  '2262-04-11T23:47:16.855',
  '2262-04-12T00:00:00',
  '1677-09-21T00:12:43.145',
  '1677-09-20T00:00:00Z',
  '+275760-09-13T00:00:00Z',
  '-271821-04-20T00:00:00Z',
  '9999-12-31T23:59:59',
  '0000-01-01',
  '2024-02-30T00:00:00',
  '2024-01-01T00:00:00+99:99',
  'constructor',
  '__proto__',
];

/** A value to plant: an extreme, or anything fast-check's JSON and string arbitraries make. */
export const plantedValue: fc.Arbitrary<Planted> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...EXTREMES) },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.integer({ min: -(2 ** 53), max: 2 ** 53 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

const KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'unknown', '', '😀'];

/** One change to a parsed body (`at` picks a node among all of the body's nodes, modulo their count). */
export type JsonOp =
  | { op: 'set'; at: number; value: Planted }
  | { op: 'delete'; at: number }
  | { op: 'addKey'; at: number; key: string; value: Planted }
  | { op: 'duplicateRow'; row: number; times: number }
  | { op: 'swapRows'; a: number; b: number }
  | { op: 'keepRows'; count: number }
  | { op: 'reverseRows' }
  | { op: 'time'; row: number; value: Planted }
  | { op: 'nearBound'; end: 'max' | 'min'; stepsInside: number };

/** Changes to the text after serialising. */
export type TextOp =
  | { op: 'none' }
  | { op: 'truncate'; keep: number }
  | { op: 'nest'; depth: number }
  | { op: 'replace'; text: string }
  | { op: 'duplicateKey' };

export const jsonOp: fc.Arbitrary<JsonOp> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('set'), at: fc.nat(), value: plantedValue }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('delete'), at: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('addKey'),
      at: fc.nat(),
      key: fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 8 })),
      value: plantedValue,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('duplicateRow'),
      row: fc.nat(),
      times: fc.integer({ min: 1, max: 3 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('swapRows'), a: fc.nat(), b: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('keepRows'), count: fc.nat({ max: 600 }) }) },
  { weight: 1, arbitrary: fc.constant({ op: 'reverseRows' as const }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('time'), row: fc.nat(), value: plantedValue }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('nearBound'),
      end: fc.constantFrom('max' as const, 'min' as const),
      stepsInside: fc.integer({ min: -2, max: 100 }),
    }),
  },
);

export const textOp: fc.Arbitrary<TextOp> = fc.oneof(
  { weight: 8, arbitrary: fc.constant({ op: 'none' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('truncate'), keep: fc.double({ min: 0, max: 1, noNaN: true }) }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('nest'), depth: fc.constantFrom(10, 1000, 100_000) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('replace'),
      text: fc.oneof(
        fc.constantFrom(
          '',
          'null',
          '[]',
          '{}',
          '"records"',
          '{"records":null}',
          '\ufeff{}',
          '{"records":[]}',
        ),
        fc.string({ unit: 'binary', maxLength: 60 }),
      ),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ op: 'duplicateKey' as const }) },
);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** Expands the markers of a planted value into JSON (raw tokens stay markers until `serialise`). */
function expand(value: Planted): unknown {
  if (isObject(value) && 'long' in value && 'times' in value && Object.keys(value).length === 2) {
    return String(value['long']).repeat(Number(value['times']));
  }
  return value;
}

/** Every container and leaf of a JSON value, with its parent and key (the root has none). */
function nodes(root: unknown): Array<{ parent: Record<string, unknown> | unknown[]; key: string | number }> {
  const out: Array<{ parent: Record<string, unknown> | unknown[]; key: string | number }> = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) {
      v.forEach((child, i) => {
        out.push({ parent: v, key: i });
        walk(child);
      });
    } else if (isObject(v)) {
      for (const key of Object.keys(v)) {
        out.push({ parent: v, key });
        walk(v[key]);
      }
    }
  };
  walk(root);
  return out;
}

/** Defines an own property (also for `__proto__`, which plain assignment would not create). */
function put(target: Record<string, unknown> | unknown[], key: string | number, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** What a mutation needs to know about the body: where the rows are and how time is written. */
export interface BodyShape {
  /** The rows' time column, e.g. `timestamp`. */
  timeColumn: string;
  /** One period in ms, for the near-bound series. */
  periodMs: number;
}

/** Applies `ops` to a deep copy of `body` (whose `records` are the rows). */
export function applyJsonOps(body: unknown, ops: readonly JsonOp[], shape: BodyShape): unknown {
  const copy = structuredClone(body) as Record<string, unknown>;
  for (const o of ops) {
    const rows =
      isObject(copy) && Array.isArray(copy['records']) ? (copy['records'] as unknown[]) : undefined;
    switch (o.op) {
      case 'set':
      case 'delete':
      case 'addKey': {
        const all = nodes(copy);
        if (all.length === 0) break;
        const { parent, key } = all[o.at % all.length]!;
        if (o.op === 'set') put(parent, key, expand(o.value));
        else if (o.op === 'delete') {
          if (Array.isArray(parent)) parent.splice(Number(key), 1);
          else delete parent[key as string];
        } else {
          const target = (parent as Record<string, unknown>)[key as string];
          if (isObject(target) && !Array.isArray(target)) put(target, o.key, expand(o.value));
          else put(copy, o.key, expand(o.value));
        }
        break;
      }
      case 'duplicateRow':
        if (rows && rows.length > 0) {
          const i = o.row % rows.length;
          rows.splice(i, 0, ...Array.from({ length: o.times }, () => structuredClone(rows[i])));
        }
        break;
      case 'swapRows':
        if (rows && rows.length > 1) {
          const [a, b] = [o.a % rows.length, o.b % rows.length];
          [rows[a], rows[b]] = [rows[b], rows[a]];
        }
        break;
      case 'keepRows':
        if (rows) rows.length = Math.min(rows.length, o.count);
        break;
      case 'reverseRows':
        rows?.reverse();
        break;
      case 'time':
        if (rows && rows.length > 0) {
          const row = rows[o.row % rows.length];
          if (isObject(row)) put(row, shape.timeColumn, expand(o.value));
        }
        break;
      case 'nearBound':
        if (rows) {
          // A valid, increasing series whose last (or first) row sits `stepsInside` periods inside a bound.
          const n = rows.length;
          const start =
            o.end === 'max'
              ? MAX_TIME_MS - (n - 1 + o.stepsInside) * shape.periodMs
              : MIN_TIME_MS + o.stepsInside * shape.periodMs;
          rows.forEach((row, i) => {
            if (isObject(row)) put(row, shape.timeColumn, start + i * shape.periodMs);
          });
        }
        break;
    }
  }
  return copy;
}

/** JSON text of a mutated body, raw tokens written as themselves. */
export function serialise(body: unknown): string {
  const text = JSON.stringify(body) ?? '';
  return text.replace(/\{"raw":"([^"]*)"\}/g, '$1');
}

export function applyTextOp(text: string, o: TextOp): string {
  switch (o.op) {
    case 'none':
      return text;
    case 'truncate':
      return text.slice(0, Math.floor(text.length * o.keep));
    case 'nest':
      return `{"records":${'['.repeat(o.depth)}${']'.repeat(o.depth)}}`;
    case 'replace':
      return o.text;
    case 'duplicateKey':
      // A second `records` key: JSON.parse keeps the last one.
      return text.startsWith('{') ? `{"records":[],${text.slice(1)}` : text;
  }
}

/** Content types a client might send, right and wrong. */
export const contentType: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 10, arbitrary: fc.constant('application/json') },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      undefined,
      '',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/json; charset=latin1',
      'APPLICATION/JSON',
      'application/jsonx',
      'application/vnd.apache.arrow.stream',
      'application/vnd.apache.arrow.file',
      'application/octet-stream',
      '*/*',
      'application/json, text/plain',
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }).map((s) => s.replace(/[\r\n]/g, '')) },
);

/** Query strings, odd ones included (malformed escapes, repeated keys, non-BMP). */
export const queryString: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constant('') },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '?',
      '?ensemble_strategy=median',
      '?ensemble_strategy=mean&ensemble_strategy=median',
      '?ensemble_strategy=%E0%A4%A',
      '?levels=0.8,0.9',
      '?levels=1e400',
      '?levels=,,,',
      '?levels=0.5&levels=0.6',
      '?__proto__[x]=1',
      '?constructor=1',
      '?%',
      '?a=%zz',
      '?😀=😀',
      `?x=${'y'.repeat(5000)}`,
    ),
  },
  {
    weight: 1,
    arbitrary: fc
      .array(fc.tuple(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 })), { maxLength: 4 })
      .map(
        (pairs) => `?${pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}`,
      ),
  },
);

/** Byte-level damage to an Arrow IPC body: flipped bytes, then perhaps truncated. */
export interface ByteOps {
  flips: Array<{ at: number; byte: number }>;
  keep?: number | undefined;
}

export const byteOps: fc.Arbitrary<ByteOps> = fc.record(
  {
    flips: fc.array(fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }), { maxLength: 6 }),
    keep: fc.double({ min: 0, max: 1, noNaN: true }),
  },
  { requiredKeys: ['flips'] },
);

export function applyByteOps(bytes: Uint8Array, o: ByteOps): Uint8Array {
  const out = bytes.slice();
  for (const f of o.flips) if (out.length > 0) out[f.at % out.length] = f.byte;
  return o.keep === undefined ? out : out.subarray(0, Math.floor(out.length * o.keep));
}
