/**
 * End to end: the demo page as `vite build` ships it, served by `vite preview`, in real Chromium — it forecasts
 * the bundled sample on open (lean engine, no onnxruntime-web fetched, bytes before the first forecast
 * measured), and a CSV uploaded through its file input is read, forecast and tested for drift, all on the
 * page's own origin.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { resolveConfig } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeModelIndex } from '../../scripts/vite-demo-checkpoint.js';
import { buildFleetFixture, type FleetFixture } from '../edge/fleet-fixture.js';
import {
  ARTIFACTS,
  freePort,
  launchChromium,
  type PageWatch,
  ROOT,
  skipWithoutChromium,
  watchPage,
} from './chromium.js';

const skip = skipWithoutChromium('test/browser/demo.test.ts');
const VITE = join(ROOT, 'node_modules/vite/bin/vite.js');
const UPLOADED = 'net-load-upload.csv';
/** The ensemble's line colour in the chart (src/worker/demo/chart.ts), as RGB. */
const ENSEMBLE_RGB = [0, 114, 178] as const;

/** Bytes-before-first-forecast ceiling with the lean engine (gzip, every response the page and its workers got). */
const FIRST_FORECAST_BUDGET = 300_000;

/** The chart's canvas: its size, painted pixels and pixels in the ensemble's colour. */
function chartPixels(page: Page) {
  return page.$eval(
    '[data-testid="chart"] canvas',
    (canvas, rgb) => {
      const ctx = canvas.getContext('2d');
      const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
      let ensemble = 0;
      let painted = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3] > 0) painted++;
        const near = [0, 1, 2].every((k) => Math.abs(data[i + k] - rgb[k]) <= 24);
        if (near && data[i + 3] > 200) ensemble++;
      }
      return { width: canvas.width, height: canvas.height, painted, ensemble };
    },
    ENSEMBLE_RGB,
  );
}

/** Runs Vite's CLI to completion; rejects with its output when it fails. */
function vite(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [VITE, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    child.once('exit', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`vite ${args.join(' ')} exited ${code}:\n${output}`)),
    );
  });
}

