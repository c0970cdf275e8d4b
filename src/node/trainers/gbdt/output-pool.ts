/** Outputs boosted in parallel: worker threads take the next output from a shared counter until none is left. */
import type { Worker } from 'node:worker_threads';
import type { GbdtOutputsInput } from '../../../runtime/train/backend.js';
import {
  boostOutput,
  column,
  type GbdtIteration,
  type OutputFit,
} from '../../../runtime/train/gbdt/booster.js';
import { localOps } from '../../../runtime/train/gbdt/ops.js';
import { createWorkspace } from '../../../runtime/train/gbdt/workspace.js';
import { spawnWorker } from './spawn.js';

/** Shared inputs of every output (targets output-major) and the workers' shared counter. */
export interface OutputsJob extends GbdtOutputsInput {
  type: 'outputs';
  /** Next output to take (Atomics.add). */
  next: Int32Array;
  /** Whether to report every round. */
  report: boolean;
}

/** Messages a worker sends back. */
export type OutputsMessage =
  | { type: 'iteration'; info: GbdtIteration }
  | { type: 'output'; output: number; fit: OutputFit }
  | { type: 'done' };

/** Boosts outputs until the shared counter runs out (the worker side; also usable on one thread). */
export function runOutputs(job: OutputsJob, post: (msg: OutputsMessage) => void): void {
  const { m, valid, params } = job;
  const ws = createWorkspace(m, params.numLeaves);
  const ops = localOps(ws);
  const report = job.report ? (info: GbdtIteration) => post({ type: 'iteration', info }) : undefined;
  for (let o = Atomics.add(job.next, 0, 1); o < job.nOutputs; o = Atomics.add(job.next, 0, 1)) {
    const data = {
      m,
      mapper: job.mapper,
      y: column(job.yCols, m.n, o),
      ...(valid ? { valid: { m: valid.m, y: column(valid.yCols, valid.m.n, o) } } : {}),
    };
    post({ type: 'output', output: o, fit: boostOutput(data, ws, ops, params, o, report) });
  }
  post({ type: 'done' });
}

/** Trains every output on `threads` workers; results are identical to training them one by one. */
export async function trainOutputsInWorkers(
  job: Omit<OutputsJob, 'type' | 'next' | 'report'>,
  threads: number,
  onIteration?: (info: GbdtIteration) => void,
): Promise<OutputFit[]> {
  const full: OutputsJob = {
    ...job,
    type: 'outputs',
    next: new Int32Array(new SharedArrayBuffer(4)),
    report: onIteration !== undefined,
  };
  const fits: OutputFit[] = new Array(job.nOutputs);
  const workers: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let running = Math.min(threads, job.nOutputs);
      for (let t = 0; t < running; t++) {
        const worker = spawnWorker();
        workers.push(worker);
        worker.on('message', (msg: OutputsMessage) => {
          if (msg.type === 'iteration') onIteration?.(msg.info);
          else if (msg.type === 'output') fits[msg.output] = msg.fit;
          else if (--running === 0) resolve();
        });
        worker.once('error', reject);
        worker.once('exit', (code) => {
          if (code !== 0) reject(new Error(`gbdt worker exited with code ${code}`));
        });
        worker.postMessage(full);
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return fits;
}
