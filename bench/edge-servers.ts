/** Start and stop the two servers of the edge bench: `twiga-edge serve` (Node) and `wrangler dev` (workerd). */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WRANGLER_ENV, wranglerEntry } from '../scripts/wrangler.js';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** A free TCP port on 127.0.0.1 (free when asked; the server binds it right after). */
export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
}

export interface Server {
  label: string;
  url: string;
  pid: number;
  /** Set once the process has exited. */
  exitCode(): number | string | null;
  /** Everything the process wrote so far (stdout and stderr, interleaved). */
  output(): string;
  /** SIGINT to its pid; escalates to its process group only if it ignores that. Idempotent. */
  stop(): Promise<void>;
}

/** Every server started and not yet stopped: stopped by the exit handlers if the bench dies. */
export const live = new Set<Server>();
/** Temporary folders removed on exit, also when a signal cuts the run short. */
export const tempDirs = new Set<string>();

let handlersInstalled = false;
export function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  // Last resort, synchronous: a plain SIGINT to each server's own pid.
  process.on('exit', () => {
    for (const s of live) {
      try {
        process.kill(s.pid, 'SIGINT');
      } catch {
        // already gone
      }
    }
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`[edge bench] ${signal}: stopping ${live.size} server(s)\n`);
      void Promise.allSettled([...live].map((s) => s.stop())).then(() => process.exit(130));
    });
  }
}

function track(label: string, child: ChildProcess, url: () => string): Server {
  let log = '';
  child.stdout?.on('data', (d: Buffer) => {
    log += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    log += d.toString();
  });
  const exited = new Promise<void>((ok) => {
    if (child.exitCode !== null || child.signalCode !== null) ok();
    else child.once('exit', () => ok());
  });
  let stopping: Promise<void> | undefined;
  const server: Server = {
    label,
    get url() {
      return url();
    },
    pid: child.pid!,
    exitCode: () => child.exitCode ?? child.signalCode,
    output: () => log,
    stop() {
      stopping ??= (async () => {
        const alive = () => child.exitCode === null && child.signalCode === null;
        const wait = (ms: number) =>
          Promise.race([exited.then(() => true), new Promise<boolean>((ok) => setTimeout(ok, ms, false))]);
        if (alive()) child.kill('SIGINT');
        if (!(await wait(15_000)) && alive()) {
          // It ignored SIGINT: its own process group (it was started detached, so the group is only it and its children).
          process.stderr.write(
            `[edge bench] ${label} (pid ${child.pid}) ignored SIGINT; SIGTERM to its group\n`,
          );
          process.kill(-child.pid!, 'SIGTERM');
          if (!(await wait(5_000))) process.kill(-child.pid!, 'SIGKILL');
        }
        live.delete(server);
      })();
      return stopping;
    },
  };
  live.add(server);
  installExitHandlers();
  return server;
}

