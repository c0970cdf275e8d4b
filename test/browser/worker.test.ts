/**
 * The forecast Web Worker in real Chromium: the harness page (test/browser/pages/worker.html) on Vite's dev
 * server loads a checkpoint from a real `twiga-edge serve` and must answer what Node answers.
 */
import { mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initNodeDriftWasm } from '../../src/node/drift-wasm.js';
import { FsCheckpointStore } from '../../src/node/fs-store.js';
import { loadCheckpoint } from '../../src/runtime/checkpoint/checkpoint.js';
import { decodeReference, REFERENCE_FILE } from '../../src/runtime/drift/checkpoint-reference.js';
import { ForecastMonitor } from '../../src/runtime/drift/monitor.js';
import type { DriftSummary } from '../../src/runtime/drift/summary.js';
import { originsFrom } from '../../src/runtime/features/windows.js';
import { type ForecastJson, forecastLatest } from '../../src/runtime/forecast-json.js';
import { Forecaster } from '../../src/runtime/forecaster.js';
import { frameFromColumns, frameFromRecords } from '../../src/runtime/input/frame-input.js';
import { createOnnxEngine } from '../../src/runtime/onnx/engine.js';
import { syntheticNetLoad } from '../../src/runtime/synthetic.js';
import type { CheckpointSource, ForecastInput, WindowsOptions } from '../../src/worker/api.js';
import { buildServingFixture, CHECKPOINT_NAME, type ServingFixture } from '../edge/fixture.js';
import { type ServerProcess, startServer } from '../node/serve-process.js';
import { ARTIFACTS, launchChromium, type PageWatch, skipWithoutChromium, watchPage } from './chromium.js';
import type { ColumnsPayload, Harness, LongTask, Outcome } from './harness-api.js';
import {
  CORRUPT_BASE,
  EDGE_BASE,
  HARNESS_PAGE,
  STATIC_BASE,
  startHarnessServer,
  staticFiles,
} from './worker-harness.js';

const skip = skipWithoutChromium('test/browser/worker.test.ts');
const API_KEY = 'browser-test-key';
const EDGE: CheckpointSource = { url: EDGE_BASE, name: CHECKPOINT_NAME, apiKey: API_KEY };
/** Days of synthetic 30-min data for the many-window calls: 2,160 rows, 2,017 windows at stride 1. */
const WINDOW_DAYS = 45;
const TOLERANCE = 1e-6;

type Api = { harness: Harness };
const call = {
  load: (page: Page, source: CheckpointSource) =>
    page.evaluate((s) => (globalThis as unknown as Api).harness.load(s), source),
  predict: (page: Page, input: ForecastInput) =>
    page.evaluate((i) => (globalThis as unknown as Api).harness.predict(i), input),
  predictInterval: (page: Page, input: ForecastInput, levels: number[]) =>
    page.evaluate(([i, l]) => (globalThis as unknown as Api).harness.predictInterval(i, { levels: l }), [
      input,
      levels,
    ] as const),
  detectDrift: (page: Page, input: ForecastInput) =>
    page.evaluate((i) => (globalThis as unknown as Api).harness.detectDrift(i), input),
  health: (page: Page) => page.evaluate(() => (globalThis as unknown as Api).harness.health()),
  predictWindows: (page: Page, columns: ColumnsPayload, options: WindowsOptions, values = true) =>
    page.evaluate(([c, o, v]) => (globalThis as unknown as Api).harness.predictWindows(c, o, v), [
      columns,
      options,
      values,
    ] as const),
  busy: (page: Page, ms: number) => page.evaluate((m) => (globalThis as unknown as Api).harness.busy(m), ms),
};

function value<T>(outcome: Outcome<T>): T {
  if (!outcome.ok) throw new Error(`the page answered ${outcome.error.name}: ${outcome.error.message}`);
  return outcome.value;
}

/** Largest |a − b| / max(|a|, |b|, 1) over two equally long series. */
function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    worst = Math.max(worst, Math.abs(x - y) / Math.max(Math.abs(x), Math.abs(y), 1));
  }
  return worst;
}

