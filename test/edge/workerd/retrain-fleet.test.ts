/**
 * The whole retraining loop inside workerd, real local R2 + Queue + Workflow: a fleet of 22 models trained
 * here on project-generated net load (syntheticNetLoad), each with a week of recent data in R2 — stable
 * (a replay of training days), level-shifted (a retrain can win; not every ridge, whose lags follow the
 * shift) or a temporary excursion (drifted, but the holdout is back to normal, so the candidate loses).
 * The Worker's cron → the real queue → one Workflow instance per due model → fit at the edge →
 * compare-and-swap promotion; the served models follow through the etag poll. The expected outcome is
 * computed here, independently of the Workflow: due by construction, "better" by fitting the same recipe
 * directly with fitForecaster and scoring both on a holdout placed by this file's arithmetic. Also: two
 * instances racing on one model promote once (their interleaving injected on purpose, see there).
 */
import { env, introspectWorkflow, SELF } from 'cloudflare:test';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { R2CheckpointStore } from '../../../src/edge/r2-store.js';
import { initEdgeRuntime } from '../../../src/edge/wasm.js';
import worker, { type Env } from '../../../src/edge/worker.js';
import { loadCheckpoint } from '../../../src/runtime/checkpoint/checkpoint.js';
import { readManifest } from '../../../src/runtime/checkpoint/read.js';
import type { ForecastJson } from '../../../src/runtime/forecast-json.js';
import { Forecaster } from '../../../src/runtime/forecaster.js';
import type { OnnxEngine } from '../../../src/runtime/onnx/engine.js';
import type { RetrainMessage } from '../../../src/runtime/retrain/message.js';
import { type ModelConfig, ModelConfigSchema } from '../../../src/runtime/schemas/model-config.js';
import { PipelineConfigSchema } from '../../../src/runtime/schemas/pipeline-config.js';
import { syntheticNetLoad } from '../../../src/runtime/synthetic.js';
import { fitForecaster } from '../../../src/runtime/train/fit.js';
import gbdtModule from '../../../wasm/build/gbdt.wasm';
import {
  netLoadFile,
  netLoadFrame,
  netLoadRecords,
  quiet,
  saveIncumbent,
} from '../../runtime/retrain/fixture.js';
import { KEY } from '../fleet-suite.js';
import { ROUTE_SETTINGS } from '../route-settings.js';
import { runRecord } from './retrain-helpers.js';
import { seedCheckpoint } from './seed.js';

const DAY = 24;
const TRAIN_DAYS = 14;
const RECENT_DAYS = 7;
const SHIFT_MW = 400;
const HORIZON = 6;
const pipelineConfig = PipelineConfigSchema.parse({
  target: 'net_load',
  period: '1h',
  horizon: `${HORIZON}h`,
  lookback: '1D',
});
const naivePlusRidge = [
  { name: 'seasonal_naive', season: '1D' },
  { name: 'linear', alpha: 1 },
].map((m) => ModelConfigSchema.parse(m));
const ridge = [ModelConfigSchema.parse({ name: 'linear', alpha: 1 })];
const gbdt = [ModelConfigSchema.parse({ name: 'gbdt', numTrees: 15, numLeaves: 8 })];

type Kind = 'stable' | 'shifted' | 'excursion';
interface Member {
  name: string;
  kind: Kind;
  models: ModelConfig[];
  seed: number;
}

/** 8 stable, 8 level-shifted, 6 excursions; two GBDT, the rest ridge (alone or with seasonal naive). */
const FLEET: Member[] = (['stable', 'shifted', 'excursion'] as const).flatMap((kind, k) =>
  Array.from({ length: kind === 'excursion' ? 6 : 8 }, (_, i) => ({
    name: `loop-${kind}-${String(i).padStart(2, '0')}`,
    kind,
    models: i === 0 && kind !== 'stable' ? gbdt : i % 2 === 0 ? ridge : naivePlusRidge,
    seed: 100 * (k + 1) + i,
  })),
);
/** The racing model: level-shifted, so both racers' candidates beat the incumbent. */
const RACER: Member = { name: 'loop-race', kind: 'shifted', models: ridge, seed: 999 };
/** Passed to every fit here, none installed: the Workflow must pass its own for its GBDT fits to run. */
const backend = { gbdtKernel: () => gbdtModule };
const store = new R2CheckpointStore(env.CHECKPOINTS, { bucketName: 'twiga-checkpoints' });
let engine: OnnxEngine;

