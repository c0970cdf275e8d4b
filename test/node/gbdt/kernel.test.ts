/** The GBDT WASM kernels: reproducible build, and histograms, subtraction and partitions equal to plain JS. */
import '../../../src/node/training-backend.js';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../src/runtime/synthetic.js';
import { binRows, fitBinMapper, MISSING_BIN } from '../../../src/runtime/train/gbdt/binning.js';
import { histAt, localOps } from '../../../src/runtime/train/gbdt/ops.js';
import { createWorkspace, FEATURE_SLOTS } from '../../../src/runtime/train/gbdt/workspace.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

describe('gbdt.wasm', () => {
  it('the committed bytes equal a fresh AssemblyScript build', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'gbdt-wasm-')), 'gbdt.wasm');
    const asc = join(root, 'node_modules/assemblyscript/bin/asc.js');
    execFileSync(
      process.execPath,
      [asc, '--config', 'wasm/gbdt.asconfig.json', '--target', 'release', '-o', out],
      {
        cwd: root,
      },
    );
    expect(Buffer.compare(readFileSync(out), readFileSync(join(root, 'wasm/build/gbdt.wasm')))).toBe(0);
  });

  const rand = mulberry32(3);
  const n = 997;
  const F = 7; // padded to 8 bins per row
  const x = Float64Array.from({ length: n * F }, (_, i) => (i % 11 === 0 ? Number.NaN : rand()));
  const mapper = fitBinMapper(x, n, F, 16, 1);
  const m = binRows(mapper, x, n);
  const bin = (r: number, f: number) => m.bins[r * m.stride + f]!;

  it('builds gradient-sum and count histograms equal to a plain JS loop, then subtracts exactly', () => {
    const ws = createWorkspace(m, 4);
    const grad = ws.gradView;
    for (let r = 0; r < n; r++) grad[r] = rand() - 0.5;
    const ops = localOps(ws);
    ops.histogram(0, 0, n);
    ops.histogram(1, 100, 400);
    const hist = (slot: number) => ws.histsView.subarray(slot * ws.histSize, (slot + 1) * ws.histSize);
    const expected = (begin: number, end: number) => {
      const h = new Float64Array(ws.histSize);
      for (let r = begin; r < end; r++) {
        for (let f = 0; f < m.stride; f++) {
          const j = f * FEATURE_SLOTS + 2 * (f < F ? bin(r, f) : 0);
          h[j]! += grad[r]!;
          h[j + 1]! += 1;
        }
      }
      return h;
    };
    expect(Array.from(hist(0))).toEqual(Array.from(expected(0, n)));
    expect(Array.from(hist(1))).toEqual(Array.from(expected(100, 400)));
    let missing0 = 0;
    for (let r = 0; r < n; r++) if (Number.isNaN(x[r * F]!)) missing0++;
    expect(missing0).toBeGreaterThan(0);
    expect(hist(0)[2 * MISSING_BIN + 1]).toBe(missing0);
    const parent = Float64Array.from(hist(0));
    ws.kernel.subtract(histAt(ws, 0), histAt(ws, 1), ws.histSize);
    expect(Array.from(hist(0))).toEqual(Array.from(parent, (v, i) => v - hist(1)[i]!));
  });

  /** The kernel's layout: the first half's rows in order, the second half's runs placed backwards. */
  function expectedLayout(input: number[], goesLeft: (r: number) => boolean, first: number): number[] {
    const out = new Array<number>(input.length);
    const mid = input.length >> 1;
    let l = 0;
    let r = first;
    for (const row of input.slice(0, mid)) out[goesLeft(row) ? l++ : r++] = row;
    const second = input.slice(mid);
    let lb = first;
    let rb = input.length;
    for (let i = 0; i < second.length; ) {
      let j = i + 1;
      while (j < second.length && goesLeft(second[j]!) === goesLeft(second[i]!)) j++;
      const run = second.slice(i, j);
      if (goesLeft(second[i]!)) lb -= run.length;
      else rb -= run.length;
      out.splice(goesLeft(second[i]!) ? lb : rb, run.length, ...run);
      i = j;
    }
    return out;
  }

  it('partitions into the other region, left rows first, moving words, rows and gradients together', () => {
    const ws = createWorkspace(m, 2);
    const ops = localOps(ws);
    for (let r = 0; r < n; r++) ws.gradView[r] = r / 10;
    const f = 2;
    const t = 7;
    const goesLeft = (r: number) => (bin(r, f) === MISSING_BIN ? true : bin(r, f) <= t);
    const input = Array.from({ length: 850 }, (_, i) => 50 + i);
    const first = input.filter(goesLeft).length;
    ops.partition(0, 2, 50, 900, first, { feature: f, bin: t, missingLeft: true });
    const moved = Array.from(ws.rowsView.subarray(2 * n + 50, 2 * n + 900));
    expect(moved).toEqual(expectedLayout(input, goesLeft, first));
    expect(moved.slice(0, first).every(goesLeft)).toBe(true);
    const bytes = new Uint8Array(ws.wordsView.buffer, ws.words, 3 * n * m.stride);
    for (let i = 0; i < moved.length; i++) {
      const p = 2 * n + 50 + i;
      expect(ws.gradView[p]).toBe(moved[i]! / 10);
      for (let g = 0; g < m.stride; g++)
        expect(bytes[p * m.stride + g]).toBe(m.bins[moved[i]! * m.stride + g]);
    }
    expect(() => ops.partition(0, 1, 50, 900, first + 1, { feature: f, bin: t, missingLeft: true })).toThrow(
      /expected/,
    );

    const flagged: number[] = [];
    for (let r = 0; r < n; r++) {
      ws.flagsView[r] = r % 3 === 0 ? 1 : 0;
      if (r % 3 === 0) flagged.push(r);
    }
    ops.partition(0, 1, 0, n, flagged.length, 'flagged');
    const all = Array.from({ length: n }, (_, r) => r);
    const kept = expectedLayout(all, (r) => r % 3 === 0, flagged.length).slice(0, flagged.length);
    expect(Array.from(ws.rowsView.subarray(n, n + flagged.length))).toEqual(kept);
  });
});
