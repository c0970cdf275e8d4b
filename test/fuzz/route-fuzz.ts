/**
 * The fuzz properties, against any server reachable by `send`: status < 500; every 4xx is
 * `{ error: { code, message } }` with no stack trace; `/health` answers afterwards with the same model and
 * package version; `Object.prototype` untouched (in this process; a child server checks its own).
 */
import fc from 'fast-check';
import { type FuzzContext, type FuzzRequest, type FuzzRoute, ROUTES } from './route-table.js';

export type Send = (request: FuzzRequest) => Promise<Response>;

export interface FuzzOptions {
  /** Cases per route. */
  runs: number;
  seed: number;
  /** Only routes whose name contains this. */
  only?: string | undefined;
}

/** Per route: cases run and how many answered each status (0: connection closed, see closedWhileUploading). */
export type FuzzStats = Record<string, { cases: number; statuses: Record<number, number> }>;

const STACK = /\n\s+at |\.ts:\d+|\.js:\d+:\d+/;

function describe(request: FuzzRequest): string {
  const body =
    request.body === undefined
      ? '(none)'
      : typeof request.body === 'string'
        ? JSON.stringify(request.body.length > 400 ? `${request.body.slice(0, 400)}…` : request.body)
        : `${request.body.length} bytes`;
  return `${request.method} ${request.path.slice(0, 300)} headers=${JSON.stringify(request.headers)} body=${body}`;
}

/** Throws (with the request and response described) unless the response meets the properties. */
export async function checkResponse(request: FuzzRequest, res: Response): Promise<void> {
  // Decoded by hand: `res.text()` on a binary 200 (checkpoint files) makes workerd warn on every case.
  const text = new TextDecoder().decode(await res.arrayBuffer());
  const fail = (why: string) => {
    throw new Error(
      `${why}\n  request: ${describe(request)}\n  response ${res.status}: ${text.slice(0, 600)}`,
    );
  };
  if (res.status >= 500) fail(`status ${res.status}`);
  if (STACK.test(text)) fail('a stack trace in the body');
  if (res.status >= 400) {
    let body: { error?: { code?: unknown; message?: unknown } };
    try {
      body = JSON.parse(text);
    } catch {
      return fail('a 4xx body that is not JSON');
    }
    if (typeof body.error?.code !== 'string' || typeof body.error?.message !== 'string')
      fail('a 4xx body without { error: { code, message } }');
  }
  const polluted = Object.getOwnPropertyNames(Object.prototype).filter((k) => !PROTOTYPE_KEYS.has(k));
  if (polluted.length > 0) fail(`Object.prototype gained ${polluted.join(', ')}`);
}

const PROTOTYPE_KEYS = new Set(Object.getOwnPropertyNames(Object.prototype));

/**
 * A large body the server answered early (401, 404, 415) without reading: @hono/node-server drains it for
 * at most 500 ms, then closes the socket, which the client sees as "other side closed" while still
 * uploading. Counted as status 0 ("closed"), and only for bodies over 100 kB; anything else fails.
 */
function closedWhileUploading(request: FuzzRequest, error: unknown): boolean {
  const size = typeof request.body === 'string' ? request.body.length : (request.body?.length ?? 0);
  const code = (error as { cause?: { code?: string } })?.cause?.code;
  return size > 100_000 && code === 'UND_ERR_SOCKET';
}

interface Health {
  version: number | null;
  package_version: string;
}

async function health(send: Send): Promise<Health> {
  const res = await send({ method: 'GET', path: '/health', headers: {} });
  if (res.status !== 200) throw new Error(`/health answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as Health;
}

/** Fuzzes one route; returns the statuses seen. A failure throws fast-check's report (seed, shrunk counterexample). */
export async function fuzzRoute(
  route: FuzzRoute,
  ctx: FuzzContext,
  send: Send,
  options: Pick<FuzzOptions, 'runs' | 'seed'>,
): Promise<{ cases: number; statuses: Record<number, number> }> {
  const before = await health(send);
  const statuses: Record<number, number> = {};
  let cases = 0;
  await fc.assert(
    fc.asyncProperty(route.plan(ctx), async (plan) => {
      const request = route.build(plan, ctx);
      const res = await send(request).catch((error: unknown) => {
        if (closedWhileUploading(request, error)) return undefined;
        throw error;
      });
      cases++;
      const status = res?.status ?? 0;
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (res) await checkResponse(request, res);
    }),
    { numRuns: options.runs, seed: options.seed, endOnFailure: false },
  );
  const after = await health(send);
  if (after.version !== before.version || after.package_version !== before.package_version) {
    throw new Error(
      `${route.name}: /health changed from ${JSON.stringify(before)} to ${JSON.stringify(after)} during the fuzz`,
    );
  }
  return { cases, statuses };
}

/** Every route of the table (or those matching `only`), in order. */
export async function fuzzAll(ctx: FuzzContext, send: Send, options: FuzzOptions): Promise<FuzzStats> {
  const stats: FuzzStats = {};
  for (const route of ROUTES) {
    if (options.only !== undefined && !route.name.includes(options.only)) continue;
    stats[route.name] = await fuzzRoute(route, ctx, send, options);
  }
  return stats;
}

/** A Markdown table of the stats: route, cases, statuses seen with counts. */
export function statsTable(title: string, stats: FuzzStats): string {
  const lines = [`| ${title} | cases | statuses seen (count) |`, '|---|---:|---|'];
  for (const [route, s] of Object.entries(stats)) {
    const seen = Object.entries(s.statuses)
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([status, n]) => `${status} (${n})`)
      .join(', ');
    lines.push(`| \`${route}\` | ${s.cases} | ${seen} |`);
  }
  return lines.join('\n');
}

/** A send over HTTP to `base` (a real server). */
export function httpSend(base: string): Send {
  return (r) => fetch(`${base}${r.path}`, requestInit(r));
}

/** The fetch init of a request (shared by the HTTP and workerd senders). */
export function requestInit(r: FuzzRequest): RequestInit {
  const init: RequestInit = { method: r.method, headers: r.headers };
  if (r.body !== undefined) init.body = r.body as NonNullable<RequestInit['body']>;
  return init;
}
