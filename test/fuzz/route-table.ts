/**
 * Every HTTP route the fuzzer attacks, one entry each: a valid request built from the real checkpoint's
 * records, and how a generated plan turns it hostile. A route added later (e.g. `/models/{name}/…`) is
 * one more entry in `ROUTES`. Isomorphic: runs in Node and inside workerd.
 */
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import fc from 'fast-check';
import {
  applyByteOps,
  applyJsonOps,
  applyTextOp,
  type ByteOps,
  byteOps,
  contentType,
  type JsonOp,
  jsonOp,
  queryString,
  serialise,
  type TextOp,
  textOp,
} from './mutations.js';

export type Row = Record<string, string | number>;

/** What the valid requests are built from: the server's settings and the real checkpoint's data. */
export interface FuzzContext {
  apiKey: string;
  /** Served checkpoint name. */
  checkpoint: string;
  /** Its files, relative to the checkpoint (`_checkpoint_manifest.json`, `v0001/pipeline.json`, …). */
  files: readonly string[];
  /** Recent rows the model forecasts from (`timestamp`, target). */
  records: readonly Row[];
  timeColumn: string;
  target: string;
  periodMs: number;
}

export interface FuzzRequest {
  method: string;
  /** Path and query, starting with `/`. */
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

/** One route: the plan arbitrary (what is shrunk and printed) and how a plan becomes a request. */
export interface FuzzRoute {
  name: string;
  plan(ctx: FuzzContext): fc.Arbitrary<unknown>;
  build(plan: unknown, ctx: FuzzContext): FuzzRequest;
}

type Auth = 'key' | 'missing' | 'wrong';
/** Mostly the right key, so that most cases reach the route's own checks. */
const auth: fc.Arbitrary<Auth> = fc.oneof(
  { weight: 18, arbitrary: fc.constant<Auth>('key') },
  { weight: 2, arbitrary: fc.constantFrom<Auth>('missing', 'wrong') },
);
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];
/** The route's own method mostly, another one sometimes. */
const method = (own: string) =>
  fc.oneof(
    { weight: 12, arbitrary: fc.constant(own) },
    { weight: 1, arbitrary: fc.constantFrom(...METHODS) },
  );
/** `null` (leave as valid) most of the time, else a value from `arb`. */
const rarely = <T>(arb: fc.Arbitrary<T>, nullWeight = 3) =>
  fc.oneof({ weight: nullWeight, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arb });

function headersFor(ctx: FuzzContext, a: Auth, type?: string): Record<string, string> {
  const h: Record<string, string> = {};
  if (a === 'key') h['x-api-key'] = ctx.apiKey;
  if (a === 'wrong') h['x-api-key'] = `${ctx.apiKey}x`;
  if (type !== undefined) h['content-type'] = type;
  return h;
}

interface BodyPlan {
  method: string;
  auth: Auth;
  type: string | undefined;
  query: string;
  ops: JsonOp[];
  text: TextOp;
  /** With an Arrow content type: the rows as Arrow IPC, perhaps damaged. */
  arrow: ByteOps | null;
}

/** The records as an Arrow IPC stream (time as epoch ms); the valid records when the mutated ones do not fit a table. */
function arrowBytes(body: unknown, ctx: FuzzContext): Uint8Array {
  const rows = (body as { records?: unknown }).records;
  const use = Array.isArray(rows) && rows.length > 0 ? rows : ctx.records;
  try {
    const at = (r: unknown, k: string) => (r as Record<string, unknown>)?.[k];
    const time = use.map((r) => {
      const t = at(r, ctx.timeColumn);
      return typeof t === 'number' ? t : Date.parse(`${String(t)}Z`);
    });
    const values = use.map((r) => Number(at(r, ctx.target)));
    return tableToIPC(
      tableFromArrays({ [ctx.timeColumn]: Float64Array.from(time), [ctx.target]: Float64Array.from(values) }),
      'stream',
    );
  } catch {
    return tableToIPC(tableFromArrays({ [ctx.target]: Float64Array.from([1, 2, 3]) }), 'stream');
  }
}

