/** The fleet drift page: one table of every series' verdict, linking each series' own report, and a section per series. */
import type { DriftSummary } from '../summary.js';
import { badge, escapeHtml, formatNumber, page, row, table } from './html.js';

/** What the fleet page shows: each series' summary (its `report_path` links its page), and the series not tested. */
export interface FleetDriftPage {
  idColumn: string;
  series: Readonly<Record<string, DriftSummary>>;
  skipped: readonly { id: string; reason: string }[];
  /** Link target of a series' report (relative to the fleet page); null: no link. */
  link: (id: string) => string | null;
}

const anchor = (i: number) => `series-${i}`;

/**
 * A standalone HTML page over a fleet's drift: counts, the per-series table (verdict, drifted share,
 * drifted columns, link to the series' report) and one section per series with its column verdicts.
 */
export function renderFleetDriftReport(p: FleetDriftPage, title = 'Fleet data drift report'): string {
  const ids = Object.keys(p.series);
  const drifted = ids.filter((id) => p.series[id]!.dataset_drift);
  const rows = ids.map((id, i) => {
    const s = p.series[id]!;
    const href = p.link(id);
    const columns = Object.keys(s.columns).filter((c) => s.columns[c]!.drifted);
    return row(
      [
        `<a href="#${anchor(i)}">${escapeHtml(id)}</a>`,
        badge(s.dataset_drift, 'Drift', 'No drift'),
        `${s.n_drifted}/${s.total} (${formatNumber(s.dataset_drift_score, 3)})`,
        escapeHtml(columns.join(', ') || '—'),
        href ? `<a href="${escapeHtml(href)}">report</a>` : '—',
      ],
      true,
    );
  });
  const sections = ids.map((id, i) => {
    const s = p.series[id]!;
    const href = p.link(id);
    const columns = Object.keys(s.columns).map((c) =>
      row(
        [escapeHtml(c), formatNumber(s.columns[c]!.score), badge(s.columns[c]!.drifted, 'Drift', 'No drift')],
        true,
      ),
    );
    return (
      `<section id="${anchor(i)}"><h2>${escapeHtml(`${p.idColumn} = ${id}`)} ${badge(s.dataset_drift, 'Drift', 'No drift')}</h2>` +
      `<p class="meta">${s.n_drifted} of ${s.total} columns drifted${href ? ` — <a href="${escapeHtml(href)}">full report</a>` : ''}</p>` +
      `${table(`Columns of ${id}`, ['column', 'score', 'verdict'], columns)}</section>`
    );
  });
  const skipped = p.skipped.length
    ? `<section><h2>Not tested</h2>${table(
        'Series skipped',
        [p.idColumn, 'reason'],
        p.skipped.map((s) => row([escapeHtml(s.id), escapeHtml(s.reason)], true)),
      )}</section>`
    : '';
  const body =
    `<header><h1>${escapeHtml(title)}</h1><p class="meta">${drifted.length} of ${ids.length} series drifted ` +
    `(by ${escapeHtml(p.idColumn)})${drifted.length ? `: ${escapeHtml(drifted.join(', '))}` : ''}</p></header>` +
    `<section>${table('Series', [p.idColumn, 'verdict', 'drifted columns (share)', 'which', 'report'], rows)}</section>` +
    sections.join('') +
    skipped;
  return page(title, body);
}