function untilLine(child: ChildProcess, test: RegExp, ms: number, what: string, log: () => string) {
  return new Promise<RegExpMatchArray>((ok, fail) => {
    let buf = '';
    const timer = setTimeout(() => done(new Error(`${what}: nothing matching ${test} within ${ms} ms`)), ms);
    const onData = (d: Buffer) => {
      buf += d.toString();
      const m = buf.match(test);
      if (m) done(undefined, m);
    };
    const onExit = (code: number | null) => done(new Error(`${what} exited (code ${code}) before starting`));
    function done(error: Error | undefined, m?: RegExpMatchArray) {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      if (error) fail(new Error(`${error.message}\n--- output ---\n${log()}`));
      else ok(m!);
    }
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
}

/**
 * `twiga-edge serve` from source; its first stdout line is `{"url": …}` once the model is loaded.
 * @param options `fleet`: serve every model under `checkpoint` (`--checkpoints`); `env`: more `TWIGA_*` settings.
 */
export async function startNode(
  checkpoint: string,
  workers: number,
  apiKey: string,
  options: { fleet?: boolean; env?: Record<string, string> } = {},
): Promise<Server> {
  const child = spawn(
    process.execPath,
    [
      '--conditions=source',
      '--import',
      'tsx',
      'src/node/cli.ts',
      'serve',
      ...[options.fleet ? '--checkpoints' : '--checkpoint', checkpoint],
      ...['--port', '0', '--workers', String(workers)],
    ],
    {
      cwd: ROOT,
      env: { ...process.env, ...options.env, TWIGA_SERVE_API_KEY: apiKey },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
  let url = '';
  const server = track('node', child, () => url);
  try {
    const m = await untilLine(child, /"url":\s*"([^"]+)"/, 60_000, 'twiga-edge serve', server.output);
    url = m[1]!;
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

/**
 * `wrangler dev --local` on wrangler.toml (src/edge/worker.ts) over the local R2 state in `persistTo`.
 * The key goes in through an env file (which also keeps the repo's .dev.vars out of the run).
 */
export async function startWorkerd(opts: {
  persistTo: string;
  checkpointName: string;
  apiKey: string;
  tmp: string;
  /** wrangler's `--log-level`; at `info` and above it prints a line per request (through its own Node process). */
  logLevel: string;
  /**
   * A bundle from `wrangler deploy --dry-run --outdir`, served as is (`--no-bundle`): exactly what would be
   * uploaded, and immune to rebuilds when someone edits src/ mid-run. Absent: wrangler builds and watches src/.
   */
  bundle?: string;
  /** More variables (`--var NAME:value`), e.g. `TWIGA_SERVE_MAX_LOADED_MB` or `TWIGA_INFERENCE_ENGINE`. */
  vars?: Record<string, string>;
  /** More wrangler dev flags, e.g. `--test-scheduled` (the cron by hand at `/__scheduled`). */
  flags?: string[];
}): Promise<Server> {
  const [port, inspector] = [await freePort(), await freePort()];
  const envFile = join(opts.tmp, 'bench.env');
  writeFileSync(envFile, `TWIGA_SERVE_API_KEY='${opts.apiKey}'\n`, { mode: 0o600 });
  const child = spawn(
    process.execPath,
    [
      wranglerEntry(),
      'dev',
      ...(opts.bundle ? ['-c', join(ROOT, 'wrangler.toml'), '--no-bundle', opts.bundle] : []),
      '--local',
      ...['--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspector)],
      ...['--persist-to', opts.persistTo],
      ...['--var', `TWIGA_SERVE_CHECKPOINT:${opts.checkpointName}`],
      ...Object.entries(opts.vars ?? {}).flatMap(([k, v]) => ['--var', `${k}:${v}`]),
      ...['--env-file', envFile],
      '--show-interactive-dev-session=false',
      ...['--log-level', opts.logLevel],
      ...(opts.flags ?? []),
    ],
    {
      cwd: ROOT,
      env: { ...process.env, ...WRANGLER_ENV },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
  const url = `http://127.0.0.1:${port}`;
  // Below `info` wrangler prints no "Ready on" line: readiness is `waitLoaded`'s /health poll.
  return track('workerd', child, () => url);
}

/** Polls `/health` until it says `loaded: true`; throws with the last answer (and the server's output) otherwise. */
export async function waitLoaded(server: Server, ms = 120_000): Promise<Record<string, unknown>> {
  const until = Date.now() + ms;
  let last = '';
  while (Date.now() < until) {
    if (server.exitCode() !== null) {
      throw new Error(
        `${server.label} exited (${server.exitCode()}) before loading\n--- output ---\n${server.output()}`,
      );
    }
    try {
      const res = await fetch(`${server.url}/health`);
      last = `${res.status} ${await res.text()}`;
      if (res.ok && (JSON.parse(last.slice(4)) as { loaded?: boolean }).loaded === true) {
        return JSON.parse(last.slice(4)) as Record<string, unknown>;
      }
    } catch (error) {
      last = String(error);
    }
    await new Promise((ok) => setTimeout(ok, 250));
  }
  throw new Error(
    `${server.label} /health never said loaded; last: ${last}\n--- output ---\n${server.output()}`,
  );
}

/** `wrangler deploy --dry-run --outdir`: the bundle sizes wrangler prints ("Total Upload: X KiB / gzip: Y KiB"). */
export function uploadSize(
  outdir: string,
): Promise<{ totalKiB: number; gzipKiB: number; line: string; entry: string }> {
  return new Promise((ok, fail) => {
    execFile(
      process.execPath,
      [wranglerEntry(), 'deploy', '--dry-run', '--outdir', outdir],
      { cwd: ROOT, env: { ...process.env, ...WRANGLER_ENV }, maxBuffer: 1 << 24, timeout: 180_000 },
      (error, stdout, stderr) => {
        const text = `${stdout}\n${stderr}`;
        const m = text.match(/Total Upload:\s*([\d.]+)\s*KiB\s*\/\s*gzip:\s*([\d.]+)\s*KiB/);
        const entry = readdirSync(outdir).find((f) => f.endsWith('.js'));
        if (m && entry)
          ok({ totalKiB: Number(m[1]), gzipKiB: Number(m[2]), line: m[0], entry: join(outdir, entry) });
        else
          fail(
            new Error(
              `wrangler deploy --dry-run: no "Total Upload" line (${error?.message ?? 'exit 0'})\n${text}`,
            ),
          );
      },
    );
  });
}

/** Pids of `pid` and all its descendants, with their command names, from /proc. */
export function processTree(pid: number): Map<number, string> {
  const parent = new Map<number, { ppid: number; comm: string }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      parent.set(Number(name), { ppid: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]), comm });
    } catch {
      // exited meanwhile
    }
  }
  const tree = new Map<number, string>([[pid, parent.get(pid)?.comm ?? '?']]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [p, { ppid, comm }] of parent) {
      if (tree.has(ppid) && !tree.has(p)) {
        tree.set(p, comm);
        grew = true;
      }
    }
  }
  return tree;
}

/** TCP ports (IPv4 127.0.0.1) that `pid` listens on, from /proc/net/tcp and its fds. */
function listeningPorts(pid: number): number[] {
  const byInode = new Map<string, number>();
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f[3] === '0A' && f[1]?.startsWith('0100007F:'))
      byInode.set(f[9]!, Number.parseInt(f[1].slice(9), 16));
  }
  const ports: number[] = [];
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const inode = readlinkSync(`/proc/${pid}/fd/${fd}`).match(/^socket:\[(\d+)\]$/)?.[1];
      const port = inode === undefined ? undefined : byInode.get(inode);
      if (port !== undefined) ports.push(port);
    } catch {
      // closed meanwhile
    }
  }
  return ports;
}

/**
 * wrangler dev puts a proxy worker (its own workerd process) in front of the user worker's workerd. This finds
 * the user worker's own socket: the port of a workerd in the server's process tree, other than the public one,
 * whose /health answers with the same model (same `loaded_at`) as the public URL. Linux only.
 */
export async function directWorkerdUrl(server: Server): Promise<string | undefined> {
  const health = async (url: string) => {
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
      return res.ok ? ((await res.json()) as { loaded_at?: string }) : undefined;
    } catch {
      return undefined;
    }
  };
  const expected = (await health(server.url))?.loaded_at;
  const publicPort = new URL(server.url).port;
  for (const [pid, comm] of processTree(server.pid)) {
    if (comm !== 'workerd') continue;
    for (const port of listeningPorts(pid)) {
      if (String(port) === publicPort) continue;
      const url = `http://127.0.0.1:${port}`;
      const h = await health(url);
      if (h && expected !== undefined && h.loaded_at === expected) return url;
    }
  }
  return undefined;
}
