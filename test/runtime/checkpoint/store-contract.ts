/** Behaviour every CheckpointStore must share; each platform's test runs it against its own store. */
import { describe, expect, it } from 'vitest';
import { listModels } from '../../../src/runtime/checkpoint/models.js';
import type { CheckpointStore } from '../../../src/runtime/checkpoint/store.js';
import { ConfigError } from '../../../src/runtime/errors.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (data: Uint8Array | undefined): string | undefined => data && new TextDecoder().decode(data);

/** Register the CheckpointStore contract tests for stores made by `make` (a fresh, empty store each call). */
export function storeContract(label: string, make: () => Promise<CheckpointStore>): void {
  describe(`${label}: CheckpointStore contract`, () => {
    it('round-trips bytes with an etag; head agrees; missing keys are undefined', async () => {
      const store = await make();
      expect(await store.get('a/b.txt')).toBeUndefined();
      expect(await store.head('a/b.txt')).toBeUndefined();
      const etag = await store.put('a/b.txt', bytes('hello'));
      expect(etag).toEqual(expect.any(String));
      const got = await store.get('a/b.txt');
      expect(text(got?.bytes)).toBe('hello');
      expect(got?.etag).toBe(etag);
      expect(await store.head('a/b.txt')).toEqual({ key: 'a/b.txt', etag, size: 5 });
    });

    it('changes the etag when the bytes change', async () => {
      const store = await make();
      const first = await store.put('k', bytes('one'));
      const second = await store.put('k', bytes('two'));
      expect(second).not.toBe(first);
    });

    it('ifMatch null creates only when absent', async () => {
      const store = await make();
      expect(await store.put('k', bytes('one'), { ifMatch: null })).toEqual(expect.any(String));
      expect(await store.put('k', bytes('two'), { ifMatch: null })).toBeUndefined();
      expect(text((await store.get('k'))?.bytes)).toBe('one');
    });

    it('compare-and-swap: a stale etag returns undefined and leaves the object alone', async () => {
      const store = await make();
      const stale = (await store.put('m.json', bytes('v1')))!;
      const fresh = (await store.put('m.json', bytes('v2'), { ifMatch: stale }))!;
      expect(fresh).toEqual(expect.any(String));
      expect(await store.put('m.json', bytes('v3'), { ifMatch: stale })).toBeUndefined();
      expect(await store.put('absent.json', bytes('x'), { ifMatch: fresh })).toBeUndefined();
      expect(text((await store.get('m.json'))?.bytes)).toBe('v2');
      expect(await store.put('m.json', bytes('v3'), { ifMatch: fresh })).toEqual(expect.any(String));
    });

    it('lists keys under a prefix recursively, sorted', async () => {
      const store = await make();
      for (const key of ['t/v0002/b', 't/v0001/a', 't/m.json', 'tx/other', 'u/x'])
        await store.put(key, bytes(key));
      expect(await store.list('t/')).toEqual(['t/m.json', 't/v0001/a', 't/v0002/b']);
      expect(await store.list('t/v000')).toEqual(['t/v0001/a', 't/v0002/b']);
      expect(await store.list('nothing/')).toEqual([]);
    });

    it('lists models under a prefix: manifests, complete versions, the fleet layout one level down', async () => {
      const store = await make();
      const keys = [
        'solo/_checkpoint_manifest.json',
        'solo/v0001/_version.json',
        'fallback/v0002/_version.json',
        'half-saved/v0001/linear.onnx',
        'feeders/f001/_checkpoint_manifest.json',
        'feeders/f002/v0001/_version.json',
        'feeders/f010/_checkpoint_manifest.json',
        'reports/solo/drift/latest.json',
        'a/b/c/_checkpoint_manifest.json',
      ];
      for (const key of keys) await store.put(key, bytes(key));
      expect(await listModels(store)).toEqual([
        'fallback',
        'feeders/f001',
        'feeders/f002',
        'feeders/f010',
        'solo',
      ]);
      expect(await listModels(store, 'feeders/')).toEqual(['feeders/f001', 'feeders/f002', 'feeders/f010']);
      expect(await listModels(store, 'nothing/')).toEqual([]);
    });

    it('deletes, and deleting again is fine', async () => {
      const store = await make();
      await store.put('d/x', bytes('x'));
      await store.delete('d/x');
      await store.delete('d/x');
      expect(await store.get('d/x')).toBeUndefined();
    });

    it('does not share buffers with callers', async () => {
      const store = await make();
      const data = bytes('abc');
      await store.put('c', data);
      data[0] = 0;
      const got = (await store.get('c'))!;
      got.bytes[1] = 0;
      expect(text((await store.get('c'))?.bytes)).toBe('abc');
    });

    it.each(['../escape', '/etc/passwd', 'a/../../b', 'a/./b', 'a//b', 'a\\..\\b', 'C:/x', ''])(
      'rejects the unsafe key %j',
      async (key) => {
        const store = await make();
        await expect(store.put(key, bytes('x'))).rejects.toBeInstanceOf(ConfigError);
        await expect(store.get(key)).rejects.toThrow(/Invalid key/);
      },
    );
  });
}
