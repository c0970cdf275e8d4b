/** Tree steps shared with a helper thread: each histogram and each partition is split into two halves of its rows. */
import type { Worker } from 'node:worker_threads';
import type { KernelMemory } from '../../../runtime/train/gbdt/kernel.js';
import {
  checkMoved,
  HALVES_FROM_ROWS,
  halves,
  histAt,
  histogramPart,
  localOps,
  partitionHalf,
  ruleArgs,
  scratchSlot,
  type TreeOps,
} from '../../../runtime/train/gbdt/ops.js';
import {
  attachWorkspace,
  type Workspace,
  type WorkspaceLayout,
} from '../../../runtime/train/gbdt/workspace.js';
import { firstMessage, spawnWorker } from './spawn.js';

/** Control words shared with the helper. */
const C = {
  SEQ: 0,
  DONE: 1,
  STOP: 2,
  OP: 3,
  BEGIN: 4,
  END: 5,
  FROM: 6,
  TO: 7,
  RANGE_BEGIN: 8,
  RANGE_END: 9,
  FIRST: 10,
  ARGS: 11, // five rule arguments
  ERROR: 16,
  RESULT: 17,
} as const;
const HISTOGRAM = 0;
const PARTITION = 1;
/** Polls before sleeping: steps of one tree come in quick succession, and a sleeping thread wakes slowly. */
const SPINS = 1 << 12;

/** What the helper thread needs: the shared memory and its layout. */
export interface HelperInit {
  type: 'helper';
  layout: WorkspaceLayout;
  memory: KernelMemory;
  ctrl: Int32Array;
}

/** Returns once `ctrl[index]` differs from `value`: spins briefly, then sleeps. */
function waitChange(ctrl: Int32Array, index: number, value: number): void {
  for (let i = 0; i < SPINS; i++) if (Atomics.load(ctrl, index) !== value) return;
  while (Atomics.load(ctrl, index) === value) Atomics.wait(ctrl, index, value, 1000);
}

/** The helper's half of a step: the second half of the rows (histograms go to the scratch slot). */
function runTask(ws: Workspace, ctrl: Int32Array): void {
  if (ctrl[C.OP] === HISTOGRAM) {
    histogramPart(ws, scratchSlot(ws), ctrl[C.BEGIN]!, ctrl[C.END]!);
    return;
  }
  const args = Array.from(ctrl.subarray(C.ARGS, C.ARGS + 5)) as [number, number, number, number, number];
  const half = { start: ctrl[C.BEGIN]!, stop: ctrl[C.END]!, backward: true };
  ctrl[C.RESULT] = partitionHalf(
    ws,
    ctrl[C.FROM]!,
    ctrl[C.TO]!,
    ctrl[C.RANGE_BEGIN]!,
    ctrl[C.RANGE_END]!,
    ctrl[C.FIRST]!,
    half,
    args,
  );
}

/** The helper's loop: wait for a task, run it, signal, until told to stop. */
export function runHelper(init: HelperInit): void {
  const { ctrl } = init;
  const ws = attachWorkspace(init.layout, init.memory);
  let seen = 0;
  for (;;) {
    waitChange(ctrl, C.SEQ, seen);
    seen = Atomics.load(ctrl, C.SEQ);
    if (ctrl[C.STOP] === 1) return;
    try {
      runTask(ws, ctrl);
    } catch {
      ctrl[C.ERROR] = 1;
    }
    Atomics.store(ctrl, C.DONE, seen);
    Atomics.notify(ctrl, C.DONE);
  }
}

/** A running helper and the tree steps that use it. */
export interface HelperPool {
  ops: TreeOps;
  close(): Promise<void>;
}

/**
 * Starts a helper thread on the workspace's memory. Each large histogram or partition is split into two
 * halves of its rows: the calling thread takes the first, the helper the second, and the calling thread
 * waits for it; small steps stay on the calling thread. The results are {@link localOps}' exactly.
 */
export async function startHelper(ws: Workspace): Promise<HelperPool> {
  const { memory, kernel, wordsView: _w, rowsView: _r, gradView: _g, histsView: _h, ...rest } = ws;
  const { flagsView: _f, nBinsView: _n, maskView: _m, outView: _o, ...layout } = rest;
  const worker: Worker = spawnWorker();
  const ctrl = new Int32Array(new SharedArrayBuffer(20 * 4));
  try {
    const init: HelperInit = { type: 'helper', layout, memory, ctrl };
    worker.postMessage(init);
    await firstMessage(worker);
  } catch (err) {
    await worker.terminate();
    throw err;
  }
  const local = localOps(ws);
  let seq = 0;
  const start = () => {
    Atomics.store(ctrl, C.SEQ, ++seq);
    Atomics.notify(ctrl, C.SEQ);
  };
  const wait = () => {
    for (let done = Atomics.load(ctrl, C.DONE); done !== seq; done = Atomics.load(ctrl, C.DONE)) {
      waitChange(ctrl, C.DONE, done);
    }
    if (ctrl[C.ERROR] === 1) throw new Error('the gbdt helper thread failed');
  };
  const ops: TreeOps = {
    histogram(slot, begin, end) {
      if (end - begin < HALVES_FROM_ROWS) return local.histogram(slot, begin, end);
      const mid = begin + ((end - begin) >> 1);
      ctrl[C.OP] = HISTOGRAM;
      ctrl[C.BEGIN] = mid;
      ctrl[C.END] = end;
      start();
      histogramPart(ws, slot, begin, mid);
      wait();
      kernel.add(histAt(ws, slot), histAt(ws, scratchSlot(ws)), ws.histSize);
    },
    partition(from, to, begin, end, first, rule) {
      if (end - begin < HALVES_FROM_ROWS) return local.partition(from, to, begin, end, first, rule);
      const args = ruleArgs(ws, rule);
      const [mine, theirs] = halves(begin, end);
      ctrl[C.OP] = PARTITION;
      ctrl.set([theirs.start, theirs.stop, from, to, begin, end, first, ...args], C.BEGIN);
      start();
      const moved = partitionHalf(ws, from, to, begin, end, first, mine, args);
      wait();
      checkMoved(moved + ctrl[C.RESULT]!, first);
    },
  };
  return {
    ops,
    async close() {
      ctrl[C.STOP] = 1;
      start();
      await worker.terminate();
    },
  };
}
