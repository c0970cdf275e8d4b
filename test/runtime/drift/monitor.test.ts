/** ForecastMonitor: references from rows, columns or a checkpoint, drift and performance summaries, sinks, safe HTML. */
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeDriftWasm } from '../../../src/node/drift-wasm.js';
import {
  buildDriftReference,
  ConfigError,
  computeMetrics,
  DataError,
  DriftSummarySchema,
  decodeReference,
  ForecastMonitor,
  mulberry32,
  PerformanceSummarySchema,
  TwigaError,
} from '../../../src/runtime/index.js';

const random = mulberry32(11);
const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
const series = (n: number, shift = 0) => Array.from({ length: n }, () => normal() + shift);
const hours = (n: number, start = Date.UTC(2024, 0, 1)) =>
  Array.from({ length: n }, (_, i) => new Date(start + i * 3_600_000).toISOString().slice(0, 16));

/** Records with a timestamp string, a numeric column and a 0/1 flag. */
function rows(n: number, shift = 0) {
  const t = hours(n);
  const x = series(n, shift);
  return t.map((timestamp, i) => ({ timestamp, load: x[i]!, flag: i % 7 < 5 ? 0 : 1 }));
}

/** A sink that keeps what it was given. */
function memorySink() {
  const written: { name: string; html: string }[] = [];
  return {
    written,
    writeReport: async (name: string, html: string) => {
      written.push({ name, html });
      return `/reports/${name}`;
    },
  };
}

