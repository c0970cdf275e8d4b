/**
 * `twiga-edge worker` as real processes on one file-system store holding handed-off jobs (as the Workflow's
 * hand-off step writes them) over real trained incumbents: several workers share the jobs, each job is done
 * exactly once and none is lost; a worker SIGKILLed while holding a lease (at the `worker.claimed` crash
 * point, TWIGA_TEST_CRASH_AT) leaves the job to another worker once the lease has expired.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLogSink } from '../../src/node/flows/flow-log.js';
import { trainingFlow } from '../../src/node/flows/training-flow.js';
import { FsCheckpointStore } from '../../src/node/fs-store.js';
import { type JobWorkerSummary, nodeFitCandidate } from '../../src/node/retrain-worker.js';
import { listVersions } from '../../src/runtime/checkpoint/checkpoint.js';
import { readManifest } from '../../src/runtime/checkpoint/read.js';
import { retrainPolicy } from '../../src/runtime/flows/decision.js';
import { claimKey, listPendingJobs, writePendingJob } from '../../src/runtime/retrain/hand-off.js';
import { readJobResult } from '../../src/runtime/retrain/job-result.js';
import { LeaseSchema } from '../../src/runtime/retrain/lease.js';
import { runRecordKey } from '../../src/runtime/retrain/run-record.js';
import { workJob } from '../../src/runtime/retrain/work-job.js';
import { settingsFromEnv } from '../../src/runtime/settings.js';
import { ROOT } from './cli-run.js';
import { TRAIN_CONFIG, writeWindows } from './flows/windows.js';

const TSX = pathToFileURL(`${ROOT}node_modules/tsx/dist/loader.mjs`).href;

let dir: string;
let trained: string;
let currents: { same: string; shift: string };
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'twiga-retrain-worker-'));
  const same = await writeWindows(dir, 'same');
  currents = { same: same.current, shift: (await writeWindows(dir, 'shift')).current };
  trained = join(dir, 'trained');
  await trainingFlow({
    config: TRAIN_CONFIG,
    dataPath: same.reference,
    settings: settingsFromEnv({
      TWIGA_MLFLOW_TRACKING_URI: join(trained, 'mlruns'),
      TWIGA_MODEL_CHECKPOINT_DIR: join(trained, 'checkpoints'),
    }),
    log: memoryLogSink(),
  });
}, 120_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A store of `models` copies of the trained incumbent (v1), each with its current data and a pending job. */
async function storeWithJobs(
  sub: string,
  models: string[],
): Promise<{ root: string; store: FsCheckpointStore; ids: string[] }> {
  const root = join(dir, sub);
  const store = new FsCheckpointStore(root);
  const ids: string[] = [];
  for (const [i, model] of models.entries()) {
    await cp(join(trained, 'checkpoints', 'twiga'), join(root, model), { recursive: true });
    const key = `data/recent/${model}/current.csv`;
    await store.put(key, new Uint8Array(await readFile(i % 2 === 0 ? currents.shift : currents.same)));
    const id = `${model}_v1_2024-03-31`;
    // As the Workflow's hand-off step writes it.
    await writePendingJob(store, {
      id,
      model,
      incumbent_version: 1,
      data_keys: [key],
      estimated_work: 1e9,
      reason: 'drift',
      created_at: new Date().toISOString(),
    });
    ids.push(id);
  }
  return { root, store, ids };
}

interface Worker {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

function startWorker(root: string, args: string[], env: Record<string, string> = {}): Worker {
  const child = spawn(
    process.execPath,
    [
      '--conditions=source',
      '--import',
      TSX,
      `${ROOT}src/node/cli.ts`,
      'worker',
      '--checkpoints',
      root,
      ...args,
    ],
    {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1', TWIGA_TEST_CRASH_AT: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => {
    stdout += d;
  });
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  const exited = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
  }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, exited };
}

