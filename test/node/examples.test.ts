/** The guides' library examples run as written (they are included verbatim from examples/). */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { docFiles } from '../../scripts/docs/blocks.js';
import { ROOT, runTs } from './cli-run.js';
import { tempFiles } from './data/fixtures.js';

const EXAMPLES = ['train-and-forecast.ts', 'runtime-forecaster.ts', 'edge-app.ts', 'flows.ts', 'fleet.ts'];
const files = tempFiles();
afterAll(() => files.cleanup());

describe('documented examples', () => {
  const docs = docFiles(ROOT).map((f) => readFileSync(`${ROOT}${f}`, 'utf8'));

  it.each(EXAMPLES)('%s appears verbatim in a guide', (file) => {
    const code = readFileSync(`${ROOT}examples/${file}`, 'utf8').trim();
    expect(docs.some((d) => d.includes(code))).toBe(true);
  });

  it('train-and-forecast.ts, then runtime-forecaster.ts and edge-app.ts run and print results', async () => {
    const first = await runTs(`${ROOT}examples/train-and-forecast.ts`, [], { cwd: files.dir });
    expect(first.stderr).not.toMatch(/Error/);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/net-load\/v0001 \d+\.\d+/);
    const second = await runTs(`${ROOT}examples/runtime-forecaster.ts`, [], { cwd: files.dir });
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("[ 'seasonal_naive_1D', 'linear' ]");
    const third = await runTs(`${ROOT}examples/edge-app.ts`, [], { cwd: files.dir });
    expect(third.code, third.stderr).toBe(0);
    expect(third.stdout).toMatch(
      /^ok 1 \[ 'seasonal_naive_1D', 'linear' \]\n200 2024-06-08T00:00:00 [\d.]+ [\d.]+ [\d.]+/,
    );
  });

  it('flows.ts trains with tracking and runs the retraining decision', async () => {
    const r = await runTs(`${ROOT}examples/flows.ts`, [], { cwd: files.dir });
    expect(r.code, r.stderr).toBe(0);
    const [first, second] = r.stdout.trim().split('\n');
    expect(first).toMatch(/^1 [0-9a-f]{32} \d+\.\d+$/);
    expect(second).toMatch(/^drift true true \d+\.\d+ \d+\.\d+$/);
    // Structured logs: a JSON object per stderr line.
    for (const line of r.stderr.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('fleet.ts trains a global model on 20 series and forecasts 3 of them in one call', async () => {
    const r = await runTs(`${ROOT}examples/fleet.ts`, [], { cwd: files.dir });
    expect(r.code, r.stderr).toBe(0);
    const [first, ...series] = r.stdout.trim().split('\n');
    expect(first).toMatch(
      /feeders\/v0001 \d+\.\d+ \{ seasonal_naive_1D: \d+, linear: \d+, ensemble: \d+ \}$/,
    );
    expect(series.map((l) => l.split(' ')[0])).toEqual(['feeder-0000', 'feeder-0001', 'feeder-0002']);
    for (const line of series) expect(line).toMatch(/^feeder-\d{4} 2024-01-29T00:00:00 [\d.]+$/);
  });
});
