/** Training page for test/browser/train.test.ts: `window.trainInWorker` runs one job in a fresh Web Worker. */
import type { TrainOutcome, TrainRequest } from '../train-api.js';

function trainInWorker(request: TrainRequest): Promise<TrainOutcome> {
  const worker = new Worker(new URL('./train-worker.ts', import.meta.url), { type: 'module' });
  return new Promise<TrainOutcome>((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<TrainOutcome>) => resolve(event.data);
    worker.onerror = (event) => reject(new Error(`train worker failed to start: ${event.message}`));
    worker.postMessage(request);
  }).finally(() => worker.terminate());
}

(globalThis as unknown as { trainInWorker: typeof trainInWorker }).trainInWorker = trainInWorker;
document.getElementById('state')!.textContent = 'ready';
