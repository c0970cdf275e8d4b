/**
 * The fleet retraining flow on a global checkpoint, on real data: ETTh1 melted into 7 series, one global
 * linear model trained on its first 3,000 hours. A drifted window (the next 4,000 hours) retrains it once,
 * scores candidate and incumbent per series on the same holdouts and promotes only a better mean; the
 * training window itself does not drift and keeps it; a corrupt panel fails naming the file and leaves the
 * incumbent active.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDuckDB } from '../../../src/node/data/index.js';
import { fleetTrainingFlow } from '../../../src/node/flows/fleet-flow.js';
import { fleetRetrainingFlow } from '../../../src/node/flows/fleet-retraining-flow.js';
import { memoryLogSink } from '../../../src/node/flows/flow-log.js';
import { TaskFailedError } from '../../../src/node/flows/task.js';
import { DataError } from '../../../src/runtime/errors.js';
import { settingsFromEnv } from '../../../src/runtime/settings.js';
import { tempFiles } from '../data/fixtures.js';
import { COLUMNS, etth1Windows } from '../fleet/etth1-fixture.js';

const files = tempFiles();
let first: string;
let recent: string;
const settings = () =>
  settingsFromEnv({
    TWIGA_MLFLOW_TRACKING_URI: join(files.dir, 'mlruns'),
    TWIGA_MODEL_CHECKPOINT_DIR: join(files.dir, 'checkpoints'),
    TWIGA_MLFLOW_EXPERIMENT: 'global-retrain',
  });
const manifestVersion = async () =>
  JSON.parse(await readFile(join(files.dir, 'checkpoints', 'ett', '_checkpoint_manifest.json'), 'utf8'))
    .version as number;
const retrain = (dataPath: string) =>
  fleetRetrainingFlow({
    checkpointDir: join(files.dir, 'checkpoints'),
    name: 'ett',
    dataPath,
    idColumn: 'unique_id',
    melt: COLUMNS,
    settings: settings(),
    log: memoryLogSink(),
  });

beforeAll(async () => {
  ({ first, recent } = await etth1Windows(files));
  await fleetTrainingFlow({
    config: {
      data: { path: first, melt: COLUMNS },
      pipeline: { target: 'y', timeColumn: 'date', idColumn: 'unique_id', horizon: 24, lookback: 48 },
      models: [{ name: 'linear', alpha: 1 }],
      train: {
        strategy: 'global',
        name: 'ett',
        split: { testFraction: 0.2, valFraction: 0.1 },
        conformal: { method: 'split' },
      },
    },
    settings: settings(),
    log: memoryLogSink(),
  });
}, 600_000);
afterAll(async () => {
  await closeDuckDB();
  files.cleanup();
});

describe('fleetRetrainingFlow on a global ETTh1 checkpoint (7 series)', () => {
  it('the training rows: no series drifts, the model is kept', { timeout: 600_000 }, async () => {
    // The first 2,400 hours: each series' training rows (the 80 % before its test split).
    const lines = (await readFile(first, 'utf8')).trim().split(/\r?\n/);
    const r = await retrain(files.file('etth1-train-rows.csv', lines.slice(0, 2401).join('\n')));
    console.log(`global retraining, training rows: ${r.models.ett!.detail}`);
    const m = r.models.ett!;
    expect(r.strategy).toBe('global');
    expect(m.outcome).toBe('kept');
    expect(m.reason).toBe('within_thresholds');
    expect(m.retrained).toBe(false);
    expect(Object.keys(m.per_series!).sort()).toEqual([...COLUMNS].sort());
    expect(Object.values(m.per_series!).every((s) => !s.drifted)).toBe(true);
    expect(r.totals).toEqual({ models: 1, retrained: 0, promoted: 0, kept: 1, skipped: 0, failed: 0 });
    expect(await manifestVersion()).toBe(1);
  });

  it('a drifted window retrains once, scores per series on the same holdouts, promotes the better mean', {
    timeout: 600_000,
  }, async () => {
    const r = await retrain(recent);
    const m = r.models.ett!;
    const drifted = Object.entries(m.per_series!).filter(([, s]) => s.drifted);
    console.log(
      `global retraining: ${m.outcome}: ${m.detail}\n${Object.entries(m.per_series!)
        .map(
          ([id, s]) =>
            `  ${id.padEnd(5)} drifted ${String(s.drifted).padEnd(5)} candidate mae ${s.candidate_metrics!.ensemble!.mae?.toFixed(3)} incumbent ${s.incumbent_metrics!.ensemble!.mae?.toFixed(3)}`,
        )
        .join('\n')}`,
    );
    expect(drifted.length).toBeGreaterThan(0);
    expect(m.reason).toBe('drift');
    expect(m.retrained).toBe(true);
    // The aggregate compared is the mean over series of each side's holdout metric.
    const mean = (side: 'candidate_metrics' | 'incumbent_metrics') =>
      Object.values(m.per_series!).reduce((t, s) => t + s[side]!.ensemble!.mae!, 0) / COLUMNS.length;
    expect(m.candidate_metric).toBeCloseTo(mean('candidate_metrics'), 9);
    expect(m.incumbent_metric).toBeCloseTo(mean('incumbent_metrics'), 9);
    expect(m.promoted).toBe(m.candidate_metric! < m.incumbent_metric!);
    expect(await manifestVersion()).toBe(m.promoted ? m.version : 1);
    expect(m.outcome).toBe('promoted');

    // One tracking run, per-series metrics keyed by series.
    const root = join(files.dir, 'mlruns');
    let runDir = '';
    for (const e of await readdir(root)) {
      const runs: string[] = await readdir(join(root, e)).catch(() => []);
      if (runs.includes(r.mlflow_run_id)) runDir = join(root, e, r.mlflow_run_id);
    }
    const metrics = await readdir(join(runDir, 'metrics'), { recursive: true });
    for (const id of COLUMNS) expect(metrics).toContain(join(`series_${id}`, 'ensemble', 'mae'));
  });

  it('a corrupt panel fails with a DataError naming the file; the incumbent stays active', {
    timeout: 600_000,
  }, async () => {
    const before = await manifestVersion();
    const bad = files.file(
      'etth1-corrupt.csv',
      `date,${COLUMNS.join(',')}\n2017-01-01 00:00:00,1,2\n"unterminated`,
    );
    const error = await retrain(bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskFailedError);
    const cause = (error as TaskFailedError).cause;
    expect(cause).toBeInstanceOf(DataError);
    expect((cause as DataError).message).toContain(bad);
    expect(await manifestVersion()).toBe(before);
  });
});
