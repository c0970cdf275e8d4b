/** The lean WASM kernels: a reproducible build (the committed blob is what the sources give) that refuses bad bytes. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { LEAN_WASM_PATH, readLeanWasm } from '../../../src/node/lean-wasm.js';
import { loadLeanWasm } from '../../../src/runtime/lean/wasm.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'twiga-lean-wasm-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('lean.wasm', () => {
  it('is byte-identical to a fresh build of wasm/assembly/lean.ts', () => {
    const out = join(dir, 'lean.wasm');
    const asc = join(root, 'node_modules/assemblyscript/bin/asc.js');
    execFileSync(
      process.execPath,
      [asc, '--config', 'wasm/lean.asconfig.json', '--target', 'release', '-o', out],
      {
        cwd: root,
      },
    );
    expect(Buffer.compare(readFileSync(out), readFileSync(LEAN_WASM_PATH))).toBe(0);
  });

  it('loads from bytes and rejects bytes that are not WASM', async () => {
    expect((await loadLeanWasm(await readLeanWasm())).kind).toBe('wasm');
    await expect(loadLeanWasm(new Uint8Array([0, 1, 2, 3]))).rejects.toThrow();
  });
});
