/**
 * The two load engines agree: every file read by the JS path (d3-dsv + loops) gives the frame, report
 * and error duckdb gives for it (`engine: 'duckdb'` forces the other path) — on generated CSVs with
 * every repair (disorder, duplicates under each policy, gaps under each policy, invalid cells, several
 * time formats), on the loader fuzz's hostile files, on panels (long and melted) and on the real files.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { closeDuckDB, type LoadOptions, loadData, loadPanel } from '../../../src/node/data/index.js';
import { CHUNK } from '../../../src/node/data/js-read.js';
import { DataError } from '../../../src/runtime/errors.js';
import { hostileFile } from '../../fuzz/files.js';
import { SHARED_DATA, tempFiles } from './fixtures.js';

const files = tempFiles();
afterAll(async () => {
  await closeDuckDB();
  files.cleanup();
});

type Outcome =
  | { ok: true; time: number[]; columns: Record<string, number[]>; report: object }
  | { ok: false; error: string };

async function outcome(path: string, options: LoadOptions): Promise<{ engine?: string; o: Outcome }> {
  try {
    const { frame, report } = await loadData(path, options);
    const { elapsedMs: _e, engine, ...rest } = report;
    const columns = Object.fromEntries(Object.entries(frame.columns).map(([k, v]) => [k, Array.from(v)]));
    return { engine, o: { ok: true, time: Array.from(frame.time), columns, report: rest } };
  } catch (error) {
    if (!(error instanceof DataError)) throw error;
    // duckdb's messages name its scratch file, numbered per load.
    const message = error.message.replace(/twiga_load_\d+/g, 'twiga_load_N');
    return { o: { ok: false, error: `${error.code}: ${message}` } };
  }
}

const HOUR = 3_600_000;
const T0 = Date.UTC(2024, 0, 28);
const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const FORMATS: Record<string, (ms: number) => string> = {
  iso: (ms) => new Date(ms).toISOString().slice(0, 16).replace('T', ' '),
  isoT: (ms) => new Date(ms).toISOString().slice(0, 19),
  dayFirst: (ms) => {
    const d = new Date(ms);
    return `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${pad(d.getUTCHours())}:00`;
  },
  epochS: (ms) => String(ms / 1000),
  fraction: (ms) => `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')}.250`,
};

/** A well-formed CSV with repairs to make: hours drawn with repeats and holes, shuffled; some bad cells. */
const repairCase = fc.record({
  hours: fc.array(fc.integer({ min: 0, max: 60 }), { minLength: 1, maxLength: 80 }),
  shuffle: fc.boolean(),
  format: fc.constantFrom(...Object.keys(FORMATS)),
  cells: fc.array(
    fc.oneof(
      { weight: 8, arbitrary: fc.double({ min: -1e4, max: 1e4, noNaN: true }).map(String) },
      {
        weight: 1,
        arbitrary: fc.constantFrom('', 'NA', 'nan', 'inf', '1e400', '-', 'x1', '1_0', '+3', '.5'),
      },
    ),
    { minLength: 80, maxLength: 80 },
  ),
  duplicates: fc.constantFrom('mean', 'first', 'last', 'error') as fc.Arbitrary<LoadOptions['duplicates']>,
  gaps: fc.constantFrom('interpolate', 'keep', 'error') as fc.Arbitrary<LoadOptions['gaps']>,
  period: fc.constantFrom(undefined, '1h', '2h'),
});

