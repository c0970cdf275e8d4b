/** The chart's text alternative: the forecast steps as a table (time, actual when known, each model, the interval). */
import { byId, el } from './dom.js';
import { formatTime, formatValue } from './format.js';
import type { ForecastView } from './view.js';

/** Fills the forecast table from a view. */
export function renderForecastTable(view: ForecastView): void {
  const table = byId<HTMLTableElement>('forecast-table');
  const pct = `${Math.round(view.level * 1000) / 10} %`;
  const labels = [...view.models.map((m) => m.label), view.bandModel];
  const head = [
    'time',
    `${view.target} (actual)`,
    ...labels,
    ...(view.band ? [`${view.bandModel} ${pct} lower`, `${view.bandModel} ${pct} upper`] : []),
  ];
  const rows: HTMLTableRowElement[] = [];
  for (let i = view.firstStep; i < view.time.length; i++) {
    const values = [
      view.actual[i],
      ...view.models.map((m) => m.values[i]),
      view.bandValues[i],
      ...(view.band ? [view.band.lower[i], view.band.upper[i]] : []),
    ];
    rows.push(
      el('tr', [
        el('th', formatTime(view.time[i]!), { scope: 'row' }),
        ...values.map((v) => el('td', formatValue(v))),
      ]),
    );
  }
  table.replaceChildren(
    el(
      'caption',
      `${view.target} forecast from ${formatTime(view.originTime)}: ${view.time.length - view.firstStep} steps`,
    ),
    el('thead', [
      el(
        'tr',
        head.map((h) => el('th', h, { scope: 'col' })),
      ),
    ]),
    el('tbody', rows),
  );
  table.dataset['state'] = 'ready';
}
