/** For injected faults: a store that hands everything to `inner` except `put`, which the test decides. */
import type { CheckpointStore, PutOptions } from '../../../src/runtime/checkpoint/store.js';

export function withPut(
  inner: CheckpointStore,
  put: (key: string, bytes: Uint8Array, options: PutOptions | undefined) => Promise<string | undefined>,
): CheckpointStore {
  return {
    get: (key) => inner.get(key),
    head: (key) => inner.head(key),
    list: (prefix) => inner.list(prefix),
    delete: (key) => inner.delete(key),
    describe: (key) => inner.describe(key),
    put,
  };
}
