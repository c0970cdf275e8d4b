/** TwigaSettings in Node: the environment over a .env file; secrets never printed, not even by the CLI. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/node/settings.js';
import { ConfigError } from '../../src/runtime/errors.js';
import { runCli } from './cli-run.js';

let dir: string;
let envFile: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'twiga-settings-'));
  envFile = join(dir, '.env');
  await writeFile(
    envFile,
    [
      '# flow settings',
      'TWIGA_MLFLOW_EXPERIMENT=from-file',
      'TWIGA_MLFLOW_TRACKING_URI="runs/mlruns"',
      "TWIGA_SERVE_API_KEY='file-secret-1'",
      'TWIGA_RETRAIN_DRIFT_THRESHOLD=0.25',
      '',
    ].join('\n'),
  );
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('loadSettings', () => {
  it('reads .env, with the environment winning', async () => {
    const s = await loadSettings({ env: { TWIGA_MLFLOW_EXPERIMENT: 'from-env' }, envFile });
    expect(s.mlflow).toMatchObject({ experiment: 'from-env', trackingUri: 'runs/mlruns' });
    expect(s.retrain.driftThreshold).toBe(0.25);
    expect(s.serve.apiKey?.reveal()).toBe('file-secret-1');
  });

  it('skips a missing default .env but names a missing file given by name', async () => {
    const s = await loadSettings({ env: {}, envFile: false });
    expect(s.mlflow.experiment).toBe('twiga');
    const error = await loadSettings({ env: {}, envFile: join(dir, 'nope.env') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain('nope.env');
  });

  it('twiga-edge settings prints the resolved settings from .env with the secrets masked', async () => {
    const r = await runCli(['settings'], { cwd: dir, env: { TWIGA_MLFLOW_TRACKING_TOKEN: 'env-token-2' } });
    expect(r.code, r.stderr).toBe(0);
    const printed = JSON.parse(r.stdout);
    expect(printed.mlflow.experiment).toBe('from-file');
    expect(printed.serve.apiKey).toBe('**********');
    expect(printed.mlflow.token).toBe('**********');
    expect(r.stdout + r.stderr).not.toMatch(/file-secret-1|env-token-2/);
  });
});
