/** Per-output training buffers in WASM memory: bin rows in leaf order, row ids, gradients, histograms. */

import type { TrainingBackend } from '../backend.js';
import { type BinMatrix, MISSING_BIN } from './binning.js';
import { createKernelMemory, type Kernel, type KernelMemory, loadKernel } from './kernel.js';

/** Doubles per feature in a histogram: 256 bins × (gradient sum, count). */
export const FEATURE_SLOTS = 512;

/** Byte offsets of a workspace's buffers in its memory. */
export interface WorkspaceLayout {
  n: number;
  nFeatures: number;
  rowWords: number;
  words: number;
  rows: number;
  grad: number;
  hists: number;
  flags: number;
  /** Value bins per feature (i32), the split mask (u8 per feature) and the split result (6 f64). */
  nBins: number;
  mask: number;
  out: number;
  histSize: number;
  /** Histogram slots: one per leaf, plus a last one for the second half of a histogram built in halves. */
  slots: number;
  bytes: number;
}

/**
 * Buffers reused across trees, in three regions of `n` positions: region 0 holds every row in row order
 * (never moved), regions 1 and 2 take turns receiving partitioned leaves. Position `p` holds row `rows[p]`,
 * its bins `words[p·rowWords …]` and gradient `grad[p]`, so each leaf is contiguous and histograms read
 * memory in order. The arrays are views of one shared WebAssembly memory that the kernels work on.
 */
export interface Workspace extends WorkspaceLayout {
  memory: KernelMemory;
  kernel: Kernel;
  wordsView: Uint32Array;
  rowsView: Int32Array;
  /** Region 0 (`gradView[0 … n]`) is the gradient of each row; the booster writes it before every tree. */
  gradView: Float64Array;
  histsView: Float64Array;
  /** Per row: 1 when drawn into this tree's bag. */
  flagsView: Uint8Array;
  nBinsView: Int32Array;
  maskView: Uint8Array;
  outView: Float64Array;
}

const align = (bytes: number) => Math.ceil(bytes / 16) * 16;

/** Where each buffer goes; one histogram slot per leaf is enough (a leaf keeps its slot only while it may split). */
export function workspaceLayout(m: BinMatrix, numLeaves: number): WorkspaceLayout {
  const n = m.n;
  const rowWords = m.stride >> 2;
  const histSize = m.stride * FEATURE_SLOTS;
  const words = 0;
  const rows = align(words + 3 * n * rowWords * 4);
  const grad = align(rows + 3 * n * 4);
  const hists = align(grad + 3 * n * 8);
  const slots = numLeaves + 1;
  const flags = align(hists + slots * histSize * 8);
  const nBins = align(flags + n);
  const mask = align(nBins + 4 * m.nFeatures);
  const out = align(mask + m.nFeatures);
  const bytes = out + 6 * 8;
  const nFeatures = m.nFeatures;
  return {
    n,
    nFeatures,
    rowWords,
    words,
    rows,
    grad,
    hists,
    flags,
    nBins,
    mask,
    out,
    histSize,
    slots,
    bytes,
  };
}

/**
 * Views and kernels over an existing memory laid out by {@link workspaceLayout} (for helper threads too).
 * @param backend where the kernels come from. @default the installed TrainingBackend
 */
export function attachWorkspace(
  layout: WorkspaceLayout,
  memory: KernelMemory,
  backend?: TrainingBackend,
): Workspace {
  const { buffer } = memory;
  const { n, rowWords } = layout;
  return {
    ...layout,
    memory,
    kernel: loadKernel(memory, backend),
    wordsView: new Uint32Array(buffer, layout.words, 3 * n * rowWords),
    rowsView: new Int32Array(buffer, layout.rows, 3 * n),
    gradView: new Float64Array(buffer, layout.grad, 3 * n),
    histsView: new Float64Array(buffer, layout.hists, layout.slots * layout.histSize),
    flagsView: new Uint8Array(buffer, layout.flags, n),
    nBinsView: new Int32Array(buffer, layout.nBins, layout.nFeatures),
    maskView: new Uint8Array(buffer, layout.mask, layout.nFeatures),
    outView: new Float64Array(buffer, layout.out, 6),
  };
}

/** A workspace with every row in region 0, in row order (kernels from `backend`, else the installed one). */
export function createWorkspace(m: BinMatrix, numLeaves: number, backend?: TrainingBackend): Workspace {
  const layout = workspaceLayout(m, numLeaves);
  const ws = attachWorkspace(layout, createKernelMemory(layout.bytes), backend);
  ws.wordsView.set(new Uint32Array(m.bins.buffer, m.bins.byteOffset, m.n * layout.rowWords));
  for (let i = 0; i < m.n; i++) ws.rowsView[i] = i;
  return ws;
}

/** Whether the row at position `p` goes left of a split. */
export function sideOf(
  ws: Workspace,
  p: number,
  feature: number,
  bin: number,
  missingLeft: boolean,
): boolean {
  const b = (ws.wordsView[p * ws.rowWords + (feature >> 2)]! >>> ((feature & 3) << 3)) & 255;
  return b === MISSING_BIN ? missingLeft : b <= bin;
}
