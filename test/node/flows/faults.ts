/**
 * Injected faults (on purpose, and only these): a checkpoint store whose writes fail with the error Node
 * gives for a failing disk (EIO), for the first `times` writes whose key matches. Everything else goes to
 * the real file-system store underneath.
 */
import type { CheckpointStore } from '../../../src/runtime/checkpoint/store.js';
import { withPut } from '../../runtime/checkpoint/with-put.js';

export function eio(syscall = 'write'): NodeJS.ErrnoException {
  return Object.assign(new Error(`EIO: i/o error, ${syscall}`), { code: 'EIO', errno: -5, syscall });
}

export interface FaultyStore extends CheckpointStore {
  /** Writes that failed so far. */
  readonly failures: string[];
}

export function failingWrites(
  inner: CheckpointStore,
  options: { match: (key: string) => boolean; times: number },
): FaultyStore {
  const failures: string[] = [];
  const store = withPut(inner, async (key, bytes, putOptions) => {
    if (options.match(key) && failures.length < options.times) {
      failures.push(key);
      throw eio();
    }
    return inner.put(key, bytes, putOptions);
  });
  return Object.assign(store, { failures });
}
