/** Load runs for the edge bench: autocannon for throughput and errors, exact latencies from its `response` events. */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { processTree } from './edge-servers.js';

/** CPU ms (user + system) used so far by `pid` and its descendants, summed by command name (node, workerd…). */
export function treeCpuMs(pid: number): Record<string, number> {
  const out: Record<string, number> = {};
  try {
    for (const [p, comm] of processTree(pid)) {
      try {
        const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        // utime + stime (fields 14 and 15 of the line) in USER_HZ = 100 ticks per second.
        out[comm] = (out[comm] ?? 0) + (Number(f[11]) + Number(f[12])) * 10;
      } catch {
        // exited meanwhile
      }
    }
  } catch {
    // no /proc: not Linux
  }
  return out;
}

export interface LoadRun {
  route: string;
  connections: number;
  seconds: number;
  requests: number;
  rps: number;
  /** Exact percentiles (fractional ms) over the 2xx responses; autocannon's own HDR summary rounds to whole ms. */
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  /** non2xx + errors + timeouts. */
  failed: number;
  /**
   * CPU ms per request by process name in the server's process tree (`node`: twiga-edge serve with its threads,
   * or wrangler's Node processes; `workerd`: wrangler's proxy and the Worker), and `client`: this process (autocannon).
   */
  cpuMsPerRequest: Record<string, number>;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function median(values: readonly number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

export interface Target {
  url: string;
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
}

export async function load(
  route: string,
  target: Target,
  connections: number,
  seconds: number,
  serverPid?: number,
): Promise<LoadRun> {
  const times: number[] = [];
  const server0 = serverPid === undefined ? {} : treeCpuMs(serverPid);
  const bench0 = process.cpuUsage();
  const instance = autocannon({
    url: target.url,
    method: target.method,
    ...(target.headers ? { headers: target.headers } : {}),
    ...(target.body === undefined ? {} : { body: target.body }),
    connections,
    duration: seconds,
    timeout: 10,
  });
  instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
    if (status >= 200 && status < 300) times.push(ms);
  });
  const r = await instance;
  const server1 = serverPid === undefined ? {} : treeCpuMs(serverPid);
  const benchCpu = process.cpuUsage(bench0);
  times.sort((a, b) => a - b);
  const statusCodes = Object.fromEntries(Object.entries(r.statusCodeStats).map(([k, v]) => [k, v.count]));
  return {
    route,
    connections,
    seconds: r.duration,
    requests: r.requests.total,
    rps: r.requests.total / r.duration,
    latencyMs: {
      p50: percentile(times, 50),
      p90: percentile(times, 90),
      p99: percentile(times, 99),
      max: times.at(-1) ?? Number.NaN,
      mean: times.reduce((s, t) => s + t, 0) / times.length,
    },
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    statusCodes,
    failed: r.non2xx + r.errors + r.timeouts,
    cpuMsPerRequest: {
      ...Object.fromEntries(
        Object.entries(server1).map(([comm, t]) => [comm, (t - (server0[comm] ?? 0)) / r.requests.total]),
      ),
      client: (benchCpu.user + benchCpu.system) / 1000 / r.requests.total,
    },
  };
}

export interface ReloadLoop {
  attempted: number;
  ok: number;
  /** Distinct failures (status and body, or the fetch error), first few. */
  failures: string[];
  latencyMs: { p50: number; max: number };
  /** Every reload's round trip, in order (ms). */
  eachMs: number[];
  versions: number[];
}

/** POSTs `/reload` once a second until `stop` resolves; each reload is awaited before the next is due. */
export async function reloadLoop(
  url: string,
  headers: Record<string, string>,
  stop: Promise<unknown>,
): Promise<ReloadLoop> {
  let stopped = false;
  void stop.then(() => {
    stopped = true;
  });
  const out: ReloadLoop = {
    attempted: 0,
    ok: 0,
    failures: [],
    latencyMs: { p50: 0, max: 0 },
    eachMs: [],
    versions: [],
  };
  const times: number[] = [];
  const versions = new Set<number>();
  while (!stopped) {
    const t0 = performance.now();
    out.attempted++;
    try {
      const res = await fetch(`${url}/reload`, { method: 'POST', headers });
      const text = await res.text();
      if (res.ok) {
        out.ok++;
        const v = (JSON.parse(text) as { model?: { version?: number } }).model?.version;
        if (typeof v === 'number') versions.add(v);
      } else if (out.failures.length < 5) out.failures.push(`${res.status} ${text.slice(0, 300)}`);
    } catch (error) {
      if (out.failures.length < 5) out.failures.push(String(error));
    }
    const dt = performance.now() - t0;
    times.push(dt);
    await Promise.race([stop, new Promise((ok) => setTimeout(ok, Math.max(0, 1000 - dt)))]);
  }
  out.eachMs = times.map((t) => Math.round(t * 10) / 10);
  times.sort((a, b) => a - b);
  out.latencyMs = { p50: percentile(times, 50), max: times.at(-1) ?? Number.NaN };
  out.versions = [...versions];
  return out;
}
