/** The fuzz context from the serving fixture's parts (shared by the Node and workerd test files and the script). */
import type { FuzzContext, Row } from './route-table.js';

/** Fast slice in `npm test`; `npm run fuzz -- --runs N` runs the long version. */
// 15 routes × 90 cases on Node: about the 1,350 cases a run had before the fleet routes joined.
export const FAST_RUNS = 90;
export const DEFAULT_SEED = 18;

/**
 * @param fileKeys stored keys of the checkpoint (`twiga/v0001/pipeline.json`, …), with the name prefix.
 */
export function fuzzContext(
  apiKey: string,
  checkpoint: string,
  fileKeys: readonly string[],
  records: readonly Row[],
): FuzzContext {
  const t0 = Date.parse(`${records[0]!['timestamp']}Z`);
  const t1 = Date.parse(`${records[1]!['timestamp']}Z`);
  return {
    apiKey,
    checkpoint,
    files: fileKeys.map((k) => k.slice(checkpoint.length + 1)),
    records,
    timeColumn: 'timestamp',
    target: 'net_load',
    periodMs: t1 - t0,
  };
}
