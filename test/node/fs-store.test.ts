import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { FsCheckpointStore } from '../../src/node/fs-store.js';
import {
  CheckpointConflictError,
  listVersions,
  loadCheckpoint,
  readManifest,
  saveCheckpoint,
  sha256Hex,
} from '../../src/runtime/checkpoint/index.js';
import { CheckpointError, ConfigError } from '../../src/runtime/errors.js';
import { checkpointSuite, filesFor, meta, utf8 } from '../runtime/checkpoint/checkpoint-suite.js';
import { storeContract } from '../runtime/checkpoint/store-contract.js';

const roots: string[] = [];
async function tempRoot(): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'twiga-fs-store-'));
  roots.push(root);
  return root;
}
afterAll(async () => {
  await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })));
});

storeContract('FsCheckpointStore', async () => new FsCheckpointStore(await tempRoot()));
checkpointSuite('fs store', async () => new FsCheckpointStore(await tempRoot()));

describe('FsCheckpointStore specifics', () => {
  it('describes keys as absolute paths and uses the content sha256 as etag', async () => {
    const root = await tempRoot();
    const store = new FsCheckpointStore(root);
    expect(store.describe('twiga/v0001/a.onnx')).toBe(path.join(root, 'twiga', 'v0001', 'a.onnx'));
    const etag = await store.put('twiga/a.bin', utf8('abc'));
    expect(etag).toBe(await sha256Hex(utf8('abc')));
    expect(await new FsCheckpointStore(root).head('twiga/a.bin')).toEqual({
      key: 'twiga/a.bin',
      etag,
      size: 3,
    });
  });

  it('rejects keys escaping the root with a clear error, before touching the disk', async () => {
    const root = await tempRoot();
    const store = new FsCheckpointStore(path.join(root, 'inner'));
    for (const key of ['../outside.txt', 'a/../../outside.txt', path.join(root, 'abs.txt'), 'a\\..\\..\\x']) {
      const error = await store.put(key, utf8('x')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toContain(`Invalid key "${key}"`);
    }
    await expect(store.list('../')).rejects.toBeInstanceOf(ConfigError);
    await expect(loadCheckpoint(store, '../inner')).rejects.toBeInstanceOf(ConfigError);
    expect(await readdir(root)).toEqual([]);
  });

  it('keeps its temp and lock files out of listings and out of reach of keys', async () => {
    const root = await tempRoot();
    const store = new FsCheckpointStore(root);
    await store.put('t/a', utf8('a'));
    await writeFile(path.join(root, 't', 'a.twiga-lock'), '');
    await writeFile(path.join(root, 't', 'b.twiga-tmp-1-x'), '');
    expect(await store.list('t/')).toEqual(['t/a']);
    await expect(store.put('t/a.twiga-lock', utf8('x'))).rejects.toBeInstanceOf(ConfigError);
  });

  it('leaves no temp or lock files behind after writes, including lost compare-and-swaps', async () => {
    const root = await tempRoot();
    const store = new FsCheckpointStore(root);
    await store.put('t/m', utf8('1'));
    await store.put('t/m', utf8('2'), { ifMatch: 'stale' });
    await store.put('t/m', utf8('3'), { ifMatch: null });
    expect(await readdir(path.join(root, 't'))).toEqual(['m']);
  });

  it('rejects a checkpoint whose file had a byte flipped on disk, naming the file and both hashes', async () => {
    const root = await tempRoot();
    const store = new FsCheckpointStore(root);
    const files = filesFor('a');
    await saveCheckpoint(store, 'twiga', files, meta);
    const file = path.join(root, 'twiga', 'v0001', 'linear.onnx');
    const bytes = await readFile(file);
    bytes[0] = bytes[0]! ^ 0xff;
    await writeFile(file, bytes);
    const error = (await loadCheckpoint(store, 'twiga').catch((e: unknown) => e)) as CheckpointError;
    expect(error).toBeInstanceOf(CheckpointError);
    expect(error.code).toBe('CHECKPOINT_CORRUPT');
    expect(error.message).toContain('linear.onnx');
    expect(error.message).toContain(file);
    expect(error.message).toContain(await sha256Hex(files['linear.onnx']!));
    expect(error.message).toContain(await sha256Hex(bytes));
  });

  it('rejects a truncated manifest on disk', async () => {
    const root = await tempRoot();
    const store = new FsCheckpointStore(root);
    await saveCheckpoint(store, 'twiga', filesFor('a'), meta);
    const file = path.join(root, 'twiga', '_checkpoint_manifest.json');
    await writeFile(file, (await readFile(file)).subarray(0, 40));
    await expect(loadCheckpoint(store, 'twiga')).rejects.toThrow(
      `Corrupt twiga/_checkpoint_manifest.json at ${file}`,
    );
  });

  it('two store instances on one directory serialise through the lock file', async () => {
    const root = await tempRoot();
    const stores = [new FsCheckpointStore(root), new FsCheckpointStore(root), new FsCheckpointStore(root)];
    const results = await Promise.all(
      ['a', 'b', 'c', 'd', 'e', 'f'].map((tag, i) =>
        saveCheckpoint(stores[i % 3]!, 'twiga', filesFor(tag), meta),
      ),
    );
    expect(results.map((r) => r.version).sort()).toEqual([1, 2, 3, 4, 5, 6]);
    const { manifest } = (await readManifest(stores[0]!, 'twiga'))!;
    expect(manifest.history.map((h) => h.version).sort()).toEqual([1, 2, 3, 4, 5, 6]);
    expect((await listVersions(stores[1]!, 'twiga')).every((v) => v.complete)).toBe(true);
  });

  it('compare-and-swap holds across processes', async () => {
    const root = await tempRoot();
    const script = path.join(root, 'increment.mts');
    const storeModule = fileURLToPath(new URL('../../src/node/fs-store.ts', import.meta.url));
    await writeFile(
      script,
      `import { FsCheckpointStore } from ${JSON.stringify(storeModule)};
const store = new FsCheckpointStore(process.argv[2]!, { durable: false });
for (let done = 0; done < 15; ) {
  const current = await store.get('counter');
  const next = String(Number(current ? new TextDecoder().decode(current.bytes) : '0') + 1);
  if (await store.put('counter', new TextEncoder().encode(next), { ifMatch: current?.etag ?? null })) done++;
}
`,
    );
    const run = (): Promise<number> =>
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', script, path.join(root, 'store')], {
          cwd: process.cwd(),
          stdio: ['ignore', 'ignore', 'inherit'],
        });
        child.on('error', reject);
        child.on('exit', (code) => resolve(code ?? -1));
      });
    expect(await Promise.all([run(), run(), run()])).toEqual([0, 0, 0]);
    const counter = await new FsCheckpointStore(path.join(root, 'store')).get('counter');
    expect(new TextDecoder().decode(counter?.bytes)).toBe('45');
  });

  it('breaks a lock left by a dead process, waits for a live one, and breaks it once stale', async () => {
    const root = await tempRoot();
    const store = new FsCheckpointStore(root, { lockTimeoutMs: 150, staleLockMs: 60_000 });
    await store.put('k', utf8('0'));
    const lock = path.join(root, 'k.twiga-lock');

    await writeFile(lock, JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), token: 'dead' }));
    expect(await store.put('k', utf8('1'))).toEqual(expect.any(String));

    await writeFile(lock, JSON.stringify({ pid: process.pid, host: hostname(), token: 'live' }));
    const error = await store.put('k', utf8('2')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointConflictError);
    expect((error as Error).message).toContain(lock);

    const old = new Date(Date.now() - 120_000);
    await utimes(lock, old, old);
    expect(await store.put('k', utf8('3'))).toEqual(expect.any(String));
    expect(await readdir(root)).toEqual(['k']);
  });
});
