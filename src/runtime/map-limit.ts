/** Bounded concurrency for store reads and writes, platform-free (Workers, browsers and Node alike). */
import { ConfigError } from './errors.js';

/**
 * `fn` over `items` with at most `limit` calls in flight; the results in the order of `items`. The first
 * rejection rejects the whole; calls already started still run to their end.
 * @throws ConfigError when `limit` is not a positive integer
 * @example
 * const bodies = await mapLimit(keys, 8, (key) => store.get(key));
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new ConfigError(`concurrency limit: expected a positive integer, got ${limit}`, [
      { path: 'limit', message: 'expected a positive integer' },
    ]);
  }
  const out = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return out;
}
