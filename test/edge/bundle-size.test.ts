/**
 * Upload-size ceilings, measured by `wrangler deploy --dry-run` itself: the lean Worker (no onnxruntime-web) fits
 * the Workers free plan's 3 MB gzip; the default Worker (lean + ORT) stays within the paid plan's 10 MB.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const MB = 1024 * 1024;
const dir = mkdtempSync(join(tmpdir(), 'twiga-bundle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Wrangler's own "Total Upload: … / gzip: … KiB" figure, in bytes, and the files it would upload. */
function dryRun(env: string | undefined): { gzipBytes: number; files: string[] } {
  const outdir = join(dir, env ?? 'default');
  const args = ['wrangler', 'deploy', '--dry-run', '--outdir', outdir, ...(env ? ['--env', env] : [])];
  const run = spawnSync('npx', args, {
    encoding: 'utf8',
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' },
  });
  const line = /Total Upload: [\d.]+ KiB \/ gzip: ([\d.]+) KiB/.exec(run.stdout);
  expect(line, `wrangler said:\n${run.stdout}\n${run.stderr}`).not.toBeNull();
  return { gzipBytes: Number(line![1]) * 1024, files: readdirSync(outdir) };
}

describe('Worker upload size (wrangler deploy --dry-run)', () => {
  it('the lean Worker is at most 3 MB gzip and carries no onnxruntime-web', () => {
    const lean = dryRun('lean');
    expect(lean.files.some((f) => f.endsWith('lean.wasm'))).toBe(true);
    expect(lean.files.filter((f) => f.includes('ort-wasm'))).toEqual([]);
    expect(lean.gzipBytes).toBeLessThanOrEqual(3 * MB);
  });

  it('the default Worker (lean + ORT) is at most 10 MB gzip', () => {
    const full = dryRun(undefined);
    expect(full.files.some((f) => f.includes('ort-wasm'))).toBe(true);
    expect(full.gzipBytes).toBeLessThanOrEqual(10 * MB);
  });
});
