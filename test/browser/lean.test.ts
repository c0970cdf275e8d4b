/** The lean engine in real Chromium: WASM and plain-JS kernels equal onnxruntime-web bit for bit on every case. */
import type { Browser } from 'playwright-core';
import { createServer, defaultClientConditions, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, ROOT, skipWithoutChromium, watchPage } from './chromium.js';
import type { ParityResult } from './lean-api.js';

const skip = skipWithoutChromium('test/browser/lean.test.ts');
const PAGE = 'test/browser/pages/lean.html';

describe.skipIf(skip)('lean engine parity in Chromium', () => {
  let server: ViteDevServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await createServer({
      configFile: false,
      root: ROOT,
      logLevel: 'warn',
      clearScreen: false,
      cacheDir: 'node_modules/.vite-browser-tests',
      resolve: { conditions: ['source', ...defaultClientConditions] },
      optimizeDeps: { entries: [PAGE], exclude: ['onnxruntime-web'] },
      server: { host: '127.0.0.1', port: 0, hmr: false, watch: null },
    });
    await server.listen();
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('every exported and foreign model: lean (WASM and JS) gives ORT’s exact bits', async () => {
    const page = await browser.newPage();
    const watch = watchPage(page);
    await page.goto(`${server.resolvedUrls!.local[0]}${PAGE}`);
    await page.locator('#state', { hasText: 'ready' }).waitFor({ timeout: 60_000 });
    const results = await page.evaluate(() =>
      (globalThis as unknown as { leanParity: () => Promise<ParityResult[]> }).leanParity(),
    );
    expect(results.length).toBeGreaterThanOrEqual(10);
    for (const r of results) expect(r, r.name).toMatchObject({ engine: 'lean', wasm: -1, js: -1 });
    expect(watch.errors).toEqual([]);
  });
});
