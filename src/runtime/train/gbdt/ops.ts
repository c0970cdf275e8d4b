/** The data-parallel steps of growing a tree (histograms, partitions) on the WASM kernels, on one thread. */
import type { Workspace } from './workspace.js';

/** Which rows a partition sends left: a split, or the rows flagged in the workspace (the others are dropped). */
export type PartitionRule = { feature: number; bin: number; missingLeft: boolean } | 'flagged';

/** Histogram building and row partitioning; a pool of helper threads implements it too. */
export interface TreeOps {
  /** Fills histogram slot `slot` from positions `begin … end` (absolute, in any region). */
  histogram(slot: number, begin: number, end: number): void;
  /**
   * Copies positions `begin … end` of region `from` to region `to`, the `first` rows going left first.
   * The first half of the range is placed forwards, the second backwards, so halves can run in parallel.
   * @throws Error when not exactly `first` rows went left.
   */
  partition(from: number, to: number, begin: number, end: number, first: number, rule: PartitionRule): void;
}

/** Kernel arguments of a rule: word, shift, bin, missing-left, flags offset. */
export function ruleArgs(ws: Workspace, rule: PartitionRule): [number, number, number, number, number] {
  if (rule === 'flagged') return [0, 0, 0, 0, ws.flags];
  const { feature, bin, missingLeft } = rule;
  return [feature >> 2, (feature & 3) << 3, bin, missingLeft ? 1 : 0, 0];
}

/** Partitions one half: forwards from the range's start, or backwards from the left and right ends. */
export function partitionHalf(
  ws: Workspace,
  from: number,
  to: number,
  begin: number,
  end: number,
  first: number,
  half: { start: number; stop: number; backward: boolean },
  args: [number, number, number, number, number],
): number {
  const dst = to * ws.n;
  const leftAt = half.backward ? dst + begin + first : dst + begin;
  const rightAt = half.backward ? dst + end : dst + begin + first;
  return ws.kernel.partition(
    ws.words,
    ws.rows,
    ws.grad,
    ws.rowWords,
    from * ws.n,
    half.start,
    half.stop,
    leftAt,
    rightAt,
    half.backward ? 1 : 0,
    ...args,
  );
}

/** The two halves of a range. */
export function halves(begin: number, end: number) {
  const mid = begin + ((end - begin) >> 1);
  return [
    { start: begin, stop: mid, backward: false },
    { start: mid, stop: end, backward: true },
  ] as const;
}

/** @throws Error when a partition sent a different number of rows left than the split counted. */
export function checkMoved(moved: number, first: number): void {
  if (moved !== first) throw new Error(`gbdt partition: expected ${first} rows first, got ${moved}`);
}

/** Byte offset of histogram slot `slot`. */
export function histAt(ws: Workspace, slot: number): number {
  return ws.hists + slot * ws.histSize * 8;
}

/** Feature words per histogram pass: 32 words (128 features, 512 KiB of bins) stay in a core's L2 cache. */
const BLOCK_WORDS = 32;

/**
 * From this many rows on, a histogram is the sum of two built on each half of its rows (in parallel when a
 * helper thread is there, one after the other when not, so the sums are the same either way).
 */
export const HALVES_FROM_ROWS = 4096;

/** Builds a histogram of positions `begin … end` into slot `slot`, in cache-sized blocks of feature words. */
export function histogramPart(ws: Workspace, slot: number, begin: number, end: number): void {
  const hist = histAt(ws, slot);
  for (let w = 0; w < ws.rowWords; w += BLOCK_WORDS) {
    ws.kernel.histogram(
      ws.words,
      ws.rowWords,
      ws.grad,
      begin,
      end,
      hist,
      w,
      Math.min(ws.rowWords, w + BLOCK_WORDS),
    );
  }
}

/** The last histogram slot, where the second half of a histogram built in halves goes. */
export function scratchSlot(ws: Workspace): number {
  return ws.slots - 1;
}

/** Both steps on the calling thread. */
export function localOps(ws: Workspace): TreeOps {
  const scratch = scratchSlot(ws);
  return {
    histogram(slot, begin, end) {
      if (end - begin < HALVES_FROM_ROWS) return histogramPart(ws, slot, begin, end);
      const mid = begin + ((end - begin) >> 1);
      histogramPart(ws, slot, begin, mid);
      histogramPart(ws, scratch, mid, end);
      ws.kernel.add(histAt(ws, slot), histAt(ws, scratch), ws.histSize);
    },
    partition(from, to, begin, end, first, rule) {
      const args = ruleArgs(ws, rule);
      let moved = 0;
      for (const half of halves(begin, end))
        moved += partitionHalf(ws, from, to, begin, end, first, half, args);
      checkMoved(moved, first);
    },
  };
}
