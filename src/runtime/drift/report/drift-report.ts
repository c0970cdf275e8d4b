/** The data-drift HTML report: dataset verdict, a table of per-column tests, and a distribution chart per column. */
import type { ColumnDrift, DriftMethod, DriftSummary } from '../summary.js';
import type { ColumnDistribution } from './distributions.js';
import { badge, escapeHtml, formatNumber, page, row, table } from './html.js';
import { axes, bar, CHART, legend, niceTicks, scale, svg } from './svg.js';

/** How each test's score reads, for people. */
export const METHOD_LABELS: Readonly<Record<DriftMethod, string>> = {
  ks: 'Kolmogorov–Smirnov p-value',
  chisquare: 'chi-square p-value',
  z: 'two-proportion z-test p-value',
  wasserstein: 'Wasserstein distance (normed by reference std)',
  jensenshannon: 'Jensen–Shannon distance',
  psi: 'population stability index',
  kl: 'Kullback–Leibler divergence',
};

/** The drift rule of a column in words, e.g. `p ≤ 0.05` or `score ≥ 0.1`. */
export function driftRule(c: Pick<ColumnDrift, 'method' | 'threshold'>): string {
  const t = formatNumber(c.threshold);
  if (c.method === 'ks') return `p ≤ ${t}`;
  if (c.method === 'chisquare' || c.method === 'z') return `p < ${t}`;
  return `score ≥ ${t}`;
}

const pct = (x: number) => `${formatNumber(100 * x, 3)} %`;

/** Overlaid reference/current shares per shared bin, or grouped bars per category. */
function distributionChart(id: string, name: string, d: ColumnDistribution, c: ColumnDrift): string {
  const box = CHART;
  const top = Math.max(...d.reference, ...d.current, 1e-12);
  const y = scale(0, top * 1.08, box.height - box.bottom, box.top);
  const yTicks = niceTicks(0, top * 1.08, 4).map((at) => ({ at, label: pct(at) }));
  const bars: string[] = [];
  let x: (v: number) => number;
  let xTicks: { at: number; label: string }[];
  if (d.kind === 'histogram') {
    const lo = d.edges[0]!;
    const hi = d.edges[d.edges.length - 1]!;
    x = scale(lo, hi, box.left, box.width - box.right);
    xTicks = niceTicks(lo, hi, 5).map((at) => ({ at, label: formatNumber(at, 3) }));
    for (let i = 0; i < d.reference.length; i++) {
      const [x0, x1] = [x(d.edges[i]!), x(d.edges[i + 1]!)];
      const range = `[${formatNumber(d.edges[i]!)}, ${formatNumber(d.edges[i + 1]!)}${i === d.reference.length - 1 ? ']' : ')'}`;
      for (const [side, shares] of [
        ['ref', d.reference],
        ['cur', d.current],
      ] as const) {
        const h = y(0) - y(shares[i]!);
        const who = side === 'ref' ? 'reference' : 'current';
        bars.push(bar(x0 + 0.5, y(shares[i]!), x1 - x0 - 1, h, side, `${who} ${range}: ${pct(shares[i]!)}`));
      }
    }
  } else {
    const n = d.keys.length;
    x = scale(0, n, box.left, box.width - box.right);
    const step = n > 0 ? x(1) - x(0) : 0;
    const every = Math.ceil(n / 12);
    xTicks = d.keys
      .map((k, i) => ({ at: i + 0.5, label: formatNumber(k, 3) }))
      .filter((_, i) => i % every === 0);
    d.keys.forEach((k, i) => {
      const w = step * 0.4;
      const x0 = x(i) + step * 0.1;
      bars.push(
        bar(
          x0,
          y(d.reference[i]!),
          w,
          y(0) - y(d.reference[i]!),
          'ref',
          `reference ${formatNumber(k)}: ${pct(d.reference[i]!)}`,
        ),
      );
      bars.push(
        bar(
          x0 + w,
          y(d.current[i]!),
          w,
          y(0) - y(d.current[i]!),
          'cur',
          `current ${formatNumber(k)}: ${pct(d.current[i]!)}`,
        ),
      );
    });
  }
  const what =
    d.kind === 'histogram' ? `${d.reference.length} shared Sturges bins` : `${d.keys.length} values`;
  const desc =
    `Shares of the reference (${c.n_reference} values) and current (${c.n_current} values) data of column ${name} ` +
    `over ${what}. ${METHOD_LABELS[c.method]} ${formatNumber(c.score)}, drift when ${driftRule(c)}: ` +
    `${c.drifted ? 'drift detected' : 'no drift'}.`;
  const content =
    axes(box, x, y, xTicks, yTicks, { x: d.kind === 'histogram' ? name : `${name} (value)`, y: 'share' }) +
    `<g class="bars">${bars.join('')}</g>` +
    legend(box, [
      { label: `reference (n = ${c.n_reference})`, className: 'ref' },
      { label: `current (n = ${c.n_current})`, className: 'cur' },
      ...(d.kind === 'histogram' ? [{ label: 'both', className: 'ref cur' }] : []),
    ]);
  return svg(id, `Distribution of ${name}: reference vs current`, desc, box, content);
}

