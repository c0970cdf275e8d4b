import { describe, expect, it } from 'vitest';
import { originsFrom, windowOrigins } from '../../../src/runtime/features/windows.js';

describe('windowOrigins', () => {
  it('window i uses rows [i·stride, i·stride+lookback) and predicts the next horizon rows', () => {
    // 10 rows, lookback 3, horizon 2, stride 2: histories [0,3) [2,5) [4,7) [6,9); origins 3 5 7 (9+2 > 10 stops)
    expect(windowOrigins(10, { lookback: 3, horizon: 2, stride: 2 })).toEqual([3, 5, 7]);
    // stride 1 uses every window: origins 3..8
    expect(windowOrigins(10, { lookback: 3, horizon: 2, stride: 1 })).toEqual([3, 4, 5, 6, 7, 8]);
  });

  it('stops before `last` and starts at `first`', () => {
    expect(windowOrigins(10, { lookback: 3, horizon: 2, stride: 1, last: 7 })).toEqual([3, 4, 5]);
    expect(windowOrigins(10, { lookback: 3, horizon: 2, stride: 3, first: 1 })).toEqual([4, 7]);
  });

  it('returns nothing when a window does not fit', () => {
    expect(windowOrigins(4, { lookback: 3, horizon: 2, stride: 1 })).toEqual([]);
  });
});

describe('originsFrom', () => {
  it('places origins at startRow + i·stride with history reaching back before it', () => {
    // test starts at row 6; lookback 4 reaches back to row 2
    expect(originsFrom(14, 6, { lookback: 4, horizon: 2, stride: 3 })).toEqual([6, 9, 12]);
  });

  it('skips origins without enough history', () => {
    expect(originsFrom(14, 2, { lookback: 4, horizon: 2, stride: 3 })).toEqual([5, 8, 11]);
  });
});
