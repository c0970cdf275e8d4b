/** Joining a reference and a current window on one grid. */
import { describe, expect, it } from 'vitest';
import { DataError } from '../../../src/runtime/errors.js';
import { appendFrame, type Frame } from '../../../src/runtime/frame.js';

const H = 3_600_000;
const frame = (start: number, values: number[]): Frame => ({
  time: Float64Array.from(values, (_, i) => (start + i) * H),
  columns: { y: Float64Array.from(values) },
});

describe('appendFrame', () => {
  it('appends a contiguous window', () => {
    const all = appendFrame(frame(0, [1, 2, 3]), frame(3, [4, 5]), H);
    expect(Array.from(all.time, (t) => t / H)).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(all.columns['y']!)).toEqual([1, 2, 3, 4, 5]);
  });

  it('fills a gap with NaN rows and lets the later window win an overlap', () => {
    expect(Array.from(appendFrame(frame(0, [1, 2]), frame(4, [5]), H).columns['y']!)).toEqual([
      1,
      2,
      NaN,
      NaN,
      5,
    ]);
    const overlap = appendFrame(frame(0, [1, 2, 3, 4]), frame(2, [30, 40, 50]), H);
    expect(Array.from(overlap.columns['y']!)).toEqual([1, 2, 30, 40, 50]);
  });

  it('refuses windows off the grid or with other columns', () => {
    const off: Frame = { time: Float64Array.of(3.5 * H), columns: { y: Float64Array.of(1) } };
    expect(() => appendFrame(frame(0, [1, 2, 3]), off, H)).toThrow(DataError);
    const other: Frame = { time: Float64Array.of(3 * H), columns: { z: Float64Array.of(1) } };
    expect(() => appendFrame(frame(0, [1, 2, 3]), other, H)).toThrow(/column "y"/);
  });
});
