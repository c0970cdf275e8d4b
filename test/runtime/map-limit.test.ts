/** mapLimit: order kept, never more than `limit` calls in flight, the first rejection rejects. */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/runtime/errors.js';
import { mapLimit } from '../../src/runtime/map-limit.js';

const tick = () => new Promise((r) => setTimeout(r, 1));

describe('mapLimit', () => {
  it('returns results in input order with at most `limit` calls in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const out = await mapLimit([5, 1, 4, 2, 3, 0, 6], 3, async (n, i) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      for (let k = 0; k < n; k++) await tick();
      inFlight--;
      return `${i}:${n * 10}`;
    });
    expect(out).toEqual(['0:50', '1:10', '2:40', '3:20', '4:30', '5:0', '6:60']);
    expect(peak).toBe(3);
  });

  it('handles an empty list and a limit above the item count', async () => {
    expect(await mapLimit([], 4, async () => 1)).toEqual([]);
    expect(await mapLimit(['a'], 8, async (s) => s.toUpperCase())).toEqual(['A']);
  });

  it('rejects with the first failure', async () => {
    const run = mapLimit([1, 2, 3], 2, async (n) => {
      await tick();
      if (n === 2) throw new Error('item 2 failed');
      return n;
    });
    await expect(run).rejects.toThrow('item 2 failed');
  });

  it('refuses a limit that is not a positive integer, naming it', async () => {
    await expect(mapLimit([1], 0, async (n) => n)).rejects.toBeInstanceOf(ConfigError);
    await expect(mapLimit([1], 1.5, async (n) => n)).rejects.toThrow(
      /concurrency limit: expected a positive integer/,
    );
  });
});
