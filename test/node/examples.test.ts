/** The README's library examples run as written (they are included verbatim from examples/). */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { tempFiles } from './data/fixtures.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// The examples run from a temp folder, so tsx is named by URL rather than resolved from the cwd.
const TSX = pathToFileURL(`${ROOT}node_modules/tsx/dist/loader.mjs`).href;
const EXAMPLES = ['train-and-forecast.ts', 'runtime-forecaster.ts'];
const files = tempFiles();
afterAll(() => files.cleanup());

function run(file: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--conditions=source', '--import', TSX, `${ROOT}examples/${file}`],
      {
        cwd: files.dir,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('README examples', () => {
  const readme = readFileSync(`${ROOT}README.md`, 'utf8');

  it.each(EXAMPLES)('%s appears verbatim in the README', (file) => {
    expect(readme).toContain(readFileSync(`${ROOT}examples/${file}`, 'utf8').trim());
  });

  it('train-and-forecast.ts then runtime-forecaster.ts run and print results', async () => {
    const first = await run('train-and-forecast.ts');
    expect(first.stderr).not.toMatch(/Error/);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/net-load\/v0001 \d+\.\d+/);
    const second = await run('runtime-forecaster.ts');
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("[ 'seasonal_naive_1D', 'linear' ]");
  });
});