const EXTERNAL = [/https?:\/\//i, /<script/i, /\bsrc\s*=/i, /url\(/i, /@import/i, /<link/i, /<iframe/i];
function expectSelfContained(html: string): void {
  for (const pattern of EXTERNAL) expect(html).not.toMatch(pattern);
  expect(html).toMatch(/^<!doctype html>/);
  expect(html).toContain("default-src 'none'");
}

/** Actual and prediction with a chosen mean absolute error (errors alternate ±mae). */
function predictions(n: number, mae: number) {
  const t = hours(n);
  return t.map((timestamp, i) => {
    const actual = 10 + 3 * Math.sin((2 * Math.PI * i) / 24);
    return { timestamp, actual, linear: actual + (i % 2 === 0 ? mae : -mae) };
  });
}

/** Validation metrics as a checkpoint stores them: linear with MAE 1, the ensemble with MAE 1.1. */
function validationMetrics(mae: number) {
  const p = predictions(96, mae);
  const { n: _, ...m } = computeMetrics(
    p.map((r) => r.actual),
    p.map((r) => r.linear),
  );
  return m;
}
const REFERENCE_PERFORMANCE = {
  linear: validationMetrics(1),
  ensemble: { ...validationMetrics(1.1), nbias: null },
};

beforeAll(async () => {
  await initNodeDriftWasm();
});

describe('ForecastMonitor.runDataDrift', () => {
  it('takes a reference from records, skips non-numeric columns, and flags a shifted column', async () => {
    const monitor = new ForecastMonitor({ now: () => new Date('2024-06-01T00:00:00Z') });
    monitor.setReference(rows(600));
    expect(monitor.referenceColumns).toEqual(['load', 'flag']);
    const [html, summary] = await monitor.runDataDrift(rows(400, 1));
    expect(DriftSummarySchema.parse(summary)).toEqual(summary);
    expect(summary.columns.load).toMatchObject({ method: 'ks', drifted: true, n_reference: 600 });
    expect(summary.columns.flag).toMatchObject({ method: 'z', kind: 'categorical', drifted: false });
    expect(summary).toMatchObject({ n_drifted: 1, total: 2, dataset_drift: true, report_path: null });
    expect(summary.timestamp).toBe('2024-06-01T00:00:00.000Z');
    expect(html).toContain('Data drift report');
    expect(html.match(/<svg /g)).toHaveLength(2);
    expectSelfContained(html);
  });

  it('accepts columns and a checkpoint DriftReference, tests only the columns asked for, and honours options', async () => {
    const columns = { load: Float64Array.from(series(3000)), other: series(3000) };
    const fromColumns = new ForecastMonitor({ driftShare: 1 }).setReference(columns);
    const [, a] = await fromColumns.runDataDrift({ load: series(500, 0.5), other: series(500) });
    expect(a.columns.load).toMatchObject({ method: 'wasserstein', drifted: true });
    expect(a.dataset_drift).toBe(false); // 1 of 2 < driftShare 1

    const sample = buildDriftReference(columns, { maxSamples: 800 });
    const fromSample = new ForecastMonitor({ method: 'psi', threshold: 0.5 }).setReference(sample);
    const [, b] = await fromSample.runDataDrift({ load: series(500, 0.5) }, ['load']);
    expect(Object.keys(b.columns)).toEqual(['load']);
    expect(b.columns.load).toMatchObject({ method: 'psi', threshold: 0.5, n_reference: 800 });
  });

  it('writes the report through the sink and fills report_path', async () => {
    const sink = memorySink();
    const monitor = new ForecastMonitor({ now: () => new Date('2024-06-01T12:30:00.250Z') }, sink);
    const [html, summary] = await monitor.setReference(rows(300)).runDataDrift(rows(300));
    expect(sink.written).toEqual([{ name: 'data_drift_2024-06-01T12-30-00-250Z.html', html }]);
    expect(summary.report_path).toBe('/reports/data_drift_2024-06-01T12-30-00-250Z.html');
    expect(summary.n_drifted).toBe(0);
  });

  it('escapes column names in the HTML (headings, tables, SVG titles)', async () => {
    const name = '<b>&"x';
    const monitor = new ForecastMonitor().setReference({ [name]: series(200) });
    const [html, summary] = await monitor.runDataDrift({ [name]: series(200, 2) });
    expect(summary.columns[name]!.drifted).toBe(true);
    expect(html).not.toContain(name);
    expect(html).not.toContain('<b>');
    expect(html).toContain('&lt;b&gt;&amp;&quot;x');
    expect(html).toMatch(/<title id="col-0-chart-title">Distribution of &lt;b&gt;&amp;&quot;x/);
    expectSelfContained(html);
  });

  it('names what is wrong: no reference, a missing column, a bad value, an unknown option', async () => {
    await expect(new ForecastMonitor().runDataDrift(rows(10))).rejects.toThrow(/setReference/);
    const monitor = new ForecastMonitor().setReference(rows(50));
    await expect(monitor.runDataDrift([{ load: 1 }])).rejects.toThrow(/current data has no column "flag"/);
    const bad = rows(20).map((r, i) => (i === 3 ? { ...r, load: 'n/a' } : r));
    const error = await monitor.runDataDrift(bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect((error as Error).message).toMatch(/\[3\]\.load is not a number or null \(got "n\/a"\)/);
    await expect(monitor.runDataDrift('oops' as never)).rejects.toThrow(ConfigError);
    await expect(monitor.runDataDrift(rows(20), ['nope'])).rejects.toThrow(/no column "nope"/);
    expect(() => new ForecastMonitor({ drift_share: 0.3 } as never)).toThrow(/drift_share/);
    expect(() => new ForecastMonitor({ driftShare: 2 })).toThrow(/driftShare/);
  });
});

describe('ForecastMonitor.runPerformance', () => {
  it('computes twiga metrics and compares them with the reference model of the prediction column', async () => {
    const monitor = new ForecastMonitor({ referencePerformance: REFERENCE_PERFORMANCE });
    const within = await monitor.runPerformance(predictions(96, 1.05), {
      target: 'actual',
      prediction: 'linear',
    });
    expect(PerformanceSummarySchema.parse(within)).toEqual(within);
    expect(within.mae).toBeCloseTo(1.05, 12);
    expect(within.n).toBe(96);
    expect(within.reference).toMatchObject({ model: 'linear', mae: 1 });
    expect(within).toMatchObject({ degraded: false, degraded_metrics: [], report_path: null });

    const worse = await monitor.runPerformance(predictions(96, 1.2), {
      target: 'actual',
      prediction: 'linear',
    });
    expect(worse.degraded).toBe(true);
    expect(worse.degraded_metrics).toEqual(expect.arrayContaining(['mae', 'rmse', 'wmape', 'smape']));
    expect(worse.degraded_metrics).not.toContain('nbias');
  });

  it('applies the tolerance, the corr direction, and picks the reference model', async () => {
    const strict = new ForecastMonitor({
      referencePerformance: REFERENCE_PERFORMANCE,
      degradationTolerance: 0,
    });
    const r = await strict.runPerformance(predictions(96, 1.05), { target: 'actual', prediction: 'linear' });
    expect(r.degraded_metrics).toContain('mae');
    // Against `ensemble` (mae 1.1) the same forecast is better, not degraded.
    const e = await strict.runPerformance(predictions(96, 1.05), {
      target: 'actual',
      prediction: 'linear',
      model: 'ensemble',
    });
    expect(e.reference?.model).toBe('ensemble');
    expect(e.degraded_metrics).not.toContain('mae');
    // A forecast uncorrelated with the actuals degrades corr.
    const noisy = predictions(96, 0).map((row, i) => ({ ...row, linear: 10 + (i % 3) }));
    const c = await strict.runPerformance(noisy, { target: 'actual', prediction: 'linear' });
    expect(c.degraded_metrics).toContain('corr');
    // No reference: nothing to compare, never degraded.
    const none = await new ForecastMonitor().runPerformance(predictions(10, 5), {
      target: 'actual',
      prediction: 'linear',
    });
    expect(none).toMatchObject({ reference: null, degraded: false });
    // Two models and a prediction column named like neither (and no ensemble): ask which.
    const two = new ForecastMonitor({ referencePerformance: { a: { mae: 1 }, b: { mae: 2 } } });
    await expect(
      two.runPerformance(predictions(10, 1), { target: 'actual', prediction: 'linear' }),
    ).rejects.toThrow(/pass model/);
  });

  it('writes the performance report (time axis, error histogram) through the sink, escaped and self-contained', async () => {
    const sink = memorySink();
    const monitor = new ForecastMonitor(
      { referencePerformance: { '<i>': REFERENCE_PERFORMANCE.linear }, now: () => new Date('2024-02-01Z') },
      sink,
    );
    const data = predictions(500, 1.3).map((r) => ({
      timestamp: r.timestamp,
      '<b>&"x': r.actual,
      '<i>': r.linear,
    }));
    const result = await monitor.runPerformance(data, {
      target: '<b>&"x',
      prediction: '<i>',
      timestamp: 'timestamp',
    });
    expect(result.report_path).toBe('/reports/performance_2024-02-01T00-00-00-000Z.html');
    const html = sink.written[0]!.html;
    expect(html).toContain('Forecast performance report');
    expect(html).toContain('Degraded');
    expect(html).toContain('id="actual-vs-predicted"');
    expect(html).toContain('id="error-distribution"');
    expect(html).toContain('2024-01-0'); // time-axis labels
    expect(html).not.toContain('<b>&"x');
    expect(html).not.toContain('<i>');
    expectSelfContained(html);
  });

  it('validates columns and timestamps, naming them', async () => {
    const monitor = new ForecastMonitor();
    const data = predictions(5, 1);
    await expect(monitor.runPerformance(data, { target: 'y', prediction: 'linear' })).rejects.toThrow(
      /performance data has no column "y"/,
    );
    await expect(
      monitor.runPerformance(data, { target: 'actual', prediction: 'linear', timestamp: 'when' }),
    ).rejects.toThrow(/no timestamp column "when"/);
    const badTime = data.map((r, i) => (i === 2 ? { ...r, timestamp: 'yesterday' } : r));
    await expect(
      monitor.runPerformance(badTime, { target: 'actual', prediction: 'linear', timestamp: 'timestamp' }),
    ).rejects.toThrow(/timestamp\[2\]/);
    await expect(monitor.runPerformance(data, { target: '', prediction: 'linear' })).rejects.toThrow(
      /target/,
    );
    const empty = data.map((r) => ({ ...r, actual: null }));
    await expect(monitor.runPerformance(empty, { target: 'actual', prediction: 'linear' })).rejects.toThrow(
      /no row where both/,
    );
  });
});

describe('checkpoint reference', () => {
  const file = {
    format_version: 1,
    targets: ['load'],
    validation_metrics: REFERENCE_PERFORMANCE,
    test_metrics: {},
    drift: buildDriftReference({ load: series(2000) }, { maxSamples: 500 }),
  };
  const bytes = new TextEncoder().encode(JSON.stringify(file));

  it('decodes reference.json and builds a monitor from its metrics and drift sample', async () => {
    const reference = decodeReference(bytes);
    expect(reference.drift?.columns.load?.values).toHaveLength(500);
    const monitor = ForecastMonitor.fromCheckpointReference(reference);
    expect(monitor.referenceColumns).toEqual(['load']);
    const [, summary] = await monitor.runDataDrift({ load: series(300, 1) });
    expect(summary.columns.load!.drifted).toBe(true);
    const perf = await monitor.runPerformance(predictions(48, 1), { target: 'actual', prediction: 'linear' });
    expect(perf.reference?.model).toBe('linear');
  });

  it('reports a corrupt file as CHECKPOINT_CORRUPT naming the field', () => {
    const broken = new TextEncoder().encode(JSON.stringify({ ...file, targets: 'load' }));
    let error: unknown;
    try {
      decodeReference(broken, '/ckpt/v0001/reference.json');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TwigaError);
    expect(error).toMatchObject({ code: 'CHECKPOINT_CORRUPT' });
    expect((error as Error).message).toMatch(/\/ckpt\/v0001\/reference\.json[\s\S]*targets/);
  });
});