/** Same timestamps, labels and targets, and every forecast (and interval bound) within TOLERANCE. */
function expectSameForecast(actual: ForecastJson, expected: ForecastJson): number {
  expect(actual.timestamps).toEqual(expected.timestamps);
  expect(actual.issued_after).toBe(expected.issued_after);
  expect(Object.keys(actual.forecasts).sort()).toEqual(Object.keys(expected.forecasts).sort());
  let worst = 0;
  for (const [label, byTarget] of Object.entries(expected.forecasts)) {
    for (const [target, values] of Object.entries(byTarget)) {
      worst = Math.max(worst, maxRelDiff(actual.forecasts[label]![target]!, values));
    }
  }
  expect(Object.keys(actual.intervals ?? {}).sort()).toEqual(Object.keys(expected.intervals ?? {}).sort());
  for (const [label, byTarget] of Object.entries(expected.intervals ?? {})) {
    for (const [target, byLevel] of Object.entries(byTarget)) {
      for (const [level, bounds] of Object.entries(byLevel)) {
        const got = actual.intervals![label]![target]![level]!;
        worst = Math.max(worst, maxRelDiff(got.lower, bounds.lower), maxRelDiff(got.upper, bounds.upper));
      }
    }
  }
  expect(worst).toBeLessThanOrEqual(TOLERANCE);
  return worst;
}

/** Per column: same test, verdict, counts and score/statistic (to 1e-9); and the same dataset verdict. */
function expectSameDrift(actual: DriftSummary, expected: DriftSummary): void {
  const {
    timestamp: _a,
    report_path: _ar,
    columns: actualColumns,
    feature_drift: af,
    ...actualRest
  } = actual;
  const {
    timestamp: _e,
    report_path: _er,
    columns: expectedColumns,
    feature_drift: ef,
    ...expectedRest
  } = expected;
  expect(actualRest).toEqual(expectedRest);
  expect(Object.keys(actualColumns).sort()).toEqual(Object.keys(expectedColumns).sort());
  for (const [column, want] of Object.entries(expectedColumns)) {
    const { score, statistic, ...verdict } = actualColumns[column]!;
    const { score: wantScore, statistic: wantStatistic, ...wantVerdict } = want;
    expect(verdict).toEqual(wantVerdict);
    expect(maxRelDiff([score], [wantScore])).toBeLessThanOrEqual(1e-9);
    expect(statistic === null).toBe(wantStatistic === null);
    if (statistic !== null) expect(maxRelDiff([statistic], [wantStatistic!])).toBeLessThanOrEqual(1e-9);
    expect(maxRelDiff([af[column]!], [ef[column]!])).toBeLessThanOrEqual(1e-9);
  }
}

const syntheticColumns = (days: number): ColumnsPayload => {
  const series = syntheticNetLoad({ days });
  return { timestamp: Array.from(series.time), net_load: Array.from(series.net_load) };
};

