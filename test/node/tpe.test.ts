import { describe, expect, it } from 'vitest';
import { tpe } from '../../src/runtime/train/tpe.js';

// A bowl with its minimum at x = 0.3 (log-scaled) and n = 17.
const bowl = (p: Record<string, number>) =>
  (Math.log10(p['x']!) - Math.log10(0.3)) ** 2 + ((p['n']! - 17) / 10) ** 2;
const space = {
  x: { type: 'float', low: 0.001, high: 10, log: true },
  n: { type: 'int', low: 1, high: 64 },
} as const;

describe('tpe', () => {
  it('is reproducible under a seed and keeps parameters in range', async () => {
    const a = await tpe({ space, objective: bowl, nTrials: 30, seed: 7 });
    const b = await tpe({ space, objective: bowl, nTrials: 30, seed: 7 });
    expect(a.trials.map((t) => t.params)).toEqual(b.trials.map((t) => t.params));
    for (const t of a.trials) {
      expect(t.params['x']).toBeGreaterThanOrEqual(0.001);
      expect(t.params['x']).toBeLessThanOrEqual(10);
      expect(Number.isInteger(t.params['n'])).toBe(true);
    }
    const c = await tpe({ space, objective: bowl, nTrials: 30, seed: 8 });
    expect(c.trials.map((t) => t.params)).not.toEqual(a.trials.map((t) => t.params));
  });

  it('beats random search on the same budget (averaged over seeds)', async () => {
    let tpeBest = 0;
    let randomBest = 0;
    for (let seed = 1; seed <= 8; seed++) {
      tpeBest += (await tpe({ space, objective: bowl, nTrials: 40, seed })).best.score;
      randomBest += (await tpe({ space, objective: bowl, nTrials: 40, seed, nStartup: 40 })).best.score;
    }
    expect(tpeBest).toBeLessThan(randomBest);
  });

  it('evaluates enqueued points first, so the result never loses to them', async () => {
    const start = { x: 5, n: 60 };
    const r = await tpe({ space, objective: bowl, nTrials: 12, seed: 3, enqueue: [start] });
    expect(r.trials[0]).toMatchObject({ number: 0, params: start, source: 'enqueued' });
    expect(r.trials.slice(1, 4).every((t) => t.source === 'random')).toBe(true);
    expect(r.trials.at(-1)!.source).toBe('tpe');
    expect(r.best.score).toBeLessThanOrEqual(r.trials[0]!.score);
    expect(r.trials.every((t) => t.seconds >= 0)).toBe(true);
  });
});
