/**
 * End to end over real processes: `twiga-edge train` → `twiga-edge serve` (a real HTTP server) →
 * `twiga-edge retrain` on a drifted window → promoted → the server reloaded (its /health shows the new
 * version); and the opposite case, where the retrained model is worse and nothing is promoted or reloaded.
 * The tracking folder the processes wrote is parsed back as MLflow's file store.
 */
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { RetrainingResult } from '../../../src/runtime/flows/retraining-result.js';
import type { TrainingResult } from '../../../src/runtime/training-result.js';
import { runCli } from '../cli-run.js';
import { type ServerProcess, startServer } from '../serve-process.js';
import { TRAIN_CONFIG, writeWindows } from './windows.js';

const KEY = 'e2e-reload-key';
let dir: string;
let files: { reference: string; shift: string; anomaly: string };
let trained: TrainingResult;
const servers: ServerProcess[] = [];

const json = <T>(r: { code: number; stdout: string; stderr: string }, what: string): T => {
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}:\n${r.stderr}`);
  return JSON.parse(r.stdout) as T;
};
const yamlOf = async (file: string) => parse(await readFile(file, 'utf8'), { version: '1.1' });
async function health(server: ServerProcess): Promise<{ version: number | null }> {
  return (await fetch(`${server.url}/health`)).json() as Promise<{ version: number | null }>;
}
/** A server that only changes model on POST /reload: its poll interval is an hour. */
async function serveFolder(checkpoint: string): Promise<ServerProcess> {
  const server = await startServer(['--checkpoint', checkpoint, '--port', '0', '--workers', '1'], {
    TWIGA_SERVE_API_KEY: KEY,
    TWIGA_SERVE_POLL_SECONDS: '3600',
  });
  servers.push(server);
  return server;
}
const retrainArgs = (current: string, root: string, server: ServerProcess) => [
  'retrain',
  '--reference',
  files.reference,
  '--current',
  current,
  '--checkpoints',
  root,
  '--name',
  'twiga',
  '--reload-url',
  `${server.url}/reload`,
  '--tracking-uri',
  join(dir, 'mlruns'),
  '--experiment',
  'e2e',
];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'twiga-e2e-'));
  const shift = await writeWindows(dir, 'shift');
  files = {
    reference: shift.reference,
    shift: shift.current,
    anomaly: (await writeWindows(dir, 'anomaly')).current,
  };
  const config = join(dir, 'train.json');
  await writeFile(config, JSON.stringify(TRAIN_CONFIG));
  trained = json<TrainingResult>(
    await runCli([
      'train',
      '--config',
      config,
      '--data',
      files.reference,
      '--checkpoints',
      join(dir, 'a'),
      '--name',
      'twiga',
      '--tracking-uri',
      join(dir, 'mlruns'),
      '--experiment',
      'e2e',
      '--run-name',
      'first',
      '--report-dir',
      join(dir, 'reports'),
    ]),
    'train',
  );
  // The same trained model, a second time, for the case that must not promote.
  await cp(join(dir, 'a'), join(dir, 'b'), { recursive: true });
}, 120_000);

afterAll(async () => {
  for (const server of servers) expect(await server.stop()).toBe(0);
  await rm(dir, { recursive: true, force: true });
});

describe('train → serve → drift → retrain → promote → reload', () => {
  it('promotes the retrained model and the running server reloads it', async () => {
    expect(trained.version).toBe(1);
    const server = await serveFolder(join(dir, 'a', 'twiga'));
    expect((await health(server)).version).toBe(1);

    const r = await runCli(retrainArgs(files.shift, join(dir, 'a'), server), {
      env: { TWIGA_SERVE_API_KEY: KEY },
    });
    const result = json<RetrainingResult>(r, 'retrain');
    expect(result).toMatchObject({ retrained: true, promoted: true, reason: 'drift', version: 2 });
    expect(result.checkpoint_path).toBe(join(dir, 'a', 'twiga', 'v0002'));
    expect(result.reload).toMatchObject({ status: 200, previous_version: 1, version: 2 });
    expect((await health(server)).version).toBe(2);
    // Structured logs on stderr: one JSON object per line, the reload task among them; the key never printed.
    const events = r.stderr
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { event: string; task?: string });
    expect(events.some((e) => e.event === 'task.done' && e.task === 'reload-server')).toBe(true);
    expect(r.stderr).not.toContain(KEY);
    expect(r.stdout).not.toContain(KEY);
  }, 120_000);

  it('does not promote a worse model: no new version, no reload', async () => {
    const server = await serveFolder(join(dir, 'b', 'twiga'));
    const result = json<RetrainingResult>(
      await runCli(retrainArgs(files.anomaly, join(dir, 'b'), server), { env: { TWIGA_SERVE_API_KEY: KEY } }),
      'retrain',
    );
    expect(result).toMatchObject({
      retrained: true,
      promoted: false,
      checkpoint_path: null,
      mlflow_run_id: null,
      reload: null,
    });
    expect(result.candidate_metric!).toBeGreaterThan(result.incumbent_metric!);
    expect((await health(server)).version).toBe(1);
    expect((await readdir(join(dir, 'b', 'twiga'))).filter((f) => f.startsWith('v'))).toEqual(['v0001']);
  }, 120_000);

  it('left an MLflow file store with both runs, as MLflow writes it', async () => {
    const root = join(dir, 'mlruns');
    const experiments = (await readdir(root)).filter((d) => d !== '.trash').sort();
    const [exp] = experiments.filter((d) => d !== '0');
    expect(experiments).toEqual(['0', exp]);
    expect(await yamlOf(join(root, exp!, 'meta.yaml'))).toMatchObject({
      experiment_id: exp,
      name: 'e2e',
      lifecycle_stage: 'active',
      artifact_location: `file://${root}/${exp}`,
    });
    const runs = (await readdir(join(root, exp!))).filter((d) => /^[0-9a-f]{32}$/.test(d)).sort();
    // The training run and the promoting retraining run; the run that did not promote logged nothing.
    expect(runs).toHaveLength(2);
    expect(runs).toContain(trained.mlflow_run_id);
    const flows: Record<string, string> = {};
    for (const run of runs) {
      const base = join(root, exp!, run);
      const meta = await yamlOf(join(base, 'meta.yaml'));
      expect(meta).toMatchObject({ run_id: run, experiment_id: exp, status: 3, lifecycle_stage: 'active' });
      expect(meta.artifact_uri).toBe(`file://${root}/${exp}/${run}/artifacts`);
      flows[await readFile(join(base, 'tags', 'twiga.flow'), 'utf8')] = run;
      // Metric files: one `timestamp value step` line each.
      const line = (await readFile(join(base, 'metrics', 'ensemble', 'mae'), 'utf8')).trim();
      expect(line).toMatch(/^\d{13} \d+(\.\d+)?(e[-+]\d+)? 0$/);
      expect(await readFile(join(base, 'params', 'pipeline.lookback'), 'utf8')).toBe('168');
      expect(await readFile(join(base, 'artifacts', 'metrics.md'), 'utf8')).toMatch(/^## /);
      expect((await readdir(join(base, 'artifacts', 'model'))).sort()).toEqual([
        'linear.onnx',
        'pipeline.json',
        'reference.json',
        'seasonal_naive_1D.onnx',
      ]);
    }
    expect(Object.keys(flows).sort()).toEqual(['retraining', 'training']);
    const retraining = join(root, exp!, flows['retraining']!);
    expect(await readFile(join(retraining, 'tags', 'twiga.checkpoint.version'), 'utf8')).toBe('2');
    expect(await readFile(join(retraining, 'tags', 'mlflow.runName'), 'utf8')).toMatch(/^[a-z]+-[a-z]+-\d+$/);
    expect(
      JSON.parse(await readFile(join(retraining, 'artifacts', 'drift_summary.json'), 'utf8')),
    ).toMatchObject({
      drift_detected: true,
    });
    expect(await readFile(join(root, exp!, flows['training']!, 'tags', 'mlflow.runName'), 'utf8')).toBe(
      'first',
    );
    // The training run's table was also published to the report folder.
    expect(await readFile(trained.report_path!, 'utf8')).toContain('| ensemble |');
  });

  it('keeps retraining on a cron schedule, one JSON line per run', async () => {
    const server = servers[1]!;
    const r = await runCli(
      [...retrainArgs(files.anomaly, join(dir, 'b'), server), '--schedule', '* * * * * *', '--max-runs', '2'],
      { env: { TWIGA_SERVE_API_KEY: KEY } },
    );
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ retrained: true, promoted: false });
  }, 120_000);
});
