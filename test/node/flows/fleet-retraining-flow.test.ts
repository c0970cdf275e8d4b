/**
 * The retraining flow over a fleet, on real data: ETTh1 melted into 7 series, a per-series fleet trained on
 * its first 3,000 hours, then retrained on the next 4,000. Each model decides on its own series (drift
 * against the reference in its checkpoint), is compared with its own incumbent on its own holdout and
 * promoted by compare-and-swap: some are promoted and some kept, the totals add up, the manifests say so,
 * and the MLflow file store holds one child run per model under the parent. Also through the real CLI.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDuckDB } from '../../../src/node/data/index.js';
import { fleetTrainingFlow } from '../../../src/node/flows/fleet-flow.js';
import {
  type FleetRetrainingResult,
  fleetRetrainingFlow,
} from '../../../src/node/flows/fleet-retraining-flow.js';
import { memoryLogSink } from '../../../src/node/flows/flow-log.js';
import { settingsFromEnv } from '../../../src/runtime/settings.js';
import { runCliJson } from '../cli-run.js';
import { tempFiles } from '../data/fixtures.js';
import { COLUMNS, etth1Windows } from '../fleet/etth1-fixture.js';

const files = tempFiles();
let first: string;
let recent: string;
beforeAll(async () => {
  ({ first, recent } = await etth1Windows(files));
});
afterAll(async () => {
  await closeDuckDB();
  files.cleanup();
});

const settingsIn = (sub: string) =>
  settingsFromEnv({
    TWIGA_MLFLOW_TRACKING_URI: join(files.dir, sub, 'mlruns'),
    TWIGA_MODEL_CHECKPOINT_DIR: join(files.dir, sub, 'checkpoints'),
    TWIGA_MLFLOW_EXPERIMENT: 'fleet-retrain',
  });

async function trainFleetIn(sub: string): Promise<void> {
  await fleetTrainingFlow({
    config: {
      data: { path: first, melt: COLUMNS },
      pipeline: { target: 'y', timeColumn: 'date', idColumn: 'unique_id', horizon: 24, lookback: 48 },
      models: [{ name: 'linear', alpha: 1 }],
      train: { strategy: 'per_series', name: 'ett', split: { testFraction: 0.2, valFraction: 0.1 } },
    },
    settings: settingsIn(sub),
    log: memoryLogSink(),
  });
}

async function runFolder(root: string, runId: string): Promise<string> {
  for (const exp of await readdir(root)) {
    const runs: string[] = await readdir(join(root, exp)).catch(() => []);
    if (runs.includes(runId)) return join(root, exp, runId);
  }
  throw new Error(`run ${runId} not found under ${root}`);
}

const manifestVersion = async (sub: string, model: string) =>
  JSON.parse(await readFile(join(files.dir, sub, 'checkpoints', model, '_checkpoint_manifest.json'), 'utf8'))
    .version as number;

function expectTotalsConsistent(r: FleetRetrainingResult): void {
  const outcomes = Object.values(r.models).map((m) => m.outcome);
  const count = (o: string) => outcomes.filter((x) => x === o).length;
  expect(r.totals).toEqual({
    models: 7,
    retrained: Object.values(r.models).filter((m) => m.retrained).length,
    promoted: count('promoted'),
    kept: count('kept'),
    skipped: count('skipped'),
    failed: count('failed'),
  });
}

describe('fleetRetrainingFlow on ETTh1 melted into 7 series', () => {
  it('decides and promotes per model: some promoted, some kept; one child run per model', {
    timeout: 600_000,
  }, async () => {
    await trainFleetIn('a');
    // Drift alone would retrain all seven (every series moves between these windows): the performance
    // threshold is what makes the decision differ per model here.
    const r = await fleetRetrainingFlow({
      checkpointDir: join(files.dir, 'a', 'checkpoints'),
      name: 'ett',
      dataPath: recent,
      idColumn: 'unique_id',
      melt: COLUMNS,
      driftThreshold: 1,
      performanceThreshold: 1.2,
      settings: settingsIn('a'),
      log: memoryLogSink(),
    });
    const lines = Object.entries(r.models).map(
      ([name, m]) =>
        `  ${name.padEnd(9)} ${m.outcome.padEnd(8)} ${m.reason.padEnd(17)} candidate ${m.candidate_metric?.toFixed(3) ?? '-'} incumbent ${m.incumbent_metric?.toFixed(3) ?? '-'}`,
    );
    console.log(`fleet retraining: ${JSON.stringify(r.totals)}\n${lines.join('\n')}`);

    expect(Object.keys(r.models)).toEqual(COLUMNS.map((c) => `ett/${c}`).sort());
    expectTotalsConsistent(r);
    expect(r.totals.failed).toBe(0);
    expect(r.totals.promoted).toBeGreaterThan(0);
    expect(r.totals.kept).toBeGreaterThan(0);
    for (const [name, m] of Object.entries(r.models)) {
      // Each model on its own: its own drift test, and a manifest that moved only if it was promoted.
      expect(Object.keys(m.drift_summary!.columns)).toEqual(['y']);
      expect(await manifestVersion('a', name)).toBe(m.promoted ? m.version : 1);
      if (m.promoted) expect(m.candidate_metric!).toBeLessThan(m.incumbent_metric!);
      if (m.outcome === 'kept' && m.retrained)
        expect(m.candidate_metric!).toBeGreaterThanOrEqual(m.incumbent_metric!);
      if (!m.retrained) expect(m.reason).toBe('within_thresholds');
    }

    const root = join(files.dir, 'a', 'mlruns');
    const parent = await runFolder(root, r.mlflow_run_id);
    expect(await readFile(join(parent, 'meta.yaml'), 'utf8')).toMatch(/status: 3/); // FINISHED
    for (const [name, m] of Object.entries(r.models)) {
      const run = await runFolder(root, m.mlflow_run_id!);
      expect(await readFile(join(run, 'tags', 'mlflow.parentRunId'), 'utf8')).toBe(r.mlflow_run_id);
      expect(await readFile(join(run, 'tags', 'mlflow.runName'), 'utf8')).toBe(name);
      expect(await readFile(join(run, 'tags', 'twiga.outcome'), 'utf8')).toBe(m.outcome);
    }
  });

  it('twiga-edge retrain --checkpoints DIR --data panel.csv --id-col COL: the same per-model decisions', {
    timeout: 600_000,
  }, async () => {
    await trainFleetIn('b');
    const r = await runCliJson<FleetRetrainingResult>([
      'retrain',
      ...['--checkpoints', join(files.dir, 'b', 'checkpoints'), '--name', 'ett'],
      ...['--data', recent, '--id-col', 'unique_id', '--melt', COLUMNS.join(',')],
      ...['--drift-threshold', '1', '--performance-threshold', '1.2'],
      ...['--tracking-uri', join(files.dir, 'b', 'mlruns')],
    ]);
    expectTotalsConsistent(r);
    expect(r.totals.promoted).toBeGreaterThan(0);
    expect(r.totals.kept).toBeGreaterThan(0);
  });
});