let counter = 0;
describe('the JS and duckdb engines give the same loads and errors', () => {
  it('on generated CSVs with every repair', async () => {
    const engines: Record<string, number> = {};
    await fc.assert(
      fc.asyncProperty(repairCase, async (c) => {
        const hours = c.shuffle ? [...c.hours].reverse() : [...c.hours].sort((a, b) => a - b);
        const lines = [
          'timestamp,value,other',
          ...hours.map((h, i) => `${FORMATS[c.format]!(T0 + h * HOUR)},${c.cells[i]},${i}`),
        ];
        const path = files.file(`gen-${++counter}.csv`, `${lines.join('\n')}\n`);
        const options: LoadOptions = {
          timeColumn: 'timestamp',
          columns: ['value', 'other'],
          duplicates: c.duplicates,
          gaps: c.gaps,
          ...(c.period ? { period: c.period } : {}),
        };
        const auto = await outcome(path, options);
        const duck = await outcome(path, { ...options, engine: 'duckdb' });
        engines[auto.engine ?? 'error'] = (engines[auto.engine ?? 'error'] ?? 0) + 1;
        expect(auto.o, path).toEqual(duck.o);
      }),
      { numRuns: 120, seed: 7 },
    );
    console.log(`generated CSVs by engine: ${JSON.stringify(engines)}`);
    // Both sides are reached: files the JS path decides, and files it hands over.
    expect(engines['js']).toBeGreaterThan(20);
    expect((engines['duckdb'] ?? 0) + (engines['error'] ?? 0)).toBeGreaterThan(5);
  }, 600_000);

  it("on the loader fuzz's hostile files", async () => {
    await fc.assert(
      fc.asyncProperty(hostileFile, async (c) => {
        const path = files.file(`hostile-${++counter}${c.ext}`, c.bytes);
        const options: LoadOptions = { timeColumn: 'timestamp', columns: ['value'] };
        const auto = await outcome(path, options);
        expect(auto.o, c.what).toEqual((await outcome(path, { ...options, engine: 'duckdb' })).o);
      }),
      { numRuns: 80, seed: 11 },
    );
  }, 600_000);

  it('on panels, long and melted, with per-series repairs', async () => {
    const rows = ['id,time,y,t'];
    for (const id of ['b', 'a', 'c']) {
      for (let h = 0; h < 30; h++) {
        if (id === 'a' && h === 7) continue; // a gap
        rows.push(`${id},${FORMATS['iso']!(T0 + h * HOUR)},${id === 'c' && h === 3 ? 'NA' : h * 1.5},${h}`);
      }
    }
    rows.push(`b,${FORMATS['iso']!(T0 + 2 * HOUR)},99,2`); // a duplicate
    const path = files.file('panel.csv', rows.join('\n'));
    const long = { idColumn: 'id', timeColumn: 'time', columns: ['y', 't'], minRows: 10 };
    const strip = (r: Awaited<ReturnType<typeof loadPanel>>) => ({
      ids: r.series.map((s) => s.id),
      frames: r.series.map((s) => [Array.from(s.frame.time), Array.from(s.frame.columns['y']!)]),
      reports: Object.values(r.report.series).map(({ elapsedMs: _e, engine: _n, ...rest }) => rest),
    });
    const js = await loadPanel(path, long);
    expect(Object.values(js.report.series).map((r) => r.engine)).toEqual(['js', 'js', 'js']);
    expect(strip(js)).toEqual(strip(await loadPanel(path, { ...long, engine: 'duckdb' })));
    expect(js.report.series['a']!.gaps.count).toBe(1);
    expect(js.report.series['b']!.duplicates.count).toBe(1);

    const wide = files.file(
      'wide.csv',
      [
        'time,u,v,t',
        ...Array.from({ length: 20 }, (_, h) => `${FORMATS['iso']!(T0 + h * HOUR)},${h},${-h},${h % 3}`),
      ].join('\n'),
    );
    const melt = { idColumn: 'series', timeColumn: 'time', columns: ['y', 't'], melt: ['v', 'u'] };
    const melted = await loadPanel(wide, melt);
    expect(melted.series.map((s) => s.id)).toEqual(['u', 'v']);
    expect(strip(melted)).toEqual(strip(await loadPanel(wide, { ...melt, engine: 'duckdb' })));
  }, 120_000);

  it('on a panel file of several read blocks (lines cut across blocks, CRLF, per-series repairs)', async () => {
    const rows = ['id,time,y,t'];
    for (let k = 0; k < 60; k++) {
      const id = `s-${String(k).padStart(2, '0')}`;
      const hours = Array.from({ length: 2500 }, (_, h) => h).filter((h) => !(k === 7 && h === 1500));
      if (k === 3) hours.reverse(); // one series out of order
      for (const h of hours) {
        const y = k === 11 && h === 2000 ? 'NA' : ((k * 7919 + h * 104729) % 100_000) / 100;
        rows.push(`${id},${FORMATS['iso']!(T0 + h * HOUR)},${y},${h % 24}`);
      }
      if (k === 5) rows.push(`${id},${FORMATS['iso']!(T0 + 100 * HOUR)},1.5,4`); // a duplicate
    }
    const path = files.file('panel-big.csv', `${rows.join('\r\n')}\r\n`);
    expect(statSync(path).size).toBeGreaterThan(CHUNK);
    const long = { idColumn: 'id', timeColumn: 'time', columns: ['y', 't'] };
    const strip = (r: Awaited<ReturnType<typeof loadPanel>>) => ({
      ids: r.series.map((s) => s.id),
      frames: r.series.map((s) => [Array.from(s.frame.time), Array.from(s.frame.columns['y']!)]),
      reports: Object.values(r.report.series).map(({ elapsedMs: _e, engine: _n, ...rest }) => rest),
    });
    const js = await loadPanel(path, long);
    expect(new Set(Object.values(js.report.series).map((r) => r.engine))).toEqual(new Set(['js']));
    expect(js.report.rowsRead).toBe(rows.length - 1);
    expect(js.report.series['s-07']!.gaps.count).toBe(1);
    expect(js.report.series['s-05']!.duplicates.count).toBe(1);
    expect(js.report.series['s-03']!.sorted).toBe(true);
    expect(js.report.series['s-11']!.invalidValues['y']).toBe(1);
    expect(js.report.series['s-11']!.actions.join('\n')).toContain('"NA"');
    expect(strip(js)).toEqual(strip(await loadPanel(path, { ...long, engine: 'duckdb' })));
  }, 300_000);

  it('on a missing column: the same error, naming the available columns', async () => {
    const path = files.file('plain.csv', 'timestamp,value\n2024-01-01 00:00,1\n2024-01-01 01:00,2\n');
    for (const options of [
      { timeColumn: 'timestamp', columns: ['nope'] },
      { timeColumn: 'time', columns: ['value'] },
    ]) {
      const auto = await outcome(path, options);
      expect(auto.o).toEqual((await outcome(path, { ...options, engine: 'duckdb' })).o);
      expect(auto.o.ok ? '' : auto.o.error).toContain('available columns: "timestamp", "value"');
    }
  });

  it.each([
    ['ETTh1.csv', { timeColumn: 'date', columns: ['OT', 'HUFL'] }],
    ['PJME_hourly.csv', { timeColumn: 'Datetime', columns: ['PJME_MW'] }],
  ])(
    'on %s',
    async (name, options) => {
      const path = join(SHARED_DATA, name);
      const auto = await outcome(path, options);
      expect(auto.engine).toBe('js');
      expect(auto.o).toEqual((await outcome(path, { ...options, engine: 'duckdb' })).o);
    },
    120_000,
  );
});