/** `vite preview` on 127.0.0.1:`port` as a child process (node itself, no npx wrapper), stopped by its pid. */
async function preview(
  port: number,
): Promise<{ url: string; child: ChildProcess; stop: () => Promise<void> }> {
  const child = spawn(
    process.execPath,
    [VITE, 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort'],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout!.on('data', (d) => {
    output += d;
  });
  child.stderr!.on('data', (d) => {
    output += d;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`vite preview exited ${child.exitCode}:\n${output}`);
    try {
      if ((await fetch(url)).ok) return { url, child, stop };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`vite preview did not answer ${url} within 60 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe.skipIf(skip)('the built demo page in Chromium', () => {
  let outDir: string;
  let server: Awaited<ReturnType<typeof preview>>;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let watch: PageWatch;
  let blocked: string[];
  let fleet: FleetFixture;

  beforeAll(async () => {
    const config = await resolveConfig(
      { configFile: join(ROOT, 'vite.config.ts'), logLevel: 'silent' },
      'build',
    );
    outDir = config.build.outDir;
    await vite(['build']);
    // A fleet beside the demo's checkpoint (what `?checkpoints=demo/fleet` opens), with its model index.
    fleet = await buildFleetFixture(3);
    const fleetRoot = join(outDir, 'demo/fleet');
    for (const [key, base64] of Object.entries(fleet.files)) {
      await mkdir(dirname(join(fleetRoot, key)), { recursive: true });
      await writeFile(join(fleetRoot, key), Buffer.from(base64, 'base64'));
    }
    await writeModelIndex(fleetRoot);
    server = await preview(await freePort());
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    // Offline: anything not asked of the page's own origin fails (and is reported by the test).
    const origin = new URL(server.url).origin;
    blocked = [];
    await context.route(
      (url) => !['http:', 'https:'].includes(url.protocol) || url.origin !== origin,
      (route) => {
        const url = route.request().url();
        if (url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
        blocked.push(url);
        return route.abort('blockedbyclient');
      },
    );
    page = await context.newPage();
    watch = watchPage(page);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (fleet) await rm(fleet.dir, { recursive: true, force: true });
  });

  it('forecasts the bundled sample on open without any click, within 300 KB gzip and without ORT', async () => {
    const responses: Response[] = [];
    const onResponse = (r: Response) => responses.push(r);
    context.on('response', onResponse);
    await page.goto(server.url);
    // No click, no file: the chart and the drift panel appear by themselves.
    await page.locator('[data-testid="chart"][data-state="ready"]').waitFor({ timeout: 90_000 });
    const beforeForecast = [...responses];
    await page.locator('[data-testid="drift-panel"][data-state="ready"]').waitFor({ timeout: 90_000 });
    context.off('response', onResponse);

    const chart = await chartPixels(page);
    expect(chart.painted).toBeGreaterThan(1000);
    expect(chart.ensemble).toBeGreaterThan(100);
    await expect(page.getByTestId('data-summary').textContent()).resolves.toContain('sample.csv: ');
    await expect(page.getByTestId('model-info').textContent()).resolves.toBeTruthy();

    // Bytes transferred before the first forecast, as gzip (what a compressing server sends).
    const sizes = await Promise.all(
      beforeForecast.map(async (r) => {
        const body = await r.body().catch(() => Buffer.alloc(0));
        return { path: new URL(r.url()).pathname, bytes: body.length, gzip: gzipSync(body).length };
      }),
    );
    const total = sizes.reduce((a, s) => a + s.gzip, 0);
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(
      join(ARTIFACTS, 'demo-first-forecast-bytes.json'),
      JSON.stringify({ total, sizes }, null, 2),
    );
    console.log(`demo: ${total} bytes gzip (${sizes.length} responses) before the first forecast`);
    expect(total).toBeLessThanOrEqual(FIRST_FORECAST_BUDGET);
    const paths = sizes.map((s) => s.path);
    expect(paths.some((p) => /lean-[\w-]+\.wasm$/.test(p))).toBe(true);
    expect(paths.filter((p) => /ort-|duckdb/.test(p))).toEqual([]);
    expect(watch.errors).toEqual([]);
  });

  it('forecasts an uploaded CSV: chart, table and drift verdict, offline and without errors', async () => {
    await page.goto(server.url);
    await page.locator('[data-testid="model-info"][data-state="loaded"]').waitFor({ timeout: 60_000 });
    const csv = readFileSync(join(outDir, 'demo/sample.csv'));
    await page.getByTestId('csv-input').setInputFiles({ name: UPLOADED, mimeType: 'text/csv', buffer: csv });
    // The upload replaces the sample the page forecast on open.
    await page.getByTestId('data-summary').filter({ hasText: UPLOADED }).waitFor({ timeout: 90_000 });

    await page.locator('[data-testid="chart"][data-state="ready"]').waitFor({ timeout: 90_000 });
    // Inside a closed <details> (the chart's text alternative): attached, not visible, until opened.
    await page
      .locator('[data-testid="forecast-table"][data-state="ready"]')
      .waitFor({ state: 'attached', timeout: 30_000 });
    await page.locator('[data-testid="drift-panel"][data-state="ready"]').waitFor({ timeout: 90_000 });
    await page
      .getByTestId('forecast-table')
      .locator('xpath=ancestor::details')
      .evaluate((d) => {
        d.open = true;
      });

    const rows = csv.toString('utf8').trim().split('\n').length - 1;
    await expect(page.getByTestId('data-summary').textContent()).resolves.toContain(
      `${UPLOADED}: ${rows} rows`,
    );
    expect(await page.getByTestId('alert').isHidden()).toBe(true);

    // The chart: a uPlot canvas of real size with the ensemble's forecast line drawn on it.
    const chart = await chartPixels(page);
    expect(chart.width).toBeGreaterThan(300);
    expect(chart.height).toBeGreaterThan(200);
    expect(chart.painted).toBeGreaterThan(1000);
    expect(chart.ensemble).toBeGreaterThan(100);

    // The table: one row per forecast step (the demo's horizon is one day of 30-min steps), numbers in every cell.
    const table = await page.getByTestId('forecast-table').evaluate((t) => ({
      caption: t.caption?.textContent ?? '',
      head: [...t.tHead.rows[0].cells].map((c) => c.textContent),
      rows: [...t.tBodies[0].rows].map((r) => [...r.cells].map((c) => c.textContent)),
    }));
    expect(table.caption).toMatch(/forecast from .*: 48 steps/);
    expect(table.head).toEqual(expect.arrayContaining(['time', 'ensemble']));
    expect(table.rows).toHaveLength(48);
    const ensembleColumn = table.head.indexOf('ensemble');
    for (const row of table.rows)
      expect(Number.parseFloat(row[ensembleColumn].replace(/[^\d.-]/g, ''))).not.toBeNaN();

    // The drift panel: a dataset verdict and one row per tested column.
    const drift = await page.getByTestId('drift-panel').evaluate((panel) => ({
      verdict: panel.querySelector('#drift-verdict')?.textContent ?? '',
      datasetDrift: panel.dataset.datasetDrift,
      columns: [...panel.querySelectorAll('tbody tr')].map((tr) => [tr.dataset.column, tr.dataset.drifted]),
    }));
    expect(drift.verdict).toMatch(/^(Dataset drift detected|No dataset drift): \d+ of \d+ columns drifted/);
    expect(['true', 'false']).toContain(drift.datasetDrift);
    expect(drift.columns.map(([c]) => c)).toEqual(expect.arrayContaining(['net_load']));

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'demo.png'), fullPage: true });

    expect(watch.errors).toEqual([]);
    expect(watch.failures).toEqual([]);
    expect(blocked).toEqual([]);
    const origin = new URL(server.url).origin;
    expect(watch.requests.filter((u) => !u.startsWith(`${origin}/`) && !/^(data|blob):/.test(u))).toEqual([]);
    const paths = watch.requests.map((u) => new URL(u).pathname);
    expect(paths).toContain('/demo/checkpoints/net-load/_checkpoint_manifest.json');
    // Every model of the demo checkpoint runs on the lean engine: onnxruntime-web is never fetched.
    expect(paths.filter((p) => /\/assets\/ort-/.test(p))).toEqual([]);
  });
  it('offers a series picker for a fleet: picking a series loads it and redraws the chart with its forecast', async () => {
    const fleetPage = await context.newPage();
    const fleetWatch = watchPage(fleetPage);
    await fleetPage.goto(`${server.url}?checkpoints=demo/fleet`);
    await fleetPage.locator('[data-testid="model-info"][data-state="loaded"]').waitFor({ timeout: 60_000 });
    const picker = fleetPage.getByTestId('series-select');
    await picker.waitFor({ state: 'visible', timeout: 30_000 });
    expect(await picker.locator('option').allTextContents()).toEqual(fleet.names);
    expect(await picker.inputValue()).toBe(fleet.names[0]);
    await expect(fleetPage.getByTestId('model-info').textContent()).resolves.toContain(fleet.names[0]);

    const csv = readFileSync(join(outDir, 'demo/sample.csv'));
    await fleetPage
      .getByTestId('csv-input')
      .setInputFiles({ name: UPLOADED, mimeType: 'text/csv', buffer: csv });
    const ready = '[data-testid="forecast-table"][data-state="ready"]';
    await fleetPage.locator('[data-testid="chart"][data-state="ready"]').waitFor({ timeout: 90_000 });
    await fleetPage.locator(ready).waitFor({ state: 'attached', timeout: 30_000 });
    const cells = () =>
      fleetPage
        .getByTestId('forecast-table')
        .evaluate((t) => [...t.tBodies[0].rows].map((r) => r.textContent));
    const first = await cells();
    expect(first).toHaveLength(48);

    await picker.selectOption(fleet.names[1]!);
    await expect
      .poll(() => fleetPage.getByTestId('model-info').textContent(), { timeout: 60_000 })
      .toContain(fleet.names[1]);
    await expect.poll(cells, { timeout: 60_000 }).not.toEqual(first);
    await fleetPage.locator('[data-testid="chart"][data-state="ready"]').waitFor({ timeout: 60_000 });
    const painted = await fleetPage.$eval('[data-testid="chart"] canvas', (canvas) => {
      const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      let n = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
      return n;
    });
    expect(painted).toBeGreaterThan(1000);
    expect(await fleetPage.getByTestId('alert').isHidden()).toBe(true);
    const paths = fleetWatch.requests.map((u) => new URL(u).pathname);
    expect(paths).toContain('/demo/fleet/_models.json');
    expect(paths).toContain(`/demo/fleet/${fleet.names[1]}/_checkpoint_manifest.json`);
    mkdirSync(ARTIFACTS, { recursive: true });
    await fleetPage.screenshot({ path: join(ARTIFACTS, 'demo-fleet.png'), fullPage: true });
    expect(fleetWatch.errors).toEqual([]);
    expect(fleetWatch.failures).toEqual([]);
    expect(blocked).toEqual([]);
    await fleetPage.close();
  });
});
