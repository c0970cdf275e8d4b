/** Screenshot test: the drift and performance reports render their charts in real Chromium, offline. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initNodeDriftWasm } from '../../src/node/drift-wasm.js';
import { computeMetrics, ForecastMonitor } from '../../src/runtime/index.js';
import { ARTIFACTS, launchChromium, skipWithoutChromium } from './chromium.js';

const ETTH1 = fileURLToPath(new URL('../../../shared/data/ETTh1.csv', import.meta.url));
const skip = skipWithoutChromium('test/browser/reports.test.ts');

const HOURS_PER_YEAR = 8760;
const [header, ...lines] = readFileSync(ETTH1, 'utf8').trim().split('\n');
const names = header!.split(',');
const table = lines.map((l) => l.split(','));
const column = (name: string, start: number, end: number) =>
  table.slice(start, end).map((r) => Number(r[names.indexOf(name)]));
const features = names.slice(1);

/** ETTh1 rows as records, plus a categorical weekend flag so both chart kinds are drawn. */
function records(start: number, end: number): Record<string, number | string>[] {
  return table.slice(start, end).map((r) => {
    const row: Record<string, number | string> = { date: r[0]! };
    features.forEach((f, j) => {
      row[f] = Number(r[j + 1]);
    });
    const day = new Date(`${r[0]!.replace(' ', 'T')}Z`).getUTCDay();
    row['weekend'] = day === 0 || day === 6 ? 1 : 0;
    return row;
  });
}

/** OT against the seasonal-naive (previous day) forecast, from row `start` for `n` rows. */
function naive(start: number, n: number) {
  const actual = column('OT', start, start + n);
  const predicted = column('OT', start - 24, start - 24 + n);
  const time = table.slice(start, start + n).map((r) => r[0]!);
  return {
    actual,
    predicted,
    rows: time.map((date, i) => ({ date, OT: actual[i]!, seasonal_naive_1D: predicted[i]! })),
  };
}

/** Both reports as files in test-artifacts/. */
async function writeReports(): Promise<{ drift: string; performance: string }> {
  await initNodeDriftWasm();
  mkdirSync(ARTIFACTS, { recursive: true });
  const html: Record<string, string> = {};
  const sink = {
    writeReport: async (name: string, text: string) => {
      html[name.split('_')[0]!] = text;
      return name;
    },
  };
  const validation = naive(24 * 300, 24 * 60);
  const { n: _, ...reference } = computeMetrics(validation.actual, validation.predicted);
  const monitor = new ForecastMonitor({ referencePerformance: { seasonal_naive_1D: reference } }, sink);
  monitor.setReference(records(0, HOURS_PER_YEAR));
  await monitor.runDataDrift(records(HOURS_PER_YEAR, table.length));
  await monitor.runPerformance(naive(HOURS_PER_YEAR, 24 * 56).rows, {
    target: 'OT',
    prediction: 'seasonal_naive_1D',
    timestamp: 'date',
  });
  const drift = join(ARTIFACTS, 'drift-report.html');
  const performance = join(ARTIFACTS, 'performance-report.html');
  writeFileSync(drift, html['data']!);
  writeFileSync(performance, html['performance']!);
  return { drift, performance };
}

interface Rendered {
  charts: { id: string; width: number; height: number; marks: number }[];
  requests: string[];
  errors: string[];
}

/** Opens `file` with every other request failed, screenshots it, and measures each chart. */
async function render(browser: Browser, file: string, screenshot: string): Promise<Rendered> {
  const url = pathToFileURL(file).href;
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.route('**', (route) => {
    requests.push(route.request().url());
    return route.request().url() === url ? route.continue() : route.abort('blockedbyclient');
  });
  await page.goto(url, { waitUntil: 'load' });
  await page.screenshot({ path: join(ARTIFACTS, screenshot), fullPage: true });
  const charts = await page.$$eval('svg[role="img"]', (svgs) =>
    svgs.map((s) => {
      const box = s.getBoundingClientRect();
      const marks = [...s.querySelectorAll('.bars rect, path')].filter((m) => {
        const b = m.getBoundingClientRect();
        return b.width > 0 && b.height > 0;
      }).length;
      return { id: s.id, width: box.width, height: box.height, marks };
    }),
  );
  await context.close();
  return { charts, requests, errors };
}

describe.skipIf(skip)('reports in Chromium', () => {
  let browser: Browser;
  let files: { drift: string; performance: string };

  beforeAll(async () => {
    files = await writeReports();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('the drift report draws one distribution chart per feature, offline and without errors', async () => {
    const r = await render(browser, files.drift, 'drift-report.png');
    expect(r.errors).toEqual([]);
    expect(r.requests).toEqual([pathToFileURL(files.drift).href]);
    expect(r.charts).toHaveLength(features.length + 1);
    for (const chart of r.charts) {
      expect(chart.width).toBeGreaterThan(100);
      expect(chart.height).toBeGreaterThan(50);
      expect(chart.marks).toBeGreaterThan(2);
    }
  });

  it('the performance report draws actual vs predicted and the error histogram', async () => {
    const r = await render(browser, files.performance, 'performance-report.png');
    expect(r.errors).toEqual([]);
    expect(r.requests).toEqual([pathToFileURL(files.performance).href]);
    expect(r.charts.map((c) => c.id)).toEqual(['actual-vs-predicted', 'error-distribution']);
    for (const chart of r.charts) {
      expect(chart.width).toBeGreaterThan(100);
      expect(chart.marks).toBeGreaterThanOrEqual(2);
    }
    expect(existsSync(join(ARTIFACTS, 'performance-report.png'))).toBe(true);
  });
});
