/**
 * retrainingFlow in process, one incumbent per case (copied from one trained checkpoint): twiga's decision
 * in each branch, promotion by compare-and-swap, the reload call, and the first-run / corrupt-incumbent paths.
 * The end-to-end run over real processes (CLI train → serve → retrain → /health) is in e2e.test.ts.
 */
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLogSink } from '../../../src/node/flows/flow-log.js';
import { retrainingFlow } from '../../../src/node/flows/retraining-flow.js';
import { TaskFailedError } from '../../../src/node/flows/task.js';
import { trainingFlow } from '../../../src/node/flows/training-flow.js';
import { FsCheckpointStore } from '../../../src/node/fs-store.js';
import { listVersions, readManifest, saveCheckpoint } from '../../../src/runtime/checkpoint/checkpoint.js';
import { CheckpointConflictError } from '../../../src/runtime/checkpoint/conflict.js';
import { RetrainingResultSchema } from '../../../src/runtime/flows/retraining-result.js';
import { settingsFromEnv, type TwigaSettings } from '../../../src/runtime/settings.js';
import { withPut } from '../../runtime/checkpoint/with-put.js';
import { TRAIN_CONFIG, writeWindows } from './windows.js';

let dir: string;
let files: { reference: string; same: string; shift: string; anomaly: string };
let trained: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'twiga-retraining-flow-'));
  const same = await writeWindows(dir, 'same');
  files = {
    reference: same.reference,
    same: same.current,
    shift: (await writeWindows(dir, 'shift')).current,
    anomaly: (await writeWindows(dir, 'anomaly')).current,
  };
  trained = join(dir, 'trained');
  await trainingFlow({
    config: TRAIN_CONFIG,
    dataPath: files.reference,
    settings: settingsIn('trained'),
    log: memoryLogSink(),
  });
}, 60_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

function settingsIn(sub: string, extra: Record<string, string> = {}): TwigaSettings {
  return settingsFromEnv({
    TWIGA_MLFLOW_TRACKING_URI: join(dir, sub, 'mlruns'),
    TWIGA_MODEL_CHECKPOINT_DIR: join(dir, sub, 'checkpoints'),
    ...extra,
  });
}

/** A case folder holding a copy of the trained incumbent (v0001) and its own tracking store. */
async function withIncumbent(sub: string): Promise<string> {
  await cp(join(trained, 'checkpoints'), join(dir, sub, 'checkpoints'), { recursive: true });
  return join(dir, sub, 'checkpoints');
}