/** `/models/{name}/…` routes address the served checkpoint by its name. */
const named = (path: string, ctx: FuzzContext) => path.replace('{name}', encodeURIComponent(ctx.checkpoint));

/** A POST route taking a JSON body (and, with `arrow`, Arrow IPC bodies). */
function jsonRoute(path: string, valid: (ctx: FuzzContext) => unknown, arrow = false): FuzzRoute {
  return {
    name: `POST ${path}`,
    plan: () =>
      fc.record<BodyPlan>({
        method: method('POST'),
        auth,
        type: contentType,
        query: queryString,
        ops: fc.array(jsonOp, { maxLength: 3 }),
        text: textOp,
        arrow: arrow ? fc.option(byteOps, { freq: 3 }) : fc.constant(null),
      }),
    build: (raw, ctx) => {
      const p = raw as BodyPlan;
      const body = applyJsonOps(valid(ctx), p.ops, ctx);
      const isArrowType = p.type?.startsWith('application/vnd.apache.arrow') ?? false;
      const payload =
        arrow && isArrowType
          ? applyByteOps(arrowBytes(body, ctx), p.arrow ?? { flips: [] })
          : applyTextOp(serialise(body), p.text);
      const request: FuzzRequest = {
        method: p.method,
        path: `${named(path, ctx)}${p.query}`,
        headers: headersFor(ctx, p.auth, p.type),
      };
      if (p.method !== 'GET') request.body = payload;
      return request;
    },
  };
}

interface GetPlan {
  method: string;
  auth: Auth;
  query: string;
  type: string | undefined;
}

/** A route without a body; only the method, key, query and content type vary. */
function bareRoute(verb: 'GET' | 'POST', path: string): FuzzRoute {
  return {
    name: `${verb} ${path}`,
    plan: () =>
      fc.record<GetPlan>({
        method: method(verb),
        auth,
        query: queryString,
        type: contentType,
      }),
    build: (raw, ctx) => {
      const p = raw as GetPlan;
      const request: FuzzRequest = {
        method: p.method,
        path: `${named(path, ctx)}${p.query}`,
        headers: headersFor(ctx, p.auth, p.type),
      };
      if (p.method !== 'GET') request.body = '{}';
      return request;
    },
  };
}

interface FilePlan {
  auth: Auth;
  file: number;
  mangle: string | null;
  name: string | null;
  etag: string | null;
}

const PATH_JUNK = [
  '..',
  '../..',
  '%2e%2e',
  '%2e%2e%2f%2e%2e',
  '..%2f_checkpoint_manifest.json',
  '%',
  '%E0%A4%A',
  '%00',
  '%C0%AE',
  'v0001/../../etc/passwd',
  'v0001//pipeline.json',
  'v9999/pipeline.json',
  'v0001/pipeline.json/',
  'v0001/pipeline.json%00',
  '😀',
  `v0001/${'a'.repeat(3000)}`,
  '',
];

/** GET /checkpoints/{name}/{file}: real file names, mangled names and odd If-None-Match values. */
const checkpointFiles: FuzzRoute = {
  name: 'GET /checkpoints/{name}/{file}',
  plan: () =>
    fc.record<FilePlan>({
      auth,
      file: fc.nat(),
      mangle: rarely(fc.oneof(fc.constantFrom(...PATH_JUNK), fc.string({ maxLength: 12 })), 2),
      name: rarely(fc.constantFrom('', '..', 'other', '%2e', '😀', 'TWIGA'), 6),
      etag: rarely(fc.oneof(fc.constantFrom('*', '""', 'W/"x"', ',,,'), fc.string({ maxLength: 20 }))),
    }),
  build: (raw, ctx) => {
    const p = raw as FilePlan;
    const file = p.mangle ?? ctx.files[p.file % ctx.files.length]!;
    const headers = headersFor(ctx, p.auth);
    if (p.etag !== null) headers['if-none-match'] = p.etag.replace(/[\r\n]/g, '');
    return { method: 'GET', path: `/checkpoints/${p.name ?? ctx.checkpoint}/${file}`, headers };
  },
};

