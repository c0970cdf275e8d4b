/** `twiga-edge drift` end to end on ETTh1: a year against the next, a file against itself, a checkpoint's sample. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDrift } from '../../src/node/index.js';
import { decodeReference } from '../../src/runtime/index.js';
import { runCli, runCliJson } from './cli-run.js';
import { SHARED_DATA, tempFiles } from './data/fixtures.js';

interface Summary {
  drift_detected: boolean;
  dataset_drift: boolean;
  n_drifted: number;
  total: number;
  report_path: string | null;
  columns: Record<string, { method: string; drifted: boolean; n_reference: number; n_current: number }>;
}

const HOURS_PER_YEAR = 8760;
const files = tempFiles();
const lines = readFileSync(join(SHARED_DATA, 'ETTh1.csv'), 'utf8').trim().split('\n');
const [header, ...rows] = lines;
const firstYear = files.file('first-year.csv', [header, ...rows.slice(0, HOURS_PER_YEAR)].join('\n'));
const sameYear = files.file('same-year.csv', [header, ...rows.slice(0, HOURS_PER_YEAR)].join('\n'));
const nextYear = files.file('next-year.csv', [header, ...rows.slice(HOURS_PER_YEAR)].join('\n'));
const reports = join(files.dir, 'reports');
const FEATURES = ['HUFL', 'HULL', 'MUFL', 'MULL', 'LUFL', 'LULL', 'OT'];

afterAll(() => files.cleanup());

describe('twiga-edge drift (files)', () => {
  let shifted: Summary;
  beforeAll(async () => {
    shifted = await runCliJson<Summary>([
      'drift',
      ...['--reference', firstYear, '--current', nextYear, '--time-col', 'date', '--report-dir', reports],
    ]);
  });

  it('flags the next year as drifted, testing every non-time column with Wasserstein', () => {
    expect(Object.keys(shifted.columns)).toEqual(FEATURES);
    expect(shifted.drift_detected).toBe(true);
    expect(shifted.dataset_drift).toBe(true);
    expect(shifted.columns['OT']).toMatchObject({
      method: 'wasserstein',
      drifted: true,
      n_reference: HOURS_PER_YEAR,
    });
    expect(shifted.columns['OT']!.n_current).toBe(rows.length - HOURS_PER_YEAR);
  });

  it('writes the HTML report into --report-dir, with a chart per column', () => {
    expect(shifted.report_path).toMatch(new RegExp(`^${reports}/data_drift_.*\\.html$`));
    const html = readFileSync(shifted.report_path!, 'utf8');
    expect(html.match(/<svg /g)).toHaveLength(FEATURES.length);
    expect(html).toContain('Dataset drift detected');
  });

  it('flags nothing for identical windows, finds the time column itself, and honours TWIGA_SERVE_REPORT_DIR', async () => {
    const envDir = join(files.dir, 'env-reports');
    // Each child copies the environment when spawned: start one with the variable, one without.
    process.env['TWIGA_SERVE_REPORT_DIR'] = envDir;
    const withEnv = runCliJson<Summary>(['drift', '--reference', firstYear, '--current', sameYear]);
    delete process.env['TWIGA_SERVE_REPORT_DIR'];
    const withoutEnv = runCliJson<Summary>(['drift', '--reference', firstYear, '--current', sameYear]);
    const [same, noReport] = await Promise.all([withEnv, withoutEnv]);
    expect(same.total).toBe(FEATURES.length);
    expect(same.n_drifted).toBe(0);
    expect(same.drift_detected).toBe(false);
    expect(same.report_path?.startsWith(envDir)).toBe(true);
    expect(existsSync(same.report_path!)).toBe(true);
    expect(noReport.report_path).toBeNull();
  });

  it('tests only --columns, and names a missing column', async () => {
    const drift = (...flags: string[]) =>
      runCli(['drift', '--reference', firstYear, '--current', nextYear, ...flags]);
    const [some, missing, noTime] = await Promise.all([
      drift('--columns', 'OT,LUFL'),
      drift('--columns', 'OT,nope'),
      drift('--time-col', 'when'),
    ]);
    expect(Object.keys((JSON.parse(some.stdout) as Summary).columns)).toEqual(['OT', 'LUFL']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/column "nope" not found in .*first-year\.csv/);
    expect(missing.stderr).not.toMatch(/\n\s+at /);
    expect(noTime.code).toBe(1);
    expect(noTime.stderr).toMatch(/time column "when" not found/);
  });
});

describe('twiga-edge drift (checkpoint reference)', () => {
  const checkpoints = join(files.dir, 'checkpoints');
  beforeAll(async () => {
    await runCliJson([
      'train',
      ...['--data', firstYear, '--target', 'OT', '--time-col', 'date', '--past-exogenous', 'LUFL'],
      ...['--models', 'seasonal_naive:1D', '--horizon', '24', '--lookback', '48'],
      ...['--checkpoints', checkpoints, '--name', 'etth1'],
    ]);
  });

  it('stores a drift sample of the training rows of the target and covariates in reference.json', () => {
    const reference = decodeReference(readFileSync(join(checkpoints, 'etth1', 'v0001', 'reference.json')));
    expect(Object.keys(reference.drift!.columns)).toEqual(['OT', 'LUFL']);
    // Training rows are the first 80 % (no split given); the sample keeps at most 5000 of them.
    expect(reference.drift!.columns['OT']!.n_original).toBe(Math.floor(HOURS_PER_YEAR * 0.8));
    expect(reference.drift!.columns['OT']!.values).toHaveLength(5000);
    expect(reference.validation_metrics['seasonal_naive_1D']).toBeDefined();
  });

  it('tests a file against the checkpoint, taking its columns and time column', async () => {
    const [summary, version] = await Promise.all([
      runCliJson<Summary>(['drift', '--reference', join(checkpoints, 'etth1'), '--current', nextYear]),
      runCliJson<Summary>([
        'drift',
        ...['--reference', join(checkpoints, 'etth1', 'v0001'), '--current', nextYear, '--columns', 'OT'],
      ]),
    ]);
    expect(Object.keys(summary.columns)).toEqual(['OT', 'LUFL']);
    expect(summary.columns['OT']).toMatchObject({ n_reference: 5000, drifted: true });
    expect(Object.keys(version.columns)).toEqual(['OT']);
  });
});

describe('runDrift (library API)', () => {
  /** 500 hourly rows as Parquet: a `timestamp` string column, `load` (shifted by `shift`) and `temp`. */
  function parquet(name: string, shift: number): string {
    const n = 500;
    const stamps = Array.from({ length: n }, (_, i) =>
      new Date(Date.UTC(2024, 0, 1) + i * 3_600_000).toISOString(),
    );
    const wave = (i: number) => Math.sin(i / 3.7) * 10 + (i % 11);
    const buffer = parquetWriteBuffer({
      columnData: [
        { name: 'timestamp', data: stamps, type: 'STRING' },
        { name: 'load', data: stamps.map((_, i) => wave(i) + shift), type: 'DOUBLE' },
        { name: 'temp', data: stamps.map((_, i) => wave(i + 5)), type: 'DOUBLE' },
      ],
    });
    return files.file(name, new Uint8Array(buffer));
  }

  it('reads Parquet, finds the timestamp column and writes the report to reportDir', async () => {
    const dir = join(files.dir, 'parquet-reports');
    const summary = await runDrift({
      reference: parquet('ref.parquet', 0),
      current: parquet('cur.parquet', 8),
      reportDir: dir,
    });
    expect(Object.keys(summary.columns)).toEqual(['load', 'temp']);
    expect(summary.columns['load']).toMatchObject({ method: 'ks', drifted: true, n_reference: 500 });
    expect(summary.columns['temp']!.drifted).toBe(false);
    expect(summary.report_path?.startsWith(dir)).toBe(true);
    expect(readFileSync(summary.report_path!, 'utf8')).toContain('load');
  });
});
