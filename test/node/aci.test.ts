/**
 * Adaptive conformal inference on a level shift made by the project's own generator: a fixed model
 * (hour-of-week profile) calibrated before the shift loses coverage after it; ACI's online level keeps
 * coverage near target. Also: compare-and-swap persistence loses no update under concurrent writers.
 */
import { describe, expect, it } from 'vitest';
import {
  aciHalfWidths,
  aciLevel,
  aciUpdate,
  initialAciState,
  readAciState,
  updateAciState,
} from '../../src/runtime/aci.js';
import { MemoryCheckpointStore } from '../../src/runtime/checkpoint/memory-store.js';
import { CONFORMAL_GRID, conformalTable, halfWidth } from '../../src/runtime/conformal.js';
import { syntheticNetLoad } from '../../src/runtime/synthetic.js';

const DAY = 24;
const series = syntheticNetLoad({
  start: '2024-06-01T00:00:00',
  days: 112,
  stepMinutes: 60,
  seed: 3,
  levelShift: { day: 70, mw: -80 },
});
const y = series.net_load;
const hourOfWeek = (i: number) => {
  const d = new Date(series.time[i]!);
  return ((d.getUTCDay() + 6) % 7) * DAY + d.getUTCHours();
};

// Fit: mean per hour of week over days 0–42; calibrate on days 42–70 (before the shift).
const sums = new Float64Array(7 * DAY);
const counts = new Float64Array(7 * DAY);
for (let i = 0; i < 42 * DAY; i++) {
  sums[hourOfWeek(i)]! += y[i]!;
  counts[hourOfWeek(i)]! += 1;
}
const forecast = (i: number) => sums[hourOfWeek(i)]! / counts[hourOfWeek(i)]!;
const span = (from: number, to: number) =>
  Array.from({ length: (to - from) * DAY }, (_, k) => from * DAY + k);
const calibration = span(42, 70);
const table = conformalTable(
  Float64Array.from(calibration, forecast),
  Float64Array.from(calibration, (i) => y[i]!),
  1,
);

/** Coverage over `indices` of static 90 % intervals and of ACI intervals updated after each actual. */
function coverage(indices: number[], gamma: number) {
  let state = initialAciState({ gamma, target: 0.9 }, 1);
  let staticHits = 0;
  let aciHits = 0;
  for (const i of indices) {
    const r = Math.abs(y[i]! - forecast(i));
    if (r <= halfWidth(table, CONFORMAL_GRID, 0, 0.9)) staticHits++;
    if (r <= halfWidth(table, CONFORMAL_GRID, 0, aciLevel(state, table, 0).level)) aciHits++;
    state = aciUpdate(state, table, CONFORMAL_GRID, [{ output: 0, predicted: forecast(i), actual: y[i]! }]);
  }
  return { static: staticHits / indices.length, aci: aciHits / indices.length, state };
}

describe('adaptive conformal inference', () => {
  it('restores 90 % coverage after a level shift that breaks the static table', () => {
    const after = coverage(span(70, 112), 0.02);
    console.log(`level shift: static ${after.static.toFixed(3)}, ACI ${after.aci.toFixed(3)}`);
    expect(after.static).toBeLessThan(0.8);
    expect(after.aci).toBeGreaterThan(0.85);
    expect(after.aci).toBeLessThan(0.95);
    const served = aciHalfWidths(after.state, table, CONFORMAL_GRID);
    console.log(
      `ACI level ${served.level[0]!.toFixed(3)}, width ${served.width[0]!.toFixed(1)} vs static ${halfWidth(table, CONFORMAL_GRID, 0, 0.9).toFixed(1)}`,
    );
    expect(served.level[0]).toBeGreaterThan(0.9);
    // The served interval is wider than the static 90 % one: ACI widened it after the misses.
    expect(served.width[0]).toBeGreaterThan(halfWidth(table, CONFORMAL_GRID, 0, 0.9));
  });

  it('keeps coverage on the unshifted calibration span (ACI does not drift on exchangeable data)', () => {
    const before = coverage(span(42, 70), 0.02);
    expect(before.aci).toBeGreaterThan(0.85);
    expect(before.aci).toBeLessThan(0.95);
  });

  it('persists the state with compare-and-swap: concurrent writers lose no update', async () => {
    const store = new MemoryCheckpointStore();
    const key = 'reports/m/aci-state.json';
    const initial = () => initialAciState({ gamma: 0.01, target: 0.9 }, 2);
    const miss = (o: number) => [{ output: o, predicted: 0, actual: 1e9 }];
    const two = conformalTable(Float64Array.of(0, 0, 1, 1), Float64Array.of(1, 2, 3, 4), 2);
    await Promise.all(
      Array.from({ length: 12 }, (_, k) =>
        updateAciState(store, key, initial, (s) => aciUpdate(s, two, CONFORMAL_GRID, miss(k % 2)), 64),
      ),
    );
    const stored = await readAciState(store, key);
    expect(stored?.state.updates).toEqual([6, 6]);
    // Six misses each: α = 0.1 + 6·0.01·(0.1 − 1).
    expect(stored?.state.alpha[0]).toBeCloseTo(0.1 - 6 * 0.01 * 0.9, 12);
  });

  it('refuses a corrupt stored state and leaves it in place', async () => {
    const store = new MemoryCheckpointStore();
    const key = 'reports/m/aci-state.json';
    await store.put(key, new TextEncoder().encode('{"alpha": "x"}'));
    const initial = () => initialAciState({ gamma: 0.01, target: 0.9 }, 1);
    await expect(updateAciState(store, key, initial, (s) => s)).rejects.toMatchObject({
      code: 'CHECKPOINT_CORRUPT',
    });
    expect(new TextDecoder().decode((await store.get(key))!.bytes)).toBe('{"alpha": "x"}');
  });

  it('rejects an observation for an output the state does not have, and a state of another shape', () => {
    const state = initialAciState({ gamma: 0.01, target: 0.9 }, 1);
    expect(() => aciUpdate(state, table, CONFORMAL_GRID, [{ output: 3, predicted: 0, actual: 0 }])).toThrow(
      /output 3 is outside 0\.\.0/,
    );
    const wide = initialAciState({ gamma: 0.01, target: 0.9 }, 4);
    expect(() => aciUpdate(wide, table, CONFORMAL_GRID, [])).toThrow(
      /state has 4 outputs, the conformal table 1/,
    );
  });
});
