/** GBDT worker thread: a helper for one tree's histograms and partitions, or a booster of whole outputs. */
import '../../training-backend.js';
import { parentPort } from 'node:worker_threads';
import { type HelperInit, runHelper } from './helpers.js';
import { type OutputsJob, runOutputs } from './output-pool.js';

const port = parentPort!;
port.once('message', (job: HelperInit | OutputsJob) => {
  if (job.type === 'helper') {
    port.postMessage('ready');
    runHelper(job);
  } else {
    runOutputs(job, (msg) => port.postMessage(msg));
  }
});
