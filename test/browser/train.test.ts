/**
 * Training in a browser worker: real Chromium (/usr/bin/chromium) loads test/browser/pages/train.html from
 * Vite's dev server; a Web Worker there trains seasonal naive, ridge and GBDT (single thread, gbdt.wasm) with
 * the platform-free trainers on the ETTh1 slice Node trains on here. Forecasts must match Node's to 1e-9
 * relative and every ONNX file (GBDT's trees included) must be byte-identical. GBDT needs the page
 * cross-origin isolated (COOP/COEP), so the page is served twice: isolated, and plain.
 */
import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { createServer, defaultClientConditions, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeTrainingBackend } from '../../src/node/training-backend.js';
import { sha256Hex } from '../../src/runtime/checkpoint/hash.js';
import { setTrainingBackend } from '../../src/runtime/train/backend.js';
import { etth1Frame, TRAIN_MODELS, TRAIN_ROWS, testForecasts, trainJob } from '../edge/train-fixture.js';
import { launchChromium, ROOT, skipWithoutChromium, watchPage } from './chromium.js';
import type { TrainOutcome, TrainRequest } from './train-api.js';

const skip = skipWithoutChromium('test/browser/train.test.ts');
const PAGE = 'test/browser/pages/train.html';
const CSV = readFileSync(new URL('../../../shared/data/ETTh1.csv', import.meta.url), 'utf8')
  .split('\n', TRAIN_ROWS + 2)
  .join('\n');

const ALL = ['seasonal_naive', 'linear', 'gbdt'];

/** What Node trains from the same rows, single-thread GBDT (its threads give the same bytes: train-anywhere). */
async function trainInNode(models: string[]) {
  const { gbdtThreads: _threads, ...singleThread } = nodeTrainingBackend;
  setTrainingBackend(singleThread);
  try {
    const frame = etth1Frame(CSV);
    const fit = await trainJob(frame, { models: TRAIN_MODELS.filter((m) => models.includes(m.name)) });
    const onnx: Record<string, string> = {};
    for (const [name, bytes] of Object.entries(fit.files))
      if (name.endsWith('.onnx')) onnx[name] = await sha256Hex(bytes);
    return { forecasts: await testForecasts(fit, frame), onnx };
  } finally {
    setTrainingBackend(nodeTrainingBackend);
  }
}

/** Vite's dev server over the repo; `isolated` adds COOP/COEP to every answer (cross-origin isolation). */
async function startPageServer(isolated: boolean): Promise<ViteDevServer> {
  const server = await createServer({
    configFile: false,
    root: ROOT,
    logLevel: 'warn',
    clearScreen: false,
    cacheDir: 'node_modules/.vite-browser-tests',
    resolve: { conditions: ['source', ...defaultClientConditions] },
    optimizeDeps: { entries: [PAGE, 'test/browser/pages/train-worker.ts'], exclude: ['onnxruntime-web'] },
    server: {
      host: '127.0.0.1',
      port: 0,
      hmr: false,
      watch: null,
      ...(isolated
        ? {
            headers: {
              'Cross-Origin-Opener-Policy': 'same-origin',
              'Cross-Origin-Embedder-Policy': 'require-corp',
            },
          }
        : {}),
    },
  });
  await server.listen();
  return server;
}

/** Every forecast within 1e-9 relative of Node's, label by label. */
function expectNodeForecasts(got: Record<string, number[]>, node: Record<string, number[]>): void {
  expect(Object.keys(got).sort()).toEqual(Object.keys(node).sort());
  for (const [label, values] of Object.entries(node)) {
    const here = got[label]!;
    expect(here.length, label).toBe(values.length);
    for (let i = 0; i < values.length; i++)
      expect(Math.abs(here[i]! - values[i]!), `${label}[${i}]`).toBeLessThanOrEqual(
        1e-9 * Math.abs(values[i]!),
      );
  }
}

describe.skipIf(skip)('training in a Chromium Web Worker', () => {
  let plain: ViteDevServer;
  let isolated: ViteDevServer;
  let browser: Browser;

  beforeAll(async () => {
    [plain, isolated] = [await startPageServer(false), await startPageServer(true)];
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await plain?.close();
    await isolated?.close();
  });

  /** Opens the page on `server` and runs `request` in a fresh worker there. */
  async function trainOn(server: ViteDevServer, request: TrainRequest): Promise<TrainOutcome> {
    const page = await browser.newPage();
    const watch = watchPage(page);
    try {
      await page.goto(`${server.resolvedUrls!.local[0]}${PAGE}`);
      await page.locator('#state', { hasText: 'ready' }).waitFor({ timeout: 60_000 });
      const got = await page.evaluate(
        (r) =>
          (globalThis as unknown as { trainInWorker(r: TrainRequest): Promise<TrainOutcome> }).trainInWorker(
            r,
          ),
        request,
      );
      expect(watch.errors).toEqual([]);
      return got;
    } finally {
      await page.close();
    }
  }

  it('cross-origin isolated: seasonal naive, ridge and GBDT give the forecasts and ONNX bytes of Node', async () => {
    const node = await trainInNode(ALL);
    const got = await trainOn(isolated, { csv: CSV, models: ALL });
    if (!got.ok) throw new Error(`the worker failed: ${got.name}: ${got.message}`);
    expect(got.crossOriginIsolated).toBe(true);
    expect(Object.keys(got.onnx).some((n) => n.includes('gbdt'))).toBe(true);
    // Identical trees: GBDT's ONNX (and the others') byte for byte.
    expect(got.onnx).toEqual(node.onnx);
    expectNodeForecasts(got.forecasts, node.forecasts);
  }, 240_000);

  it('not isolated: seasonal naive and ridge still match Node; GBDT needs SharedArrayBuffer', async () => {
    const light = ['seasonal_naive', 'linear'];
    const node = await trainInNode(light);
    const got = await trainOn(plain, { csv: CSV, models: light });
    if (!got.ok) throw new Error(`the worker failed: ${got.name}: ${got.message}`);
    expect(got.crossOriginIsolated).toBe(false);
    expect(got.onnx).toEqual(node.onnx);
    expectNodeForecasts(got.forecasts, node.forecasts);
    // The GBDT trainer's buffers and kernel memory are shared (for Node's threads): Chromium withholds
    // SharedArrayBuffer from pages that are not cross-origin isolated.
    const gbdt = await trainOn(plain, { csv: CSV, models: ALL });
    expect(gbdt).toMatchObject({
      ok: false,
      name: 'ReferenceError',
      message: 'SharedArrayBuffer is not defined',
    });
  }, 240_000);
});
