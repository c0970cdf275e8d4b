/** Inside workerd: write the checkpoint the global setup trained into the R2 binding. */
import { env } from 'cloudflare:test';
import type { R2BucketLike } from '../../../src/edge/r2-types.js';

/** base64 → bytes with the Workers globals (no Buffer). */
export function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

/** The provided checkpoint's files, keys relative to the store root (`twiga/v0001/pipeline.json`, …). */
export function checkpointFiles(): Record<string, Uint8Array> {
  return Object.fromEntries(
    Object.entries(env.TEST_CHECKPOINT_FILES).map(([key, base64]) => [key, fromBase64(base64)]),
  );
}

/**
 * Puts every file of the provided checkpoint under `prefix` (e.g. `checkpoints/`) in `bucket`.
 * @param bucket default the real local R2 binding `env.CHECKPOINTS`.
 * @returns the keys written, with the prefix.
 */
export async function seedCheckpoint(prefix = '', bucket: R2BucketLike = env.CHECKPOINTS): Promise<string[]> {
  const files = Object.entries(checkpointFiles());
  await Promise.all(files.map(([key, bytes]) => bucket.put(prefix + key, bytes)));
  return files.map(([key]) => prefix + key).sort();
}

/** The provided records (last 10 days of the training series), parsed. */
export function recentRecords(): Array<Record<string, string | number>> {
  return JSON.parse(env.TEST_RECORDS_JSON);
}
