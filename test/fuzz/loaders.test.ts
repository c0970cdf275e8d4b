/**
 * The file loaders under fuzz: generated CSV/TSV/Parquet files either load (every timestamp inside the
 * supported range) or fail with a DataError naming the file — never another exception or a hang. Most
 * cases call `loadData` in this process; a few run the real CLI (`twiga-edge train`), which must exit 1.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { closeDuckDB, loadData } from '../../src/node/data/index.js';
import { DataError } from '../../src/runtime/errors.js';
import { isInTimeRange } from '../../src/runtime/time-range.js';
import { ROOT } from '../node/cli-run.js';
import { tempFiles } from '../node/data/fixtures.js';
import { DEFAULT_SEED } from './context.js';
import { type FileCase, hostileFile } from './files.js';

const files = tempFiles();
afterAll(async () => {
  await closeDuckDB();
  files.cleanup();
});

const RUNS = Number(process.env['TWIGA_FUZZ_FILE_RUNS']) || 150;
/** Per case: the async parts of a load are raced against this; the synchronous duckdb parts are timed. */
const CASE_MS = 20_000;

let counter = 0;
function write(c: FileCase): string {
  counter++;
  return files.file(`case-${counter}${c.ext}`, c.bytes);
}

async function loadOutcome(path: string): Promise<'loaded' | DataError> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hang: no answer within ${CASE_MS} ms`)), CASE_MS);
  });
  const started = performance.now();
  const outcome = await Promise.race([
    loadData(path, { timeColumn: 'timestamp', columns: ['value'] }),
    timeout,
  ])
    .then(({ frame }) => {
      const outside = Array.from(frame.time).filter((t) => !isInTimeRange(t));
      if (outside.length > 0) throw new Error(`loaded timestamps outside the range: ${outside.slice(0, 3)}`);
      return 'loaded' as const;
    })
    .catch((error: unknown) => {
      if (error instanceof DataError) return error;
      throw error;
    })
    .finally(() => clearTimeout(timer));
  const took = performance.now() - started;
  if (took > CASE_MS) throw new Error(`hang: the load took ${Math.round(took)} ms`);
  return outcome;
}

describe('file loaders under fuzz', () => {
  it('every generated file loads or is a DataError naming the file', async () => {
    const seen: Record<string, number> = {};
    await fc.assert(
      fc.asyncProperty(hostileFile, async (c) => {
        const path = write(c);
        const outcome = await loadOutcome(path).catch((error: unknown) => {
          throw new Error(`${c.what}: ${path}: not a DataError: ${(error as Error).stack ?? String(error)}`);
        });
        const key = outcome === 'loaded' ? 'loaded' : outcome.code;
        seen[key] = (seen[key] ?? 0) + 1;
        if (outcome !== 'loaded' && !outcome.message.includes(path)) {
          throw new Error(`${c.what}: the DataError does not name ${path}: ${outcome.message}`);
        }
      }),
      { numRuns: RUNS, seed: DEFAULT_SEED },
    );
    // The generator reaches both sides: files that load and files that fail.
    console.log(`file fuzz: ${RUNS} cases, outcomes ${JSON.stringify(seen)}`);
    expect(Object.keys(seen).length, JSON.stringify(seen)).toBeGreaterThan(1);
  }, 600_000);
});

const TSX = pathToFileURL(`${ROOT}node_modules/tsx/dist/loader.mjs`).href;

/** `twiga-edge train` on `data`, killed (by its own pid) if it runs past `ms`. */
function trainOn(
  data: string,
  ms: number,
): Promise<{ code: number | null; stderr: string; killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--conditions=source',
        '--import',
        TSX,
        `${ROOT}src/node/cli.ts`,
        'train',
        ...['--data', data, '--target', 'value', '--time-col', 'timestamp', '--models', 'linear'],
        ...['--checkpoints', join(files.dir, 'ckpt')],
      ],
      {
        cwd: files.dir,
        env: { ...process.env, NO_COLOR: '1', TWIGA_MLFLOW_TRACKING_URI: join(files.dir, 'mlruns') },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    let killed = false;
    child.stderr!.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, ms);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, killed });
    });
  });
}

describe('the CLI on hostile files', () => {
  const cases: Array<[string, string, string | Uint8Array]> = [
    ['an empty file', 'empty.csv', ''],
    ['random bytes', 'noise.parquet', Uint8Array.from({ length: 300 }, (_, i) => (i * 97 + 13) % 256)],
    ['a timestamp past the range', 'far.csv', 'timestamp,value\n2024-01-01 00:00,1\n2262-04-12 00:00,2\n'],
    ['epoch ms past Date', 'epoch.csv', 'timestamp,value\n1704067200000,1\n8640000000000001,2\n'],
  ];
  it.each(cases)('%s: a DataError naming the file, exit code 1', async (_, name, contents) => {
    const path = join(files.dir, name);
    writeFileSync(path, contents);
    const r = await trainOn(path, 60_000);
    expect(r.killed, 'the CLI hung').toBe(false);
    expect(r.code, r.stderr).toBe(1);
    // `train` runs the training flow, whose failed load-data task carries the DataError.
    expect(r.stderr).toMatch(/twiga-edge: (TaskFailedError: .*)?DataError: /);
    expect(r.stderr).toContain(path);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
