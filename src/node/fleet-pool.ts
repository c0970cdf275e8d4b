/** Series of a per_series fleet fitted in parallel: N worker threads take the next series until none is left. */
import { type Remote, wrap } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { fromReply } from '../runtime/serving/error-wire.js';
import type { FleetThreadApi, SeriesFit, SeriesJob } from './fleet-thread-api.js';
import { spawnWorker } from './spawn-worker.js';

/**
 * Fit every job on `threads` worker threads (each with its own inference engine); `onFit` runs in this
 * thread as each series finishes (in completion order). Rejects with the first failure, after stopping.
 */
export async function fitSeriesInThreads(
  jobs: readonly SeriesJob[],
  threads: number,
  onFit: (job: SeriesJob, fit: SeriesFit) => Promise<void>,
): Promise<void> {
  const workers = Array.from({ length: Math.max(1, Math.min(threads, jobs.length)) }, () =>
    spawnWorker(import.meta.url, 'fleet-thread'),
  );
  let next = 0;
  try {
    await Promise.all(
      workers.map(async (worker) => {
        const api: Remote<FleetThreadApi> = wrap<FleetThreadApi>(nodeEndpoint(worker));
        const exited = new Promise<never>((_, reject) => {
          worker.once('error', reject);
          worker.once('exit', (code) => reject(new Error(`fleet training thread exited with code ${code}`)));
        });
        exited.catch(() => undefined);
        while (next < jobs.length) {
          const job = jobs[next++]!;
          const fit = fromReply(await Promise.race([api.fitSeries(job), exited]));
          await onFit(job, fit);
        }
      }),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