function columnSection(i: number, name: string, c: ColumnDrift, d: ColumnDistribution | undefined): string {
  const id = `col-${i}`;
  const hidden = d && d.hidden > 0 ? ` ${d.hidden} rarer values are not drawn.` : '';
  const chart = d
    ? `<figure>${distributionChart(`${id}-chart`, name, d, c)}<figcaption>${escapeHtml(`${c.kind} column; bars show the share of each sample.${hidden}`)}</figcaption></figure>`
    : '';
  return (
    `<section id="${id}" aria-labelledby="${id}-h"><h2 id="${id}-h">${escapeHtml(name)} ${badge(c.drifted, 'Drift', 'No drift')}</h2>` +
    `<p class="meta">${escapeHtml(`${METHOD_LABELS[c.method]}: ${formatNumber(c.score)} (drift when ${driftRule(c)})`)}</p>` +
    `${chart}</section>`
  );
}

/**
 * Renders a `DriftSummary` as a standalone HTML page (inline CSS and SVG, no scripts, no network).
 * @param distributions per column, from `columnDistribution`; columns without one get no chart.
 */
export function renderDriftReport(
  summary: DriftSummary,
  distributions: Readonly<Record<string, ColumnDistribution>>,
  title = 'Data drift report',
): string {
  const names = Object.keys(summary.columns);
  const rows = names.map((name, i) => {
    const c = summary.columns[name]!;
    return row(
      [
        `<a href="#col-${i}">${escapeHtml(name)}</a>`,
        c.kind,
        escapeHtml(METHOD_LABELS[c.method]),
        escapeHtml(driftRule(c)),
        formatNumber(c.score),
        badge(c.drifted, 'Drift', 'No drift'),
      ],
      true,
    );
  });
  const header =
    `<header><h1>${escapeHtml(title)}</h1>` +
    `<p>${badge(summary.dataset_drift, 'Dataset drift detected', 'No dataset drift')}</p>` +
    `<p>${escapeHtml(
      `${summary.n_drifted} of ${summary.total} columns drifted (share ${formatNumber(summary.dataset_drift_score, 3)}); ` +
        `the dataset drifts when the share is ≥ ${formatNumber(summary.drift_share)}.`,
    )}</p><p class="meta">${escapeHtml(summary.timestamp)}</p></header>`;
  const overview = `<section>${table('Drift by column', ['Column', 'Type', 'Test', 'Threshold', 'Score', 'Verdict'], rows)}</section>`;
  const sections = names.map((n, i) => columnSection(i, n, summary.columns[n]!, distributions[n])).join('\n');
  return page(title, `${header}\n${overview}\n<div class="charts">${sections}</div>`);
}
