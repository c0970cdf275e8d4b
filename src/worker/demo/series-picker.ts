/** The series picker: shown when the demo's checkpoint root is a fleet (its `_models.json` lists several models). */
import { byId, el } from './dom.js';

/**
 * Fills and shows the picker with `names`, `selected` chosen; `onPick` runs with the name picked. Hidden
 * (nothing to pick) for one model.
 */
export function showSeriesPicker(names: string[], selected: string, onPick: (name: string) => void): void {
  const wrap = byId('series-control');
  const select = byId<HTMLSelectElement>('series-select');
  if (names.length < 2) {
    wrap.hidden = true;
    return;
  }
  select.replaceChildren(...names.map((name) => Object.assign(el('option', name), { value: name })));
  select.value = selected;
  select.disabled = false;
  select.addEventListener('change', () => onPick(select.value));
  wrap.hidden = false;
}
