/** The drift WASM core: reproducible build, loading from a precompiled module or bytes, same numbers as JS. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DRIFT_WASM_PATH, readDriftWasm } from '../../../src/node/drift-wasm.js';
import {
  initDriftWasm,
  jsKernel,
  ks2samp,
  useDriftKernel,
  wassersteinDistance,
} from '../../../src/runtime/index.js';
import { sample } from './fixtures.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

afterAll(() => useDriftKernel(jsKernel));

describe('drift.wasm', () => {
  it('the committed bytes equal a fresh AssemblyScript build', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'drift-wasm-')), 'drift.wasm');
    execFileSync(
      process.execPath,
      [
        join(root, 'node_modules/assemblyscript/bin/asc.js'),
        '--config',
        'wasm/asconfig.json',
        '--target',
        'release',
        '-o',
        out,
      ],
      { cwd: root },
    );
    const fresh = readFileSync(out);
    expect(Buffer.compare(fresh, readFileSync(DRIFT_WASM_PATH))).toBe(0);
    let committed: Buffer | undefined;
    try {
      committed = execFileSync('git', ['show', 'HEAD:wasm/build/drift.wasm'], {
        cwd: root,
        stdio: ['ignore', 'pipe', 'ignore'],
      });
    } catch {
      committed = undefined; // not committed yet, or no git: the on-disk comparison above stands
    }
    if (committed) expect(Buffer.compare(fresh, committed)).toBe(0);
  });

  it('loads from a precompiled WebAssembly.Module and from bytes, with identical results', async () => {
    const bytes = await readDriftWasm();
    const a = sample({ gen: { kind: 'normalish', seed: 101, n: 30_000, loc: 0, scale: 1 } });
    const b = sample({ gen: { kind: 'normalish', seed: 102, n: 20_000, loc: 0.02, scale: 1 } });
    const results = [];
    // A precompiled module is what Workers hand over (wrangler compiles `import … from '*.wasm'`).
    const wasm = (globalThis as unknown as { WebAssembly: { Module: new (b: Uint8Array) => object } })
      .WebAssembly;
    for (const source of [new wasm.Module(bytes), bytes]) {
      const kernel = await initDriftWasm(source);
      expect(kernel.kind).toBe('wasm');
      results.push([ks2samp(a, b), wassersteinDistance(a, b)]);
    }
    useDriftKernel(jsKernel);
    results.push([ks2samp(a, b), wassersteinDistance(a, b)]);
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
  });

  it('grows its memory for large samples and keeps NaN/inf out', async () => {
    await initDriftWasm(await readDriftWasm());
    const n = 300_000;
    const a = sample({ gen: { kind: 'normalish', seed: 7, n, loc: 0, scale: 1 } });
    const b = Float64Array.from(a);
    b[0] = Number.NaN;
    b[1] = Infinity;
    b[2] = -Infinity;
    const r = ks2samp(a, b);
    expect(wassersteinDistance(a, a)).toBe(0);
    useDriftKernel(jsKernel);
    expect(r).toEqual(ks2samp(a, a.subarray(3)));
  });
});
