/** Starts a GBDT worker thread, from `worker.js` in a build or `worker.ts` through tsx when running from source. */
import { Worker } from 'node:worker_threads';

const fromSource = import.meta.url.endsWith('.ts');

/** A worker running `./worker.(js|ts)`; from source it registers tsx first (dev only: tsx is a dev dependency). */
export function spawnWorker(): Worker {
  if (!fromSource) return new Worker(new URL('./worker.js', import.meta.url));
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./worker.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(boot, { eval: true });
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
