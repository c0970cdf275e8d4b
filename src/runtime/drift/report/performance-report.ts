/** The performance HTML report: metrics against the reference, actual vs predicted over time, and the error histogram. */
import type { MetricName } from '../../metrics.js';
import { sturgesEdges } from '../binning.js';
import { histogramSorted, sortFinite } from '../kernel.js';
import { DEGRADATION_DIRECTION, PERFORMANCE_METRICS, type PerformanceSummary } from '../performance.js';
import { badge, escapeHtml, formatNumber, page, row, table } from './html.js';
import { axes, type Box, bar, CHART, legend, linePath, niceTicks, px, scale, svg, timeTicks } from './svg.js';

/** The series behind a performance report; `time` (epoch ms) is null when rows had no timestamp. */
export interface PerformanceSeries {
  time: Float64Array | null;
  actual: Float64Array;
  predicted: Float64Array;
  target: string;
  prediction: string;
}

const WIDE: Box = { ...CHART, width: 960, height: 300 };
/** Above this many points a line keeps each bucket's min and max, which preserves peaks. */
const MAX_BUCKETS = 1200;

function decimate(x: Float64Array, y: Float64Array): [number[], number[]] {
  if (x.length <= 2 * MAX_BUCKETS) return [Array.from(x), Array.from(y)];
  const xs: number[] = [];
  const ys: number[] = [];
  const size = x.length / MAX_BUCKETS;
  for (let b = 0; b < MAX_BUCKETS; b++) {
    let [lo, hi] = [-1, -1];
    for (let i = Math.floor(b * size); i < Math.floor((b + 1) * size); i++) {
      if (!Number.isFinite(y[i]!)) continue;
      if (lo < 0 || y[i]! < y[lo]!) lo = i;
      if (hi < 0 || y[i]! > y[hi]!) hi = i;
    }
    for (const i of lo < 0 ? [] : lo === hi ? [lo] : [Math.min(lo, hi), Math.max(lo, hi)]) {
      xs.push(x[i]!);
      ys.push(y[i]!);
    }
  }
  return [xs, ys];
}

function extent(...arrays: ArrayLike<number>[]): [number, number] {
  let [lo, hi] = [Infinity, -Infinity];
  for (const a of arrays)
    for (let i = 0; i < a.length; i++)
      if (Number.isFinite(a[i]!)) [lo, hi] = [Math.min(lo, a[i]!), Math.max(hi, a[i]!)];
  return lo <= hi ? [lo, hi] : [0, 1];
}

function timeChart(s: PerformanceSeries): string {
  const box = WIDE;
  const t = s.time ?? Float64Array.from(s.actual, (_, i) => i);
  const [t0, t1] = extent(t);
  const [v0, v1] = extent(s.actual, s.predicted);
  const pad = (v1 - v0) * 0.05 || 1;
  const x = scale(t0, t1, box.left, box.width - box.right);
  const y = scale(v0 - pad, v1 + pad, box.height - box.bottom, box.top);
  const xTicks = s.time
    ? timeTicks(t0, t1, 7)
    : niceTicks(t0, t1, 7).map((at) => ({ at, label: formatNumber(at) }));
  const yTicks = niceTicks(v0 - pad, v1 + pad, 5).map((at) => ({ at, label: formatNumber(at, 3) }));
  const line = (values: Float64Array, cls: string) => {
    const [xs, ys] = decimate(t, values);
    return `<path class="${cls}" d="${linePath(xs.map(x), ys.map(y))}"/>`;
  };
  const content =
    axes(box, x, y, xTicks, yTicks, { x: s.time ? 'time (UTC)' : 'row', y: s.target }) +
    line(s.actual, 'ref-line') +
    line(s.predicted, 'cur-line') +
    legend(box, [
      { label: `actual (${s.target})`, className: 'ref' },
      { label: `predicted (${s.prediction})`, className: 'cur' },
    ]);
  const desc = `Line chart of ${s.actual.length} actual values of ${s.target} and the predictions ${s.prediction} ${
    s.time ? `from ${new Date(t0).toISOString()} to ${new Date(t1).toISOString()}` : 'by row'
  }; values range from ${formatNumber(v0)} to ${formatNumber(v1)}.`;
  return svg('actual-vs-predicted', `Actual vs predicted ${s.target} over time`, desc, box, content);
}