/** Listen on a free port of 127.0.0.1; the stand-in's /reload URL. */
async function listen(server: Server): Promise<string> {
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/reload`;
}

const versionsOf = async (root: string) =>
  (await listVersions(new FsCheckpointStore(root), 'twiga')).map((v) => [v.version, v.active]);

/** Runs logged to the case's tracking store (besides none: the incumbent was trained elsewhere). */
async function runsIn(sub: string): Promise<string[]> {
  const root = join(dir, sub, 'mlruns');
  const exps = await readdir(root).catch(() => [] as string[]);
  const out: string[] = [];
  for (const exp of exps.filter((e) => e !== '0' && e !== '.trash'))
    out.push(...(await readdir(join(root, exp))).filter((d) => /^[0-9a-f]{32}$/.test(d)));
  return out;
}

describe('retrainingFlow decides as twiga does', () => {
  it('keeps the incumbent when nothing drifted and no performance threshold is set', async () => {
    const root = await withIncumbent('keep');
    const result = await retrainingFlow({
      referencePath: files.reference,
      currentPath: files.same,
      settings: settingsIn('keep'),
      log: memoryLogSink(),
    });
    expect(RetrainingResultSchema.parse(result)).toEqual(result);
    expect(result).toMatchObject({
      retrained: false,
      promoted: false,
      checkpoint_path: null,
      mlflow_run_id: null,
      metrics: null,
      reason: 'within_thresholds',
      reload: null,
    });
    expect(result.drift_summary.dataset_drift_score).toBe(0);
    expect(result.detail).toContain('no performance threshold set');
    // The incumbent was evaluated on the current window (the performance step), not retrained.
    expect(result.incumbent?.current_metrics?.['ensemble']?.['mae']).toBeGreaterThan(0);
    expect(await versionsOf(root)).toEqual([[1, true]]);
    expect(await runsIn('keep')).toEqual([]);
  });

  it('retrains when the incumbent breaches the performance threshold, and promotes only on a better metric', async () => {
    await withIncumbent('perf');
    const result = await retrainingFlow({
      referencePath: files.reference,
      currentPath: files.same,
      performanceThreshold: 1, // an MAE of 1 MW: any real forecast breaches it
      settings: settingsIn('perf'),
      log: memoryLogSink(),
    });
    expect(result.retrained).toBe(true);
    expect(result.reason).toBe('performance');
    expect(result.detail).toMatch(/incumbent mae [\d.]+ > performance threshold 1/);
    expect(result.metrics?.['ensemble']?.['mae']).toBe(result.candidate_metric);
    expect(result.incumbent?.holdout_metrics?.['ensemble']?.['mae']).toBe(result.incumbent_metric);
    expect(result.promoted).toBe(result.candidate_metric! < result.incumbent_metric!);
  });

  it('with a threshold the incumbent meets, keeps it (maximising corr respected)', async () => {
    await withIncumbent('corr');
    const result = await retrainingFlow({
      referencePath: files.reference,
      currentPath: files.same,
      performanceThreshold: 0.5,
      metricKey: 'ensemble/corr',
      minimize: false,
      settings: settingsIn('corr'),
      log: memoryLogSink(),
    });
    expect(result.retrained).toBe(false);
    expect(result.detail).toMatch(/incumbent ensemble\/corr 0\.9\d+ ≥ performance threshold 0\.5/);
  });

  it('retrains on drift, promotes the better model by compare-and-swap, logs the run and reloads the server', async () => {
    const root = await withIncumbent('drift');
    // A stand-in for the serving API that fails once with 503 (an injected fault) and then answers as
    // twiga-edge's POST /reload does; the real server is exercised in e2e.test.ts.
    const seen: IncomingHttpHeaders[] = [];
    const server = createServer((req, res) => {
      seen.push(req.headers);
      res.setHeader('content-type', 'application/json');
      if (seen.length === 1) {
        res.statusCode = 503;
        res.end(JSON.stringify({ error: { code: 'UNAVAILABLE', message: 'warming up' } }));
      } else {
        res.end(
          JSON.stringify({ status: 'reloaded', previous_version: 1, model: { version: 2, models: [] } }),
        );
      }
    });
    const url = await listen(server);
    const sink = memoryLogSink();
    try {
      const result = await retrainingFlow({
        referencePath: files.reference,
        currentPath: files.shift,
        reloadUrl: url,
        reportDir: join(dir, 'drift', 'reports'),
        retryDelayMs: 5,
        settings: settingsIn('drift', { TWIGA_SERVE_API_KEY: 'k-123' }),
        log: sink,
      });
      expect(result).toMatchObject({ retrained: true, promoted: true, reason: 'drift', version: 2 });
      expect(result.drift_summary.drift_detected).toBe(true);
      expect(result.candidate_metric!).toBeLessThan(result.incumbent_metric!);
      expect(result.checkpoint_path).toBe(join(root, 'twiga', 'v0002'));
      expect(await versionsOf(root)).toEqual([
        [1, false],
        [2, true],
      ]);
      const manifest = await readManifest(new FsCheckpointStore(root), 'twiga');
      expect(manifest?.manifest.history.at(-1)).toMatchObject({ version: 2, action: 'promoted' });
      // Reload: retried after the 503, with the key from settings.
      expect(result.reload).toEqual({ url, status: 200, previous_version: 1, version: 2 });
      expect(seen.map((h) => h['x-api-key'])).toEqual(['k-123', 'k-123']);
      expect(sink.events.filter((e) => e.event === 'task.retry').map((e) => e.task)).toEqual([
        'reload-server',
      ]);
      // The run: logged once, linked to the checkpoint, with the incumbent's holdout metrics beside.
      expect(await runsIn('drift')).toEqual([result.mlflow_run_id]);
      const mlruns = join(dir, 'drift', 'mlruns');
      const exp = (await readdir(mlruns)).find((e) => e !== '0' && e !== '.trash')!;
      const run = join(mlruns, exp, result.mlflow_run_id!);
      expect(await readFile(join(run, 'tags', 'twiga.retrain.reason'), 'utf8')).toBe('drift');
      expect(await readFile(join(run, 'tags', 'twiga.checkpoint.version'), 'utf8')).toBe('2');
      const incumbentMae = await readFile(join(run, 'metrics', 'incumbent', 'ensemble', 'mae'), 'utf8');
      expect(Number(incumbentMae.split(' ')[1])).toBeCloseTo(result.incumbent_metric!, 10);
      const drift = JSON.parse(await readFile(join(run, 'artifacts', 'drift_summary.json'), 'utf8'));
      expect(drift.dataset_drift_score).toBe(1);
      expect(await readFile(result.report_path!, 'utf8')).toContain('**Decision:** drift');
      // The drift report (HTML) went to the report folder too.
      expect((await readdir(join(dir, 'drift', 'reports'))).some((f) => f.endsWith('.html'))).toBe(true);
    } finally {
      server.close();
    }
  });

  it('a server refusing the reload (401) fails the flow at once, naming the task; the promotion stands', async () => {
    const root = await withIncumbent('refused');
    // A stand-in server that refuses every key: the injected fault.
    const server = createServer((_req, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'UNAUTHORIZED', message: 'missing or wrong X-API-Key' } }));
    });
    const url = await listen(server);
    const sink = memoryLogSink();
    try {
      const error = await retrainingFlow({
        referencePath: files.reference,
        currentPath: files.shift,
        reloadUrl: url,
        retryDelayMs: 5,
        settings: settingsIn('refused', { TWIGA_SERVE_API_KEY: 'wrong' }),
        log: sink,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TaskFailedError);
      expect((error as TaskFailedError).task).toBe('reload-server');
      expect((error as TaskFailedError).attempts).toBe(1);
      expect((error as Error).message).toContain('answered 401: missing or wrong X-API-Key');
      expect(sink.events.find((e) => e.level === 'warn')?.message).toMatch(
        /version 2 is promoted and logged/,
      );
      expect(await versionsOf(root)).toEqual([
        [1, false],
        [2, true],
      ]);
      expect(JSON.stringify(sink.events)).not.toContain('wrong"');
    } finally {
      server.close();
    }
  });

  it('does not promote a candidate trained through an anomaly, and changes nothing', async () => {
    const root = await withIncumbent('anomaly');
    const result = await retrainingFlow({
      referencePath: files.reference,
      currentPath: files.anomaly,
      reloadUrl: 'http://127.0.0.1:9/reload', // never called: nothing is promoted
      settings: settingsIn('anomaly'),
      log: memoryLogSink(),
    });
    expect(result).toMatchObject({
      retrained: true,
      promoted: false,
      reason: 'drift',
      checkpoint_path: null,
      mlflow_run_id: null,
      reload: null,
    });
    expect(result.candidate_metric!).toBeGreaterThan(result.incumbent_metric!);
    expect(result.metrics).not.toBeNull();
    expect(await versionsOf(root)).toEqual([[1, true]]);
    expect(await runsIn('anomaly')).toEqual([]);
  });
});

describe('retrainingFlow without a usable incumbent', () => {
  it('first run: logs at info, trains from the config and promotes', async () => {
    const sink = memoryLogSink();
    const settings = settingsIn('first');
    const result = await retrainingFlow({
      referencePath: files.reference,
      currentPath: files.same,
      config: TRAIN_CONFIG,
      settings,
      log: sink,
    });
    expect(result).toMatchObject({
      retrained: true,
      promoted: true,
      reason: 'no_incumbent',
      incumbent: null,
      incumbent_metric: null,
      version: 1,
    });
    const note = sink.events.find((e) => e.message?.startsWith('no incumbent yet'));
    expect(note?.level).toBe('info');
    expect(await versionsOf(settings.model.checkpointDir)).toEqual([[1, true]]);
  });

  it('first run without a config: fails naming the option', async () => {
    const error = await retrainingFlow({
      referencePath: files.reference,
      currentPath: files.same,
      settings: settingsIn('first-noconfig'),
      log: memoryLogSink(),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskFailedError);
    expect((error as TaskFailedError).task).toBe('load-data');
    expect((error as Error).message).toMatch(/no usable incumbent .* pass --config/);
  });

  it('corrupt incumbent: logs a warning naming the file, retrains with the config and promotes over it', async () => {
    const root = await withIncumbent('corrupt');
    const onnx = join(root, 'twiga', 'v0001', 'linear.onnx');
    const bytes = await readFile(onnx);
    bytes[bytes.length - 1] ^= 0xff;
    await writeFile(onnx, bytes);
    const sink = memoryLogSink();
    const result = await retrainingFlow({
      referencePath: files.reference,
      currentPath: files.same,
      config: TRAIN_CONFIG,
      settings: settingsIn('corrupt'),
      log: sink,
    });
    expect(result).toMatchObject({
      retrained: true,
      promoted: true,
      reason: 'corrupt_incumbent',
      version: 2,
    });
    const warning = sink.events.find((e) => e.level === 'warn' && e.message?.includes('corrupt'));
    expect(warning?.message).toMatch(/linear\.onnx/);
    expect(await versionsOf(root)).toEqual([
      [1, false],
      [2, true],
    ]);
  });
});

describe('retrainingFlow over a truncated manifest', () => {
  it('treats it as a corrupt incumbent and replaces it by compare-and-swap', async () => {
    const root = await withIncumbent('truncated');
    const manifest = join(root, 'twiga', '_checkpoint_manifest.json');
    await writeFile(manifest, (await readFile(manifest, 'utf8')).slice(0, 40));
    const sink = memoryLogSink();
    const result = await retrainingFlow({
      referencePath: files.reference,
      currentPath: files.same,
      settings: settingsIn('truncated'),
      config: TRAIN_CONFIG,
      log: sink,
    });
    expect(result).toMatchObject({ promoted: true, reason: 'corrupt_incumbent', version: 2 });
    expect(sink.events.find((e) => e.level === 'warn')?.message).toMatch(/_checkpoint_manifest\.json/);
    expect(await versionsOf(root)).toEqual([
      [1, false],
      [2, true],
    ]);
  });
});

describe('promotion is one compare-and-swap', () => {
  it('loses to a concurrent promotion: fails naming the task, removes its own version, leaves the winner', async () => {
    const root = await withIncumbent('race');
    const fs = new FsCheckpointStore(root);
    // Injected concurrency: when the candidate's _version.json lands, another writer saves and activates a
    // version first — the manifest changes between the decision and the swap.
    let raced = false;
    const store = withPut(fs, async (key, bytes, options) => {
      const etag = await fs.put(key, bytes, options);
      if (!raced && key === 'twiga/v0002/_version.json') {
        raced = true;
        await saveCheckpoint(
          fs,
          'twiga',
          { 'pipeline.json': new TextEncoder().encode('{}') },
          { modelType: 'other', checkpointFile: 'pipeline.json' },
        );
      }
      return etag;
    });
    const error = await retrainingFlow({
      referencePath: files.reference,
      currentPath: files.shift,
      settings: settingsIn('race'),
      store,
      log: memoryLogSink(),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskFailedError);
    expect((error as TaskFailedError).task).toBe('promote');
    expect((error as TaskFailedError).attempts).toBe(1);
    expect((error as Error).cause).toBeInstanceOf(CheckpointConflictError);
    expect(await versionsOf(root)).toEqual([
      [1, false],
      [3, true],
    ]);
    expect(await fs.list('twiga/v0002/')).toEqual([]);
    expect(await runsIn('race')).toEqual([]);
  });
});
