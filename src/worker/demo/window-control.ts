/** The forecast-origin slider: one row per step, Page Up/Down move a whole horizon, its value is spoken as a date. */
import { byId } from './dom.js';
import { formatLongTime, formatTime } from './format.js';

export interface WindowControl {
  /** Enables the control over `min…max` (row indexes) and selects `value`. */
  setBounds(min: number, max: number, value: number, timeOf: (row: number) => number, pageStep: number): void;
  disable(): void;
  readonly value: number;
}

/** Wires the origin slider, the "Latest" button and the level select; `onChange` runs after input settles. */
export function createWindowControl(onChange: () => void, settleMs = 150): WindowControl {
  const range = byId<HTMLInputElement>('origin-range');
  const output = byId<HTMLOutputElement>('origin-output');
  const latest = byId<HTMLButtonElement>('latest-button');
  const level = byId<HTMLSelectElement>('level-select');
  let timeOf: (row: number) => number = () => Number.NaN;
  let page = 1;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const describe = () => {
    const t = timeOf(Number(range.value));
    output.textContent = formatTime(t);
    range.setAttribute('aria-valuetext', formatLongTime(t));
  };
  const changed = () => {
    describe();
    clearTimeout(timer);
    timer = setTimeout(onChange, settleMs);
  };
  range.addEventListener('input', changed);
  range.addEventListener('keydown', (event) => {
    if (event.key !== 'PageUp' && event.key !== 'PageDown') return;
    event.preventDefault();
    const next = Number(range.value) + (event.key === 'PageUp' ? page : -page);
    range.value = String(Math.min(Number(range.max), Math.max(Number(range.min), next)));
    changed();
  });
  latest.addEventListener('click', () => {
    range.value = range.max;
    changed();
  });
  level.addEventListener('change', onChange);

  return {
    setBounds(min, max, value, time, pageStep) {
      timeOf = time;
      page = pageStep;
      range.min = String(min);
      range.max = String(max);
      range.step = '1';
      range.value = String(value);
      range.disabled = false;
      latest.disabled = false;
      level.disabled = false;
      describe();
    },
    disable() {
      range.disabled = true;
      latest.disabled = true;
      level.disabled = true;
      output.textContent = '—';
    },
    get value() {
      return Number(range.value);
    },
  };
}

/** Interval levels the checkpoint supports (options above its maximum are disabled); the selected one. */
export function selectedLevel(maxLevel: number | null): number | undefined {
  const level = byId<HTMLSelectElement>('level-select');
  for (const option of Array.from(level.options)) {
    option.disabled = maxLevel === null || Number(option.value) > maxLevel + 1e-9;
  }
  if (level.selectedOptions[0]?.disabled) {
    const allowed = Array.from(level.options).filter((o) => !o.disabled);
    const last = allowed[allowed.length - 1];
    if (last) level.value = last.value;
  }
  const value = Number(level.value);
  return maxLevel === null ? undefined : value;
}
