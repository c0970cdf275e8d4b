/**
 * The retraining loop locally, end to end with the real processes: `npm run edge:dev` (scripts/edge-dev.ts →
 * `wrangler dev --local --test-scheduled` on 127.0.0.1) over a local R2 state holding a fleet model whose
 * recent data drifted; the cron is triggered by hand (`GET /__scheduled`), its message goes through the
 * local Queue to the consumer, which starts the Workflow, whose run record appears in the local R2 state.
 * The server is stopped by its pid.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../bench/edge-servers.js';
import { openLocalR2, publish } from '../../src/node/publish.js';
import { RUNS_PREFIX, type RunRecord } from '../../src/runtime/retrain/run-record.js';
import { buildServingFixture, type ServingFixture } from '../edge/fixture.js';
import { ROOT } from './cli-run.js';

const MODEL = 'feeder-a';
let fixture: ServingFixture;
let persistTo: string;
let child: ChildProcess | undefined;
let output = '';

beforeAll(async () => {
  fixture = await buildServingFixture();
  persistTo = await mkdtemp(path.join(tmpdir(), 'twiga-edge-loop-'));
  // A second model of the fleet (the same checkpoint under another name) and recent data that drifted.
  await publish({ checkpoint: fixture.checkpointDir, local: true, persistTo, name: MODEL });
  const local = await openLocalR2(persistTo);
  try {
    const shifted = fixture.records.map((r) => ({ ...r, net_load: r.net_load * 2 + 400 }));
    await local.store.put(
      `data/recent/${MODEL}/2024-02-09.json`,
      new TextEncoder().encode(JSON.stringify(shifted)),
    );
  } finally {
    await local.dispose();
  }
}, 300_000);

afterAll(async () => {
  await stop();
  await rm(persistTo, { recursive: true, force: true });
  await rm(fixture.dir, { recursive: true, force: true });
}, 60_000);

/** SIGINT to edge:dev's pid (it forwards to wrangler); its own process group only if it ignores that. */
async function stop(): Promise<void> {
  const running = child;
  if (!running || running.exitCode !== null || running.signalCode !== null) return;
  const exited = new Promise((ok) => running.once('exit', ok));
  const wait = (ms: number) => Promise.race([exited, new Promise((ok) => setTimeout(ok, ms, 'timeout'))]);
  running.kill('SIGINT');
  if ((await wait(20_000)) === 'timeout') {
    process.kill(-running.pid!, 'SIGTERM');
    await wait(5_000);
  }
}

async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  while (Date.now() < deadline) {
    if (child?.exitCode != null) throw new Error(`edge:dev exited (${child.exitCode})\n${output}`);
    try {
      const got = await probe();
      if (got !== undefined) return got;
    } catch (error) {
      last = error;
    }
    await new Promise((ok) => setTimeout(ok, 1_000));
  }
  throw new Error(`${what}: not within ${ms} ms (last: ${String(last)})\n--- edge:dev output ---\n${output}`);
}

describe('npm run edge:dev runs the loop locally', () => {
  it('a cron triggered by hand retrains the drifted model: a run record appears in local R2', async () => {
    const [port, inspector] = [await freePort(), await freePort()];
    child = spawn(
      process.execPath,
      [
        '--conditions=source',
        '--import',
        'tsx',
        'scripts/edge-dev.ts',
        ...['--checkpoint', fixture.checkpointDir, '--port', String(port)],
        ...['--inspector-port', String(inspector), '--persist-to', persistTo],
      ],
      {
        cwd: ROOT,
        env: { ...process.env, NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      },
    );
    for (const stream of [child.stdout, child.stderr])
      stream?.on('data', (d: Buffer) => {
        output += d.toString();
      });
    const base = `http://127.0.0.1:${port}`;
    await until('/health answers', 180_000, async () =>
      (await fetch(`${base}/health`)).ok ? true : undefined,
    );
    // The command edge:dev prints for running the cron by hand.
    expect(output).toContain(`curl "${base}/__scheduled?cron=*/30+*+*+*+*"`);
    const cron = await fetch(`${base}/__scheduled?cron=*/30+*+*+*+*`);
    expect(cron.status).toBe(200);
    const record = await until('the run record', 180_000, async () => {
      const local = await openLocalR2(persistTo);
      try {
        const [key] = await local.store.list(`${RUNS_PREFIX}${MODEL}/`);
        const found = key === undefined ? undefined : await local.store.get(key);
        return found ? (JSON.parse(new TextDecoder().decode(found.bytes)) as RunRecord) : undefined;
      } finally {
        await local.dispose();
      }
    });
    expect(record.model).toBe(MODEL);
    expect(record.reason).toBe('drift');
    expect(record.steps.map((s) => s.name).slice(0, 2)).toEqual(['load-incumbent', 'load-data']);
    expect(['handed_off', 'promoted', 'kept']).toContain(record.outcome);
    expect(output).toContain('twiga.retrain_queue');
    await stop();
    expect(child.exitCode ?? child.signalCode).not.toBeNull();
  }, 480_000);
});
