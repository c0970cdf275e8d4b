/** Starts a GBDT worker thread, from `worker.js` in a build or `worker.ts` through tsx when running from source. */
import type { Worker } from 'node:worker_threads';
import { spawnWorker as spawnThread } from '../../spawn-worker.js';

/** A GBDT worker running `./worker.(js|ts)`. */
export function spawnWorker(): Worker {
  return spawnThread(import.meta.url, 'worker');
}

/** Resolves with the worker's first message; rejects if it fails or exits first. */
export function firstMessage<T>(worker: Worker): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onExit = (code: number) =>
      reject(new Error(`gbdt worker exited with code ${code} before replying`));
    worker.once('message', (msg: T) => {
      worker.off('exit', onExit);
      worker.off('error', reject);
      resolve(msg);
    });
    worker.once('error', reject);
    worker.once('exit', onExit);
  });
}