/** Rows of the recent week that this file holds out: the last 30%, cut at whole horizons. */
const HOLDOUT_START = Math.floor((RECENT_DAYS * DAY * 0.7) / HORIZON) * HORIZON;

interface Series {
  time: Float64Array;
  netLoad: Float64Array;
}

/** Three weeks of hourly net load; the last week is the recent data, shaped by `kind`. */
function series(member: Member): Series {
  const s = syntheticNetLoad({
    days: TRAIN_DAYS + RECENT_DAYS,
    stepMinutes: 60,
    seed: member.seed,
    ...(member.kind === 'stable' ? {} : { levelShift: { day: TRAIN_DAYS, mw: SHIFT_MW } }),
  });
  const netLoad = Float64Array.from(s.net_load);
  // A stable week replays days 5–12 of the incumbent's training rows (same weekdays): it looks like training.
  if (member.kind === 'stable') {
    for (let i = 0; i < RECENT_DAYS * DAY; i++) netLoad[TRAIN_DAYS * DAY + i] = netLoad[5 * DAY + i]!;
  }
  // An excursion ends where the holdout starts: the candidate learns the shift, the holdout has none.
  if (member.kind === 'excursion') {
    for (let i = TRAIN_DAYS * DAY + HOLDOUT_START; i < netLoad.length; i++) netLoad[i]! -= SHIFT_MW;
  }
  return { time: s.time, netLoad };
}

const frameOf = (s: Series, start: number, end: number) => netLoadFrame(s.time, s.netLoad, start, end);
const records = (s: Series, start: number, end: number) => netLoadRecords(s.time, s.netLoad, start, end);

/** The recent week in R2: CSV for even members, JSON records for odd ones. */
async function putRecent(member: Member, s: Series, index: number): Promise<void> {
  const format = index % 2 === 0 ? 'csv' : 'json';
  const bytes = netLoadFile(format, s.time, s.netLoad, TRAIN_DAYS * DAY, s.time.length);
  await env.CHECKPOINTS.put(`data/recent/${member.name}/recent.${format}`, bytes);
}

/** The incumbent (v1, active): trained on the first two weeks, its last two days as test split. */
async function trainIncumbent(member: Member, s: Series): Promise<void> {
  const trainRows = TRAIN_DAYS * DAY;
  await saveIncumbent({
    store,
    name: member.name,
    frame: frameOf(s, 0, trainRows),
    pipelineConfig,
    models: member.models,
    testStart: trainRows - 2 * DAY,
    engine,
    backend,
  });
}

/** Whether a retrain on the recent week beats the incumbent on its holdout, computed without the Workflow. */
async function expectedWin(member: Member, s: Series): Promise<boolean> {
  const recent = frameOf(s, TRAIN_DAYS * DAY, s.time.length);
  const candidate = await fitForecaster({
    frame: recent,
    pipelineConfig,
    models: member.models,
    trainEnd: HOLDOUT_START,
    valFraction: 0.2,
    ensemble: 'mean',
    engine,
    logger: quiet,
    backend,
  });
  const incumbent = await Forecaster.fromFiles((await loadCheckpoint(store, member.name)).files, engine);
  const candidateMae = (await candidate.forecaster.evaluate(recent, HOLDOUT_START)).metrics['ensemble']!.mae;
  const incumbentMae = (await incumbent.evaluate(recent, HOLDOUT_START)).metrics['ensemble']!.mae;
  return candidateMae < incumbentMae;
}

