/** R2CheckpointStore inside workerd, against the real local R2 binding. */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { R2CheckpointStore } from '../../../src/edge/r2-store.js';
import type { R2BucketLike, R2ListOptionsLike } from '../../../src/edge/r2-types.js';
import { loadCheckpoint, MANIFEST_FILE, saveCheckpoint } from '../../../src/runtime/checkpoint/index.js';
import { ConfigError } from '../../../src/runtime/errors.js';
import { checkpointSuite, meta, utf8 } from '../../runtime/checkpoint/checkpoint-suite.js';
import { storeContract } from '../../runtime/checkpoint/store-contract.js';
import { CHECKPOINT_NAME } from './provided.js';
import { checkpointFiles, seedCheckpoint } from './seed.js';

let stores = 0;
const nextPrefix = (): string => `run-${++stores}/`;
/** A fresh, empty store: each gets its own prefix in the one bucket. */
const fresh = async (): Promise<R2CheckpointStore> =>
  new R2CheckpointStore(env.CHECKPOINTS, { prefix: nextPrefix(), bucketName: 'twiga-checkpoints' });
const text = (bytes: Uint8Array | undefined): string | undefined => bytes && new TextDecoder().decode(bytes);

storeContract('R2CheckpointStore', fresh);
checkpointSuite('R2 store', fresh);

describe('R2CheckpointStore on the R2 binding', () => {
  it('stores keys under its prefix, with R2 etags, and describes them as r2:// URLs', async () => {
    const prefix = nextPrefix();
    const store = new R2CheckpointStore(env.CHECKPOINTS, { prefix: prefix.slice(0, -1), bucketName: 'b' });
    const etag = await store.put('twiga/v0001/a.onnx', utf8('abc'));
    const raw = await env.CHECKPOINTS.head(`${prefix}twiga/v0001/a.onnx`);
    expect(raw?.etag).toBe(etag);
    expect(await store.head('twiga/v0001/a.onnx')).toEqual({ key: 'twiga/v0001/a.onnx', etag, size: 3 });
    expect(store.describe('twiga/v0001/a.onnx')).toBe(`r2://b/${prefix}twiga/v0001/a.onnx`);
    expect(new R2CheckpointStore(env.CHECKPOINTS).describe('k')).toBe('r2://bucket/k');
    expect(() => new R2CheckpointStore(env.CHECKPOINTS, { prefix: '../up/' })).toThrow(ConfigError);
  });

  it('list follows the cursor over every page', async () => {
    const prefix = nextPrefix();
    const pages: R2ListOptionsLike[] = [];
    const counting: R2BucketLike = {
      get: (key) => env.CHECKPOINTS.get(key),
      head: (key) => env.CHECKPOINTS.head(key),
      put: (key, value, options) => env.CHECKPOINTS.put(key, value, options),
      delete: (keys) => env.CHECKPOINTS.delete(keys),
      list: (options) => {
        pages.push({ ...options });
        return env.CHECKPOINTS.list(options);
      },
    };
    const store = new R2CheckpointStore(counting, { prefix, pageSize: 2 });
    const keys = ['t/v0003/c', 't/v0001/a', 't/m.json', 't/v0002/b', 't/v0001/z', 'u/x', 'tx/y'];
    await Promise.all(keys.map((key) => store.put(key, utf8(key))));
    expect(await store.list('t/')).toEqual(['t/m.json', 't/v0001/a', 't/v0001/z', 't/v0002/b', 't/v0003/c']);
    expect(pages).toHaveLength(3);
    expect(pages.map((p) => [p.prefix, p.limit])).toEqual(new Array(3).fill([`${prefix}t/`, 2]));
    expect(pages[0]?.cursor).toBeUndefined();
    expect(pages.slice(1).every((p) => typeof p.cursor === 'string')).toBe(true);
    expect(await store.list('')).toHaveLength(keys.length);
  });

  it('of concurrent create-if-absent writers exactly one wins', async () => {
    const store = await fresh();
    const writers = Array.from({ length: 8 }, (_, i) =>
      store.put('claim', utf8(`writer ${i}`), { ifMatch: null }),
    );
    const results = await Promise.all(writers);
    const winners = results.flatMap((etag, i) => (etag === undefined ? [] : [i]));
    expect(winners).toHaveLength(1);
    expect(text((await store.get('claim'))?.bytes)).toBe(`writer ${winners[0]}`);
  });

  it('of concurrent compare-and-swaps from one etag exactly one wins; a stale etag loses', async () => {
    const store = await fresh();
    const base = (await store.put('m.json', utf8('base')))!;
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => store.put('m.json', utf8(`next ${i}`), { ifMatch: base })),
    );
    const winners = results.flatMap((etag, i) => (etag === undefined ? [] : [i]));
    expect(winners).toHaveLength(1);
    const current = (await store.get('m.json'))!;
    expect(text(current.bytes)).toBe(`next ${winners[0]}`);
    expect(current.etag).toBe(results[winners[0]!]);
    expect(await store.put('m.json', utf8('late'), { ifMatch: base })).toBeUndefined();
    expect(await store.put('m.json', utf8('dup'), { ifMatch: null })).toBeUndefined();
    expect(text((await store.get('m.json'))?.bytes)).toBe(`next ${winners[0]}`);
  });

  it('loads the checkpoint trained in Node, saves it again and reads back the same bytes', async () => {
    const prefix = nextPrefix();
    const seeded = await seedCheckpoint(prefix);
    expect(seeded).toContain(`${prefix}${CHECKPOINT_NAME}/${MANIFEST_FILE}`);
    const store = new R2CheckpointStore(env.CHECKPOINTS, { prefix });
    const loaded = await loadCheckpoint(store, CHECKPOINT_NAME);
    expect(loaded.version).toBe(1);
    expect(Object.keys(loaded.files).sort()).toEqual([
      'linear.onnx',
      'pipeline.json',
      'reference.json',
      'seasonal_naive_1D.onnx',
    ]);
    const original = checkpointFiles();
    for (const [file, bytes] of Object.entries(loaded.files)) {
      expect(bytes).toEqual(original[`${CHECKPOINT_NAME}/v0001/${file}`]);
    }
    const saved = await saveCheckpoint(store, CHECKPOINT_NAME, loaded.files, meta);
    expect(saved.version).toBe(2);
    const again = await loadCheckpoint(store, CHECKPOINT_NAME);
    expect(again.version).toBe(2);
    expect(again.etag).toBe((await store.head(`${CHECKPOINT_NAME}/${MANIFEST_FILE}`))?.etag);
    expect(again.files).toEqual(loaded.files);
  });
});