const summaryOf = (stdout: string): JobWorkerSummary => JSON.parse(stdout);

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('twiga-edge worker', () => {
  it('three workers on one store share six jobs: each done exactly once, none lost', async () => {
    const models = ['feeder-a', 'feeder-b', 'feeder-c', 'feeder-d', 'feeder-e', 'feeder-f'];
    const { root, store, ids } = await storeWithJobs('shared', models);
    const workers = ['w1', 'w2', 'w3'].map((owner) =>
      startWorker(root, [
        '--once',
        '--owner',
        owner,
        '--lease',
        '30',
        '--poll',
        '0.2',
        '--retry-delay',
        '0.1',
      ]),
    );
    const ends = await Promise.all(workers.map((w) => w.exited));
    for (const end of ends) expect(end.code, end.stderr).toBe(0);
    const summaries = ends.map((e) => summaryOf(e.stdout));
    const doneBy = summaries.flatMap((s) => s.done.map((id) => ({ id, owner: s.owner })));
    // Exactly once each: the concatenated lists hold every id once and nothing else.
    expect(doneBy.map((d) => d.id).sort()).toEqual([...ids].sort());
    expect(summaries.flatMap((s) => s.failed)).toEqual([]);
    expect(await listPendingJobs(store)).toEqual([]);
    expect(await store.list('jobs/claims/')).toEqual([]);
    for (const { id, owner } of doneBy) {
      const result = await readJobResult(store, id);
      expect(result?.worker).toBe(owner);
      expect(['promoted', 'kept']).toContain(result?.outcome);
      // The store agrees with the result: a promotion moved the manifest to its version, a keep did not.
      const live = await readManifest(store, result!.model);
      expect(live?.manifest.version).toBe(result!.outcome === 'promoted' ? result!.promoted_version : 1);
      expect(await store.head(runRecordKey(result!.model, id))).toBeDefined();
      // One fit per job: the incumbent and exactly one candidate (a second run would have saved a third).
      expect((await listVersions(store, result!.model)).map((v) => v.version)).toEqual([1, 2]);
    }
  }, 300_000);

  it('SIGTERM stops a worker cleanly: exit 0, no lease left behind, and a second worker finishes every job', async () => {
    const { root, store, ids } = await storeWithJobs('sigterm', ['term-a', 'term-b', 'term-c', 'term-d']);
    const first = startWorker(root, ['--owner', 'first', '--lease', '30', '--poll', '0.2']);
    await until('a first result', async () =>
      (await store.list('jobs/done/')).length > 0 ? true : undefined,
    );
    first.child.kill('SIGTERM');
    const end = await first.exited;
    expect(end.code, end.stderr).toBe(0);
    const stopped = summaryOf(end.stdout);
    expect(stopped.stopped).toBe('signal');
    // Stopped between steps or between jobs: either way it holds no lease and lost no job.
    expect(await store.list('jobs/claims/')).toEqual([]);
    const pending = await listPendingJobs(store);
    expect([...stopped.done, ...pending].sort()).toEqual([...ids].sort());
    for (const id of stopped.released) expect(pending).toContain(id);

    const second = startWorker(root, ['--once', '--owner', 'second', '--lease', '30']);
    const drained = await second.exited;
    expect(drained.code, drained.stderr).toBe(0);
    expect(summaryOf(drained.stdout).done.sort()).toEqual(pending.sort());
    expect(await listPendingJobs(store)).toEqual([]);
  }, 300_000);

  it('stopping at a step boundary writes no result and releases the lease at once', async () => {
    const { store, ids } = await storeWithJobs('release', ['rel-a']);
    const id = ids[0]!;
    let checks = 0;
    const attempt = await workJob(id, {
      store,
      owner: 'in-process',
      leaseMs: 30_000,
      fitCandidate: nodeFitCandidate(),
      policy: retrainPolicy({}),
      // Asked before every step attempt: "stop" from the third on (load-incumbent and load-data ran).
      stopping: () => ++checks > 2,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    });
    expect(attempt).toMatchObject({ id, status: 'released' });
    expect(await store.head(claimKey(id))).toBeUndefined();
    expect(await readJobResult(store, id)).toBeUndefined();
    expect(await listPendingJobs(store)).toEqual([id]);
    expect((await listVersions(store, 'rel-a')).map((v) => v.version)).toEqual([1]);
  });

  it('a worker SIGKILLed holding a lease: another takes the job over once the lease expires', async () => {
    const { root, store, ids } = await storeWithJobs('takeover', ['solo']);
    const id = ids[0]!;
    // The fault injected on purpose: the first worker kills itself right after claiming the job.
    const dying = startWorker(root, ['--once', '--owner', 'dies', '--lease', '3'], {
      TWIGA_TEST_CRASH_AT: 'worker.claimed',
    });
    const death = await dying.exited;
    expect(death.signal, death.stderr).toBe('SIGKILL');
    const claim = await store.get(claimKey(id));
    const lease = LeaseSchema.parse(JSON.parse(new TextDecoder().decode(claim!.bytes)));
    expect(lease.owner).toBe('dies');
    expect(await listPendingJobs(store)).toEqual([id]);

    const heir = startWorker(root, ['--owner', 'heir', '--lease', '30', '--poll', '0.3']);
    const result = await until('the heir to finish', () => readJobResult(store, id));
    heir.child.kill('SIGTERM');
    const end = await heir.exited;
    expect(end.code, end.stderr).toBe(0);
    expect(summaryOf(end.stdout)).toMatchObject({ owner: 'heir', done: [id], stopped: 'signal' });
    expect(result.worker).toBe('heir');
    // Taken over only after the dead worker's lease had run out.
    expect(Date.parse(result.started_at)).toBeGreaterThanOrEqual(Date.parse(lease.expires_at));
    expect(await listPendingJobs(store)).toEqual([]);
    expect(await store.head(claimKey(id))).toBeUndefined();
  }, 300_000);
});
