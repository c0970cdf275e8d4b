/** Run the real `twiga-edge` CLI (from source, through tsx) — or any TS file — as a child process. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// Named by URL so the child finds tsx whatever its working folder.
const TSX = pathToFileURL(`${ROOT}node_modules/tsx/dist/loader.mjs`).href;

// `train` tracks its runs (MLflow file store, ./mlruns by default): keep them in a folder of this
// process's own, removed when it exits (no test hooks: global setups import this file too).
let trackingDir: string | undefined;
const tracking = () => {
  if (trackingDir === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'twiga-cli-mlruns-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    trackingDir = dir;
  }
  return trackingDir;
};

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<CliResult> {
  return runTs(`${ROOT}src/node/cli.ts`, args, options);
}

/** Run a TypeScript file with the package's `source` export condition (imports resolve to src/). */
export function runTs(
  file: string,
  args: string[] = [],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', TSX, file, ...args], {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, NO_COLOR: '1', TWIGA_MLFLOW_TRACKING_URI: tracking(), ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Run and parse stdout as JSON; fails with stderr in the message when the CLI fails. */
export async function runCliJson<T = Record<string, unknown>>(args: string[]): Promise<T> {
  const r = await runCli(args);
  if (r.code !== 0) throw new Error(`twiga-edge ${args[0]} exited ${r.code}:\n${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}