describe.skipIf(skip)('the forecast worker in Chromium', () => {
  let fixture: ServingFixture;
  let edge: ServerProcess;
  let vite: ViteDevServer;
  let pageUrl: string;
  let browser: Browser;
  let page: Page;
  let watch: PageWatch;
  let node: { forecaster: Forecaster; version: number; files: Record<string, Uint8Array> };
  let corruptKey: string;

  const openHarness = async (): Promise<{ page: Page; watch: PageWatch }> => {
    const p = await browser.newPage();
    const w = watchPage(p);
    await p.goto(pageUrl);
    await p.waitForFunction(() => (globalThis as unknown as Partial<Api>).harness !== undefined, null, {
      timeout: 60_000,
    });
    return { page: p, watch: w };
  };

  beforeAll(async () => {
    fixture = await buildServingFixture();
    const loaded = await loadCheckpoint(new FsCheckpointStore(fixture.root), CHECKPOINT_NAME);
    node = {
      forecaster: await Forecaster.fromFiles(loaded.files, createOnnxEngine()),
      version: loaded.version,
      files: loaded.files,
    };
    corruptKey = Object.keys(fixture.files).find((k) => k.endsWith('/linear.onnx'))!;
    edge = await startServer(['--checkpoint', fixture.checkpointDir, '--port', '0'], {
      TWIGA_SERVE_API_KEY: API_KEY,
    });
    const harness = await startHarnessServer(edge.url, staticFiles(fixture, corruptKey));
    vite = harness.server;
    pageUrl = `${harness.url}${HARNESS_PAGE}`;
    browser = await launchChromium();
    ({ page, watch } = await openHarness());
    value(await call.load(page, EDGE));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await vite?.close();
    await node?.forecaster.release();
    if (edge) expect(await edge.stop()).toBe(0);
    if (fixture) await rm(fixture.dir, { recursive: true, force: true });
  });

  it('predict and predictInterval equal `twiga-edge predict` and forecastLatest in Node', async () => {
    const info = value(await call.health(page));
    expect(info.loaded).toBe(true);
    expect(info.source).toMatch(new RegExp(`${EDGE_BASE}/${CHECKPOINT_NAME}$`));
    expect(info.model?.models).toEqual(['seasonal_naive_1D', 'linear']);
    expect(info.model?.engines).toEqual({ seasonal_naive_1D: 'lean', linear: 'lean' });

    const records = { records: fixture.records };
    const point = value(await call.predict(page, records));
    expect(point.version).toBe(fixture.predicted.version);
    const pointDiff = expectSameForecast(point, fixture.predicted);

    const levels = [0.8, 0.9];
    const frame = frameFromRecords(fixture.records, node.forecaster.pipeline.config);
    const expected = await forecastLatest(node.forecaster, frame, node.version, { levels });
    const interval = value(await call.predictInterval(page, records, levels));
    expect(Object.keys(interval.intervals!['ensemble']!['net_load']!)).toEqual(['0.8', '0.9']);
    const intervalDiff = expectSameForecast(interval, expected);
    console.info(`max relative difference: predict ${pointDiff}, predictInterval ${intervalDiff}`);
  });

  it('predictWindows over 2,017 windows equals Forecaster.predictOrigins in Node', async () => {
    const columns = syntheticColumns(WINDOW_DAYS);
    const run = await call.predictWindows(page, columns, { stride: 1 });
    const got = value(run.result);

    const config = node.forecaster.pipeline.config;
    const frame = frameFromColumns(
      {
        timestamp: Float64Array.from(columns['timestamp']!),
        net_load: Float64Array.from(columns['net_load']!),
      },
      config,
      'columns',
      { latestWindow: false },
    );
    const { lookback, horizon } = config;
    const origins = originsFrom(frame.time.length, lookback, { lookback, horizon, stride: 1 });
    const expected = await node.forecaster.predictOrigins(frame, origins);
    expect(origins.length).toBe(WINDOW_DAYS * 48 - lookback - horizon + 1);
    expect(got.originTimes).toEqual(expected.originTimes);
    expect(got.horizon).toBe(horizon);
    expect(Object.keys(got.predictions).sort()).toEqual(Object.keys(expected.predictions).sort());
    let worst = 0;
    for (const [label, values] of Object.entries(expected.predictions)) {
      worst = Math.max(worst, maxRelDiff(got.predictions[label]!, values));
    }
    expect(worst).toBeLessThanOrEqual(TOLERANCE);
    console.info(`predictWindows: ${origins.length} windows, max relative difference ${worst}`);
  });

  it('drift in the worker equals ForecastMonitor in Node, on the WASM kernel', async () => {
    await initNodeDriftWasm();
    const reference = decodeReference(node.files[REFERENCE_FILE]!).drift!;
    expect(reference).toBeDefined();
    const shifted = fixture.records.map((r) => ({ ...r, net_load: r.net_load * 1.3 + 150 }));
    for (const records of [fixture.records, shifted]) {
      const [, expected] = await new ForecastMonitor().setReference(reference).runDataDrift(records);
      const got = value(await call.detectDrift(page, { records }));
      expectSameDrift(got, expected);
    }
    const [, drifted] = await new ForecastMonitor().setReference(reference).runDataDrift(shifted);
    expect(drifted.drift_detected).toBe(true);
    expect(value(await call.health(page)).driftKernel).toBe('wasm');
  });

  it('the main thread has no long task while the worker forecasts 17,377 windows', async () => {
    const control = await call.busy(page, 100);
    expect(control.some((t: LongTask) => t.duration >= 100)).toBe(true);

    const days = 365;
    const windows = days * 48 - 96 - 48 + 1;
    const run = await call.predictWindows(page, syntheticColumns(days), { stride: 1 }, false);
    const got = value(run.result);
    expect(got.originTimes).toHaveLength(windows);
    expect(run.sizes['ensemble']).toBe(windows * 48);
    const longest = Math.max(0, ...run.longTasks.map((t) => t.duration));
    console.info(
      `long tasks: control busy(100) recorded ${control.map((t) => t.duration.toFixed(0)).join(', ')} ms; ` +
        `predictWindows(${windows} windows) took ${run.ms.toFixed(0)} ms with ` +
        `${run.longTasks.length} long task(s) on the main thread (longest ${longest.toFixed(0)} ms)`,
    );
    expect(run.longTasks.filter((t) => t.duration > 50)).toEqual([]);
  });

  it('typed errors cross the boundary, and typed columns move instead of being copied', async () => {
    const duplicated = [
      ...fixture.records.slice(0, 200),
      fixture.records[199]!,
      ...fixture.records.slice(200),
    ];
    const data = await call.predict(page, { records: duplicated });
    expect(data.ok).toBe(false);
    if (data.ok) return;
    expect(data.error.name).toBe('DataError');
    expect(data.error.classes).toEqual(['TwigaError', 'DataError']);
    expect(data.error.code).toBe('DATA_INVALID');
    expect(data.error.message).toMatch(
      /^records\[200\]\.timestamp: duplicated timestamp .* \(same as records\[199\]\.timestamp\)/,
    );
    expect(data.error.context?.['path']).toBe('records[200].timestamp');

    const run = await call.predictWindows(page, syntheticColumns(5), {});
    value(run.result);
    expect(run.bytesBefore).toBe(2 * 5 * 48 * 8);
    expect(run.bytesAfter).toBe(0);

    const fresh = await openHarness();
    try {
      const early = await call.predict(fresh.page, { records: fixture.records });
      expect(early.ok).toBe(false);
      if (early.ok) return;
      expect(early.error.name).toBe('ConfigError');
      expect(early.error.classes).toEqual(['TwigaError', 'ConfigError']);
      expect(early.error.message).toMatch(/no checkpoint loaded: call load\(\) first/);
      expect(early.error.issues).toEqual([{ path: 'checkpoint', message: 'not loaded' }]);
      expect(fresh.watch.errors).toEqual([]);
    } finally {
      await fresh.page.close();
    }
  });

  it('a corrupted checkpoint (or a missing API key) is refused, naming the file, and the worker keeps its model', async () => {
    const before = value(await call.predict(page, { records: fixture.records }));
    // The same files as static objects load (the URL store over plain files) …
    const statics = value(await call.load(page, { url: STATIC_BASE, name: CHECKPOINT_NAME }));
    expect(statics.version).toBe(node.version);
    value(await call.load(page, EDGE));
    // … but not with one byte of linear.onnx flipped.
    const bad = await call.load(page, { url: CORRUPT_BASE, name: CHECKPOINT_NAME });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.error.classes).toContain('CheckpointError');
    expect(bad.error.code).toBe('CHECKPOINT_CORRUPT');
    expect(bad.error.message).toContain(corruptKey.split('/').at(-1)!);
    expect(bad.error.message).toMatch(/sha256 mismatch/);

    // Without its X-API-Key the server refuses, and that is no reason to drop the model either.
    const keyless = await call.load(page, { url: EDGE_BASE, name: CHECKPOINT_NAME });
    expect(keyless.ok).toBe(false);
    if (keyless.ok) return;
    expect(keyless.error.classes).toContain('CheckpointError');
    expect(keyless.error.message).toMatch(/_checkpoint_manifest\.json answered 401/);

    const health = value(await call.health(page));
    expect(health.source).toMatch(new RegExp(`${EDGE_BASE}/${CHECKPOINT_NAME}$`));
    const after = value(await call.predict(page, { records: fixture.records }));
    expect(after).toEqual(before);
  });

  it('the page logged no errors and asked only its own origin', async () => {
    const origin = new URL(pageUrl).origin;
    // The one failure is the deliberate keyless load, which Chromium also logs.
    const keyless = `${origin}${EDGE_BASE}/${CHECKPOINT_NAME}/_checkpoint_manifest.json`;
    expect(watch.failures).toEqual([`401 ${keyless}`]);
    expect(watch.errors.filter((e) => !(e.includes('status of 401') && e.endsWith(`(${keyless})`)))).toEqual(
      [],
    );
    // The worker's own requests are seen too: the checkpoint through the proxy, the lean engine's and the drift
    // core's WASM — and not ORT's: the lean engine runs every model of the checkpoint (TWIGA's `auto`).
    const paths = watch.requests.map((u) => new URL(u).pathname);
    expect(paths).toContain(`${EDGE_BASE}/${CHECKPOINT_NAME}/_checkpoint_manifest.json`);
    expect(paths.some((p) => p.endsWith('/lean.wasm'))).toBe(true);
    expect(paths.filter((p) => p.endsWith('/ort-wasm-simd-threaded.wasm'))).toEqual([]);
    expect(paths.some((p) => p.endsWith('/drift.wasm'))).toBe(true);
    expect(
      watch.requests.filter((u) => !u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:')),
    ).toEqual([]);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'worker-harness.png') });
  });
});
