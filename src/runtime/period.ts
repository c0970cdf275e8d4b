/** Pandas-style period strings (`30min`, `1h`, `1D`, `7D`, `1W`) to milliseconds. */

const UNIT_MS: Record<string, number> = {
  s: 1_000,
  sec: 1_000,
  min: 60_000,
  t: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const PERIOD_RE = /^\s*(\d+(?:\.\d+)?)?\s*([a-zA-Z]+)\s*$/;

/** Parse a period; returns `undefined` when the string is not a period. */
export function tryParsePeriod(text: string): number | undefined {
  const match = PERIOD_RE.exec(text);
  if (!match) return undefined;
  const unit = UNIT_MS[match[2]!.toLowerCase()];
  if (unit === undefined) return undefined;
  const count = match[1] === undefined ? 1 : Number(match[1]);
  const ms = count * unit;
  return ms > 0 && Number.isFinite(ms) ? ms : undefined;
}

/** Parse a period or throw a readable error naming the accepted forms. */
export function parsePeriod(text: string): number {
  const ms = tryParsePeriod(text);
  if (ms === undefined) {
    throw new Error(`expected a period such as "30min", "1h", "1D" or "7D", got "${text}"`);
  }
  return ms;
}

/** Number of whole periods in `span`; throws when `span` is not a multiple of `period`. */
export function periodsIn(spanMs: number, periodMs: number, what: string): number {
  const n = spanMs / periodMs;
  if (!Number.isInteger(n)) throw new Error(`${what} must be a whole number of periods`);
  return n;
}
