/** The drift panel: the dataset verdict and, per column, the test, score, threshold and verdict. */
import type { DriftSummary } from '../../runtime/drift/summary.js';
import { byId, el } from './dom.js';

const P_VALUE_TESTS = new Set(['ks', 'chisquare', 'z']);

const METHOD_NAMES: Record<string, string> = {
  ks: 'Kolmogorov–Smirnov',
  wasserstein: 'Wasserstein (normed)',
  chisquare: 'chi-square',
  z: 'z-test',
  jensenshannon: 'Jensen–Shannon',
  psi: 'PSI',
  kl: 'KL divergence',
};

const score = (v: number) => (v !== 0 && Math.abs(v) < 1e-3 ? v.toExponential(2) : v.toPrecision(3));

/** Shows a drift summary of `rows` rows of `source`. */
export function renderDrift(summary: DriftSummary, source: string, rows: number): void {
  const panel = byId('drift-panel');
  const verdict = summary.dataset_drift ? 'Dataset drift detected' : 'No dataset drift';
  byId('drift-verdict').textContent =
    `${verdict}: ${summary.n_drifted} of ${summary.total} columns drifted in the ${rows} rows of ${source} ` +
    `(the dataset drifts when at least ${Math.round(summary.drift_share * 100)} % do).`;
  const table = byId<HTMLTableElement>('drift-table');
  const head = ['column', 'test', 'score', 'drifts when', 'drifted', 'reference n', 'current n'];
  const body = Object.entries(summary.columns).map(([name, c]) => {
    const pValue = P_VALUE_TESTS.has(c.method);
    const tr = el('tr', [
      el('th', name, { scope: 'row' }),
      el('td', `${METHOD_NAMES[c.method] ?? c.method} (${c.kind})`),
      el('td', `${pValue ? 'p = ' : ''}${score(c.score)}`),
      el('td', `${c.method === 'ks' ? 'p ≤' : pValue ? 'p <' : 'score ≥'} ${c.threshold}`),
      el('td', c.drifted ? 'yes' : 'no', { className: c.drifted ? 'drifted' : 'stable' }),
      el('td', String(c.n_reference)),
      el('td', String(c.n_current)),
    ]);
    tr.dataset['column'] = name;
    tr.dataset['drifted'] = String(c.drifted);
    return tr;
  });
  table.replaceChildren(
    el('caption', 'Per-column drift tests against the checkpoint’s training sample'),
    el('thead', [
      el(
        'tr',
        head.map((h) => el('th', h, { scope: 'col' })),
      ),
    ]),
    el('tbody', body),
  );
  table.hidden = false;
  panel.dataset['state'] = 'ready';
  panel.dataset['datasetDrift'] = String(summary.dataset_drift);
}