interface RunsPlan {
  auth: Auth;
  method: string;
  limit: string | null;
  cursor: string | null;
  query: string;
  name: string | null;
}

const LIMITS = ['0', '1', '20', '200', '201', '-1', '1.5', '1e3', 'ten', '', '%', '9'.repeat(400)];
const CURSORS = ['', 'no-such-run', '%00', '..', '😀', 'a'.repeat(3000), '%E0%A4%A', '__proto__'];

/** GET /models/{name}/runs: paging parameters in and out of range, odd cursors and names. */
const runsRoute: FuzzRoute = {
  name: 'GET /models/{name}/runs',
  plan: () =>
    fc.record<RunsPlan>({
      auth,
      method: method('GET'),
      limit: rarely(fc.oneof(fc.constantFrom(...LIMITS), fc.string({ maxLength: 8 })), 1),
      cursor: rarely(fc.oneof(fc.constantFrom(...CURSORS), fc.string({ maxLength: 12 })), 2),
      query: queryString,
      name: rarely(fc.constantFrom('', '..', 'other', '%2e', '😀', 'a/b', 'a/b/c', 'TWIGA'), 4),
    }),
  build: (raw, ctx) => {
    const p = raw as RunsPlan;
    const params = [
      ...(p.limit === null ? [] : [`limit=${encodeURIComponent(p.limit)}`]),
      ...(p.cursor === null ? [] : [`cursor=${encodeURIComponent(p.cursor)}`]),
    ].join('&');
    const extra = p.query.replace(/^\?/, '');
    const query = [params, extra].filter((q) => q !== '').join('&');
    const request: FuzzRequest = {
      method: p.method,
      path: `/models/${p.name ?? ctx.checkpoint}/runs${query ? `?${query}` : ''}`,
      headers: headersFor(ctx, p.auth),
    };
    if (p.method !== 'GET') request.body = '{}';
    return request;
  },
};

const records = (ctx: FuzzContext) => ctx.records.map((r) => ({ ...r }));

/** The routes, one entry each. */
export const ROUTES: readonly FuzzRoute[] = [
  jsonRoute('/predict', (ctx) => ({ records: records(ctx) }), true),
  jsonRoute('/predict-interval', (ctx) => ({ records: records(ctx), levels: [0.8, 0.9] }), true),
  jsonRoute('/monitor/drift', (ctx) => ({ records: records(ctx) })),
  jsonRoute('/monitor/performance', (ctx) => ({
    // `step` 1 fits any horizon: each row is scored as the first step of its forecast.
    records: records(ctx).map((r, i) => ({ ...r, prediction: Number(r[ctx.target]) + (i % 7) - 3, step: 1 })),
    target: ctx.target,
    timestamp: ctx.timeColumn,
    step: 'step',
  })),
  bareRoute('GET', '/monitor/performance'),
  bareRoute('POST', '/reload'),
  checkpointFiles,
  bareRoute('GET', '/health'),
  bareRoute('GET', '/openapi.json'),
  // The fleet routes: the same handlers by name (the served checkpoint is one model of the store).
  bareRoute('GET', '/models'),
  jsonRoute('/models/{name}/predict', (ctx) => ({ records: records(ctx) }), true),
  jsonRoute('/models/{name}/predict-interval', (ctx) => ({ records: records(ctx), levels: [0.9] })),
  jsonRoute('/models/{name}/monitor/drift', (ctx) => ({ records: records(ctx) })),
  bareRoute('POST', '/models/{name}/reload'),
  bareRoute('GET', '/models/{name}/health'),
  // The retraining loop's records.
  runsRoute,
  bareRoute('GET', '/fleet/retraining'),
];