function errorChart(s: PerformanceSeries): string {
  const box = CHART;
  const errors = sortFinite(Float64Array.from(s.predicted, (p, i) => p - s.actual[i]!));
  const edges = sturgesEdges(errors, new Float64Array(0));
  const counts = histogramSorted(errors, edges);
  const lo = edges[0]!;
  const hi = edges[edges.length - 1]!;
  const top = Math.max(...counts, 1);
  const x = scale(Math.min(lo, 0), Math.max(hi, 0), box.left, box.width - box.right);
  const y = scale(0, top * 1.08, box.height - box.bottom, box.top);
  const bars = Array.from(counts, (c, i) =>
    bar(
      x(edges[i]!) + 0.5,
      y(c),
      x(edges[i + 1]!) - x(edges[i]!) - 1,
      y(0) - y(c),
      'err',
      `[${formatNumber(edges[i]!)}, ${formatNumber(edges[i + 1]!)}): ${c} errors`,
    ),
  ).join('');
  const zero = `<line class="zero" x1="${px(x(0))}" x2="${px(x(0))}" y1="${box.top}" y2="${box.height - box.bottom}"/>`;
  const content =
    axes(
      box,
      x,
      y,
      niceTicks(Math.min(lo, 0), Math.max(hi, 0), 5).map((at) => ({ at, label: formatNumber(at, 3) })),
      niceTicks(0, top * 1.08, 4).map((at) => ({ at, label: formatNumber(at, 3) })),
      { x: `error = ${s.prediction} − ${s.target}`, y: 'count' },
    ) + `<g class="bars">${bars}</g>${zero}`;
  const desc = `Histogram of ${errors.length} forecast errors (predicted minus actual) over ${counts.length} Sturges bins from ${formatNumber(lo)} to ${formatNumber(hi)}; the dashed line marks zero error.`;
  return svg('error-distribution', 'Distribution of forecast errors', desc, box, content);
}

function metricRow(name: MetricName, r: PerformanceSummary): string {
  const current = r[name];
  const ref = r.reference ? r.reference[name] : null;
  const change =
    current !== null && ref !== null && ref !== 0
      ? `${formatNumber((100 * (current - ref)) / Math.abs(ref), 3)} %`
      : '—';
  const checked = DEGRADATION_DIRECTION[name] !== undefined;
  const verdict = !r.reference
    ? '—'
    : checked
      ? badge(r.degraded_metrics.includes(name), 'Degraded', 'Within tolerance')
      : 'not checked';
  return row([name, formatNumber(current), formatNumber(ref), change, verdict], true);
}

/** Renders a `PerformanceSummary` and its series as a standalone HTML page (inline CSS and SVG, no network). */
export function renderPerformanceReport(
  summary: PerformanceSummary,
  series: PerformanceSeries,
  title = 'Forecast performance report',
): string {
  const verdict = !summary.reference
    ? '<span class="badge neutral">No reference to compare</span>'
    : badge(summary.degraded, `Degraded: ${summary.degraded_metrics.join(', ')}`, 'Within tolerance');
  const against = summary.reference
    ? `compared with the reference metrics of model "${summary.reference.model}", tolerating ${formatNumber(100 * summary.degradation_tolerance)} % worse`
    : 'no reference metrics were given';
  const header =
    `<header><h1>${escapeHtml(title)}</h1><p>${verdict}</p>` +
    `<p>${escapeHtml(`${summary.n} pairs of ${series.target} and ${series.prediction}; ${against}.`)}</p>` +
    `<p class="meta">${escapeHtml(summary.timestamp)}</p></header>`;
  const metrics = table(
    'Metrics against the reference',
    ['Metric', 'Current', 'Reference', 'Change', 'Verdict'],
    PERFORMANCE_METRICS.map((m) => metricRow(m, summary)),
  );
  const body =
    `${header}\n<section>${metrics}</section>\n` +
    `<section><h2>Actual vs predicted</h2><figure>${timeChart(series)}</figure></section>\n` +
    `<section><h2>Error distribution</h2><figure>${errorChart(series)}</figure></section>`;
  return page(title, body);
}