async function predict(name: string, s: Series): Promise<ForecastJson> {
  const res = await SELF.fetch(`http://twiga.test/models/${name}/predict`, {
    method: 'POST',
    headers: { ...KEY, 'content-type': 'application/json' },
    body: JSON.stringify({ records: records(s, s.time.length - 2 * DAY, s.time.length) }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as ForecastJson;
}

const data = new Map<string, Series>();

beforeAll(async () => {
  engine = (await initEdgeRuntime()).engine;
  // The Worker's default model (TWIGA_SERVE_CHECKPOINT), which the cron checks first.
  await seedCheckpoint();
  for (const member of [...FLEET, RACER]) {
    const s = series(member);
    data.set(member.name, s);
    await trainIncumbent(member, s);
  }
}, 600_000);

describe('retraining a fleet at the edge (cron → queue → workflow, workerd)', () => {
  it('two instances racing on one model promote once (compare-and-swap)', async () => {
    const s = data.get(RACER.name)!;
    await putRecent(RACER, s, 0);
    const before = (await readManifest(store, RACER.name))!;
    const introspector = await introspectWorkflow(env.RETRAIN_WORKFLOW);
    try {
      // The interleaving is injected on purpose: local instances run one after the other, so both are
      // pinned to what load-incumbent read from R2 just now (v1 and its real etag), as two runs that
      // started together see it. Everything after (fit, save, the compare-and-swap) runs for real.
      await introspector.modifyAll(async (m) => {
        await m.disableRetryDelays();
        await m.mockStepResult({ name: 'load-incumbent' }, { version: 1, etag: before.etag });
      });
      const params: RetrainMessage = { model: RACER.name, version: 1, reason: 'drift', window: 'race' };
      await Promise.all(['race-a', 'race-b'].map((id) => env.RETRAIN_WORKFLOW.create({ id, params })));
      for (const instance of introspector.get()) await instance.waitForStatus('complete');
      const runs = await Promise.all(['race-a', 'race-b'].map((id) => runRecord(RACER.name, id)));
      const outcomes = runs.map((r) => r.outcome).sort();
      expect(outcomes, JSON.stringify(runs.map((r) => r.detail))).toEqual(['kept', 'promoted']);
      const kept = runs.find((r) => r.outcome === 'kept')!;
      expect(kept.detail).toMatch(/compare-and-swap lost/);
      expect(kept.incumbent_version).toBe(1);
      const after = (await readManifest(store, RACER.name))!;
      const winner = runs.find((r) => r.outcome === 'promoted')!;
      expect(after.manifest.version).toBe(winner.promoted_version);
      // One bump: the history gained exactly the winner's promotion.
      expect(after.manifest.history.length).toBe(before.manifest.history.length + 1);
    } finally {
      await introspector.dispose();
      // Out of the fleet run below: without data the cron skips this model.
      await env.CHECKPOINTS.delete(`data/recent/${RACER.name}/recent.csv`);
    }
  }, 300_000);

  it('retrains exactly the due models, promotes exactly the better candidates, serves each promotion', async () => {
    // Every model loaded once before the run, so a promotion reaches it through the etag poll.
    for (const member of FLEET) expect((await predict(member.name, data.get(member.name)!)).version).toBe(1);
    for (const [i, member] of FLEET.entries()) await putRecent(member, data.get(member.name)!, i);

    const due = FLEET.filter((m) => m.kind !== 'stable').map((m) => m.name);
    const better = new Set<string>();
    for (const member of FLEET.filter((m) => m.kind !== 'stable')) {
      if (await expectedWin(member, data.get(member.name)!)) better.add(member.name);
    }
    // The fleet is built so both outcomes occur: level-shifted models can gain from a retrain (not every
    // ridge: its lags follow a level shift too), an excursion's candidate never does.
    const shifted = FLEET.filter((m) => m.kind === 'shifted').map((m) => m.name);
    expect(better.size).toBeGreaterThan(0);
    expect([...better].every((n) => shifted.includes(n))).toBe(true);

    const introspector = await introspectWorkflow(env.RETRAIN_WORKFLOW);
    try {
      await introspector.modifyAll(async (m) => m.disableRetryDelays());
      const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} };
      await worker.scheduled({}, env as unknown as Env, ctx as never);
      const latest = await env.CHECKPOINTS.get('reports/_fleet/drift/latest.json');
      const fleet = JSON.parse(new TextDecoder().decode(await latest!.arrayBuffer())) as {
        retraining_due: string[];
        checked_at: string;
      };
      const mine = new Set(FLEET.map((m) => m.name));
      expect(fleet.retraining_due.filter((n) => mine.has(n)).sort()).toEqual([...due].sort());

      // The real queue delivers the cron's messages to the Worker's consumer, which starts the instances.
      await vi.waitUntil(() => introspector.get().length >= due.length, { timeout: 120_000, interval: 200 });
      for (const instance of introspector.get()) await instance.waitForStatus('complete');
      expect(introspector.get().length).toBe(due.length);

      const window = fleet.checked_at.replace(/[^A-Za-z0-9_-]/g, '-');
      const outcomes: Record<string, string> = {};
      for (const name of due) {
        const record = await runRecord(name, `${name}_v1_${window}`);
        outcomes[name] = record.outcome;
        expect(record.steps.map((s) => s.name)).toEqual(
          record.outcome === 'promoted'
            ? ['load-incumbent', 'load-data', 'check-drift', 'fit', 'promote']
            : ['load-incumbent', 'load-data', 'check-drift', 'fit'],
        );
        // The Workflow's own drift test on the staged window agrees with the cron's.
        expect(record.drift?.due, name).toBe(true);
      }
      const promoted = due.filter((n) => outcomes[n] === 'promoted').sort();
      expect(promoted).toEqual([...better].sort());
      expect(due.filter((n) => outcomes[n] !== 'promoted').every((n) => outcomes[n] === 'kept')).toBe(true);
      // Stable models: no instance, no run record.
      for (const member of FLEET.filter((m) => m.kind === 'stable')) {
        expect((await env.CHECKPOINTS.list({ prefix: `runs/${member.name}/` })).objects).toEqual([]);
      }

      // Served models follow: promoted ones answer with the new version (after the etag poll) and its
      // forecasts; the others keep version 1.
      await new Promise((r) => setTimeout(r, ROUTE_SETTINGS.pollSeconds * 1000 + 200));
      for (const member of FLEET) {
        const s = data.get(member.name)!;
        const manifest = (await readManifest(store, member.name))!.manifest;
        const wanted = better.has(member.name) ? 2 : 1;
        expect(manifest.version, member.name).toBe(wanted);
        const served = await vi.waitUntil(
          async () => {
            const answer = await predict(member.name, s);
            return answer.version === wanted ? answer : false;
          },
          { timeout: 30_000, interval: 300 },
        );
        const local = await Forecaster.fromFiles(
          (await loadCheckpoint(store, member.name, { version: wanted })).files,
          engine,
        );
        const frame = frameOf(s, s.time.length - 2 * DAY, s.time.length);
        const expected = Array.from((await local.predictLatest(frame)).predictions['ensemble']!);
        const got = served.forecasts['ensemble']!['net_load']!;
        expect(got.length).toBe(expected.length);
        for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(expected[i]!, 6);
      }
    } finally {
      await introspector.dispose();
    }
  }, 600_000);

  it('a message queued for drift whose window no longer drifts ends skipped at check-drift, training nothing', async () => {
    // A stable model (its recent week replays training days; still in R2 from the fleet run) sent a drift
    // message by hand, as a stale or duplicated message would arrive.
    const member = FLEET.find((m) => m.kind === 'stable')!;
    const before = (await readManifest(store, member.name))!;
    const introspector = await introspectWorkflow(env.RETRAIN_WORKFLOW);
    try {
      await introspector.modifyAll(async (m) => m.disableRetryDelays());
      const params: RetrainMessage = {
        model: member.name,
        version: before.manifest.version,
        reason: 'drift',
        window: 'stale',
      };
      await env.RETRAIN_WORKFLOW.create({ id: 'stale-drift', params });
      for (const instance of introspector.get()) await instance.waitForStatus('complete');
    } finally {
      await introspector.dispose();
    }
    const record = await runRecord(member.name, 'stale-drift');
    expect(record.outcome).toBe('skipped');
    expect(record.detail).toMatch(/no longer drifts: 0\/1 columns drifted/);
    expect(record.drift).toMatchObject({ due: false, drifted: 0, columns: 1 });
    expect(record.steps.map((s) => s.name)).toEqual(['load-incumbent', 'load-data', 'check-drift']);
    const after = (await readManifest(store, member.name))!;
    expect(after.etag).toBe(before.etag);
    expect((await store.list(`${member.name}/v0002/`)).length).toBe(0);
  }, 300_000);
});
