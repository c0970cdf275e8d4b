/** Renders the loaded checkpoint's ModelInfo: version, models, horizon, period and the columns a CSV needs. */
import type { ModelInfo } from '../../runtime/serving/model-info.js';
import { byId, el } from './dom.js';
import { formatSpan } from './format.js';

/** Fills the model panel's description list. */
export function renderModelInfo(info: ModelInfo, periodMs: number, source: string): void {
  const list = byId('model-info');
  const code = (text: string) => el('code', text);
  const joined = (items: string[]) =>
    items.length === 0
      ? [el('span', 'none')]
      : items.flatMap((c, i) => (i === 0 ? [code(c)] : [', ', code(c)]));
  const rows: [string, Node[]][] = [
    ['Checkpoint', [el('span', `version ${info.version} from `), code(source)]],
    ['Models', [...joined(info.models), el('span', ` (ensemble: ${info.ensemble_strategy})`)]],
    ['Horizon', [el('span', `${info.horizon} steps (${formatSpan(info.horizon, periodMs)})`)]],
    ['Lookback', [el('span', `${info.lookback} steps (${formatSpan(info.lookback, periodMs)})`)]],
    ['Period', [code(info.period)]],
    ['Columns needed', [code(info.time_column), ', ', ...joined(info.columns)]],
    ['Known ahead', joined(info.exogenous)],
    [
      'Intervals',
      [
        el(
          'span',
          info.max_interval_level === null
            ? 'none (no validation residuals)'
            : `conformal, up to ${Math.round(info.max_interval_level * 1000) / 10} %`,
        ),
      ],
    ],
  ];
  list.replaceChildren(...rows.flatMap(([term, value]) => [el('dt', term), el('dd', value)]));
  list.dataset['state'] = 'loaded';
}
