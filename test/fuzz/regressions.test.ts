/** Regression tests for what the fuzzers found (beyond the time range, see time-range-suite.ts). */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeColumnsInThread } from '../../src/node/data/parquet-decode.js';
import { FsCheckpointStore } from '../../src/node/fs-store.js';
import { DataError } from '../../src/runtime/errors.js';

const RLE_HANG = fileURLToPath(new URL('../fixtures/fuzz/rle-hang.parquet', import.meta.url));

describe('fuzzer finds', () => {
  it('a damaged Parquet page whose RLE run length is garbage is a DataError after the limit, not a hang', async () => {
    // Found by test/fuzz/loaders.test.ts: hyparquet's readRle looped for minutes on this file.
    const file = await readFile(RLE_HANG);
    const bytes = file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer;
    const started = Date.now();
    const error = await decodeColumnsInThread(bytes, ['timestamp', 'value'], RLE_HANG, 1500).catch((e) => e);
    expect(error).toBeInstanceOf(DataError);
    expect((error as DataError).message).toContain(RLE_HANG);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('a file-store key too long for the file system is absent, not an error', async () => {
    // Found by the route fuzzer: GET /checkpoints/twiga/v0001/<3000 chars> answered 500 (ENAMETOOLONG).
    const dir = await mkdtemp(join(tmpdir(), 'twiga-long-key-'));
    try {
      const store = new FsCheckpointStore(dir);
      expect(await store.get(`twiga/v0001/${'a'.repeat(3000)}`)).toBeUndefined();
      expect(await store.head(`twiga/v0001/${'a'.repeat(3000)}`)).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
