/** Train/test split by inclusive dates or by a fraction of rows. */
import { DataError } from '../errors.js';
import { type Frame, lowerBound } from '../frame.js';

const DAY_MS = 86_400_000;

/** Parse `2017-06-30` (a whole day) or `2017-06-30T12:00` as wall-clock-as-UTC epoch ms. */
export function parseDateBound(text: string): { start: number; isDay: boolean } {
  const isDay = /^\d{4}-\d{2}-\d{2}$/.test(text);
  const ms = Date.parse(isDay ? `${text}T00:00:00Z` : /[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text}Z`);
  if (Number.isNaN(ms))
    throw new DataError(`expected a date such as "2017-06-30", got "${text}"`, { value: text });
  return { start: ms, isDay };
}

/** Row bounds of a train/test split (`[0, trainEnd)` trains, `[testStart, n)` tests) and the rule that chose them. */
export interface SplitRows {
  /** Exclusive end row of the training split. */
  trainEnd: number;
  /** First row of the test split. */
  testStart: number;
  /** How the split was chosen, for logs. */
  rule: string;
}

/**
 * Rows of the train and test splits. `trainEnd`/`testStart` are inclusive; a bare date means the
 * whole day. With neither, the last `testFraction` of rows is the test split.
 */
export function splitRows(
  frame: Frame,
  split: { trainEnd?: string | undefined; testStart?: string | undefined; testFraction: number },
): SplitRows {
  const n = frame.time.length;
  let trainEnd: number;
  let testStart: number;
  let rule: string;
  if (split.trainEnd === undefined && split.testStart === undefined) {
    testStart = Math.floor(n * (1 - split.testFraction));
    trainEnd = testStart;
    rule = `last ${Math.round(split.testFraction * 100)}% of rows as test`;
  } else {
    const te = split.trainEnd === undefined ? undefined : parseDateBound(split.trainEnd);
    const ts = split.testStart === undefined ? undefined : parseDateBound(split.testStart);
    const trainEndRow = te ? lowerBound(frame.time, te.isDay ? te.start + DAY_MS : te.start + 1) : undefined;
    const testStartRow = ts ? lowerBound(frame.time, ts.start) : undefined;
    trainEnd = trainEndRow ?? testStartRow!;
    testStart = testStartRow ?? trainEndRow!;
    rule = [te && `train to ${split.trainEnd} (inclusive)`, ts && `test from ${split.testStart}`]
      .filter(Boolean)
      .join(', ');
    if (trainEnd > testStart) {
      throw new DataError(`trainEnd ${split.trainEnd} overlaps testStart ${split.testStart}`, {
        trainEnd: split.trainEnd,
        testStart: split.testStart,
      });
    }
  }
  if (trainEnd <= 0) throw new DataError(`the training split is empty (${rule})`, { rule });
  if (testStart >= n) throw new DataError(`the test split is empty (${rule})`, { rule });
  return { trainEnd, testStart, rule };
}
