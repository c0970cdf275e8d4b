/** Checkpoint behaviour over any store; run against the memory store here and the fs store in test/node. */
import { describe, expect, it } from 'vitest';
import {
  CheckpointConflictError,
  type CheckpointStore,
  deleteVersion,
  listVersions,
  loadCheckpoint,
  promote,
  readManifest,
  rollback,
  saveCheckpoint,
  sha256Hex,
} from '../../../src/runtime/checkpoint/index.js';
import { CheckpointError, ConfigError } from '../../../src/runtime/errors.js';
import { withPut } from './with-put.js';

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Files of a small checkpoint whose content depends on `tag`. */
export function filesFor(tag: string): Record<string, Uint8Array> {
  return {
    'pipeline.json': utf8(JSON.stringify({ tag, horizon: 24 })),
    'linear.onnx': utf8(`onnx-bytes-${tag}`),
  };
}

export const meta = { modelType: 'ensemble[seasonal_naive_1D,linear]', checkpointFile: 'pipeline.json' };

/** A clock that ticks one minute per call, from 2024-01-01. */
export function clock(): () => Date {
  let t = Date.UTC(2024, 0, 1);
  return () => {
    t += 60_000;
    return new Date(t);
  };
}

async function rejection(promise: Promise<unknown>): Promise<CheckpointError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CheckpointError);
  return error as CheckpointError;
}

/** Register checkpoint tests for stores made by `make` (fresh and empty each call). */
export function checkpointSuite(label: string, make: () => Promise<CheckpointStore>): void {
  describe(`${label}: checkpoints`, () => {
    it('save → load round trip with a twiga-shaped manifest', async () => {
      const store = await make();
      const files = filesFor('a');
      const metrics = { linear: { mae: 1.5, rmse: 2 }, seasonal_naive_1D: { mae: 3 } };
      const saved = await saveCheckpoint(
        store,
        'twiga',
        files,
        { ...meta, metrics, extra: { rows: 10 } },
        { now: clock() },
      );
      expect(saved.version).toBe(1);
      expect(saved.key).toBe('twiga/v0001');

      const loaded = await loadCheckpoint(store, 'twiga');
      expect(loaded.version).toBe(1);
      expect(loaded.fallback).toBeUndefined();
      expect(loaded.etag).toEqual(expect.any(String));
      expect(loaded.files).toEqual(files);
      expect(loaded.manifest).toEqual(saved.manifest);
      expect(loaded.manifest).toMatchObject({
        format_version: 1,
        version: 1,
        checkpoint_file: 'v0001/pipeline.json',
        model_type: meta.modelType,
        saved_at: '2024-01-01T00:01:00.000Z',
        metrics,
        extra: { rows: 10 },
        files: { 'linear.onnx': { sha256: await sha256Hex(files['linear.onnx']!), size: 12 } },
        history: [{ version: 1, action: 'saved', saved_at: '2024-01-01T00:01:00.000Z', metrics }],
      });
      expect(await store.list('twiga/v0001/')).toEqual([
        'twiga/v0001/_claim.json',
        'twiga/v0001/_version.json',
        'twiga/v0001/linear.onnx',
        'twiga/v0001/pipeline.json',
      ]);
    });

    it('versions increase, list reports them, and the newest is active', async () => {
      const store = await make();
      const now = clock();
      for (const tag of ['a', 'b', 'c']) {
        await saveCheckpoint(
          store,
          'twiga',
          filesFor(tag),
          { ...meta, metrics: { linear: { mae: tag.charCodeAt(0) } } },
          { now },
        );
      }
      const loaded = await loadCheckpoint(store, 'twiga');
      expect(loaded.version).toBe(3);
      expect(loaded.files['pipeline.json']).toEqual(filesFor('c')['pipeline.json']);
      const versions = await listVersions(store, 'twiga');
      expect(versions.map((v) => [v.version, v.complete, v.active])).toEqual([
        [1, true, false],
        [2, true, false],
        [3, true, true],
      ]);
      expect(versions[1]).toMatchObject({ model_type: meta.modelType, metrics: { linear: { mae: 98 } } });
      expect((await loadCheckpoint(store, 'twiga', { version: 1 })).files).toEqual(filesFor('a'));
    });

    it('rollback verifies, activates and records history; the next save gets a fresh number', async () => {
      const store = await make();
      const now = clock();
      for (const tag of ['a', 'b', 'c']) await saveCheckpoint(store, 'twiga', filesFor(tag), meta, { now });

      const manifest = await rollback(store, 'twiga', 2, { now });
      expect(manifest.version).toBe(2);
      expect(manifest.checkpoint_file).toBe('v0002/pipeline.json');
      expect(manifest.history.map((h) => [h.version, h.action])).toEqual([
        [1, 'saved'],
        [2, 'saved'],
        [3, 'saved'],
        [2, 'rollback'],
      ]);
      expect(manifest.history.at(-1)?.saved_at).toBe(manifest.saved_at);
      expect((await loadCheckpoint(store, 'twiga')).files).toEqual(filesFor('b'));

      expect((await rollback(store, 'twiga', 2, { now })).history).toHaveLength(4);
      const missing = await rejection(rollback(store, 'twiga', 9));
      expect(missing.code).toBe('CHECKPOINT_NOT_FOUND');
      expect(missing.message).toContain('v0009');

      const next = await saveCheckpoint(store, 'twiga', filesFor('d'), meta, { now });
      expect(next.version).toBe(4);
      expect((await readManifest(store, 'twiga'))?.manifest.version).toBe(4);
    });

    it('rollback refuses a version whose files were altered', async () => {
      const store = await make();
      await saveCheckpoint(store, 'twiga', filesFor('a'), meta);
      await saveCheckpoint(store, 'twiga', filesFor('b'), meta);
      await store.put('twiga/v0001/linear.onnx', utf8('tampered'));
      const error = await rejection(rollback(store, 'twiga', 1));
      expect(error.code).toBe('CHECKPOINT_CORRUPT');
      expect((await readManifest(store, 'twiga'))?.manifest.version).toBe(2);
    });

    it('rejects an altered file, naming it with the expected and actual hash', async () => {
      const store = await make();
      const files = filesFor('a');
      await saveCheckpoint(store, 'twiga', files, meta);
      const altered = utf8('onnx-bytes-A');
      await store.put('twiga/v0001/linear.onnx', altered);
      const error = await rejection(loadCheckpoint(store, 'twiga'));
      expect(error.code).toBe('CHECKPOINT_CORRUPT');
      expect(error.message).toContain('linear.onnx');
      expect(error.message).toContain(await sha256Hex(files['linear.onnx']!));
      expect(error.message).toContain(await sha256Hex(altered));
      expect(error.message).not.toContain('pipeline.json:');
    });

    it('rejects a missing file, naming it', async () => {
      const store = await make();
      await saveCheckpoint(store, 'twiga', filesFor('a'), meta);
      await store.delete('twiga/v0001/pipeline.json');
      const error = await rejection(loadCheckpoint(store, 'twiga'));
      expect(error.code).toBe('CHECKPOINT_CORRUPT');
      expect(error.message).toMatch(/pipeline\.json: missing/);
    });

    it('rejects a truncated manifest, naming its key', async () => {
      const store = await make();
      await saveCheckpoint(store, 'twiga', filesFor('a'), meta);
      const { bytes } = (await store.get('twiga/_checkpoint_manifest.json'))!;
      await store.put('twiga/_checkpoint_manifest.json', bytes.slice(0, bytes.length / 2));
      const error = await rejection(loadCheckpoint(store, 'twiga'));
      expect(error.code).toBe('CHECKPOINT_CORRUPT');
      expect(error.message).toContain('twiga/_checkpoint_manifest.json');
      expect(error.message).toContain('not valid JSON');
      // A save must not paper over it either.
      await expect(saveCheckpoint(store, 'twiga', filesFor('b'), meta)).rejects.toMatchObject({
        code: 'CHECKPOINT_CORRUPT',
      });
    });

    it('rejects a manifest that fails the schema, naming the field', async () => {
      const store = await make();
      const { manifest } = await saveCheckpoint(store, 'twiga', filesFor('a'), meta);
      const bad = { ...manifest, version: 'one', checkpoint_file: 'v0001/nope.json' };
      await store.put('twiga/_checkpoint_manifest.json', utf8(JSON.stringify(bad)));
      const error = await rejection(loadCheckpoint(store, 'twiga'));
      expect(error.code).toBe('CHECKPOINT_CORRUPT');
      expect(error.message).toMatch(/- version: /);
      expect(error.context['issues']).toEqual(
        expect.arrayContaining([expect.objectContaining({ path: 'version' })]),
      );
    });

    it('without a manifest, falls back to the newest complete version and says so', async () => {
      const store = await make();
      await saveCheckpoint(store, 'twiga', filesFor('a'), meta);
      await saveCheckpoint(store, 'twiga', filesFor('b'), meta);
      await store.delete('twiga/_checkpoint_manifest.json');
      const loaded = await loadCheckpoint(store, 'twiga');
      expect(loaded.version).toBe(2);
      expect(loaded.files).toEqual(filesFor('b'));
      expect(loaded.etag).toBeUndefined();
      expect(loaded.fallback).toMatch(
        /No manifest at .*_checkpoint_manifest\.json; loaded the newest complete version v0002$/,
      );
    });

    it('the fallback skips an incomplete newest version (no _version.json)', async () => {
      const store = await make();
      await saveCheckpoint(store, 'twiga', filesFor('a'), meta);
      await saveCheckpoint(store, 'twiga', filesFor('b'), meta);
      await store.delete('twiga/_checkpoint_manifest.json');
      await store.put('twiga/v0003/linear.onnx', utf8('half-written save'));
      const loaded = await loadCheckpoint(store, 'twiga');
      expect(loaded.version).toBe(2);
      expect(loaded.fallback).toContain('skipped incomplete v0003');
      const listed = await listVersions(store, 'twiga');
      expect(listed.at(-1)).toMatchObject({ version: 3, complete: false, active: false });
      // The incomplete folder is never reused.
      expect((await saveCheckpoint(store, 'twiga', filesFor('c'), meta)).version).toBe(4);
      const incomplete = await rejection(loadCheckpoint(store, 'twiga', { version: 3 }));
      expect(incomplete.code).toBe('CHECKPOINT_NOT_FOUND');
      expect(incomplete.message).toContain('incomplete');
    });

    it('no checkpoint at all is CHECKPOINT_NOT_FOUND naming the location', async () => {
      const store = await make();
      const error = await rejection(loadCheckpoint(store, 'twiga'));
      expect(error.code).toBe('CHECKPOINT_NOT_FOUND');
      expect(error.message).toContain(store.describe('twiga'));
      await store.put('twiga/v0001/linear.onnx', utf8('x'));
      const incomplete = await rejection(loadCheckpoint(store, 'twiga'));
      expect(incomplete.code).toBe('CHECKPOINT_NOT_FOUND');
      expect(incomplete.message).toContain('v0001 lack _version.json');
      expect(await listVersions(store, 'nothing')).toEqual([]);
    });

    it('concurrent saves get distinct versions and the history keeps both', async () => {
      const store = await make();
      const results = await Promise.all(
        ['a', 'b', 'c', 'd'].map((tag) => saveCheckpoint(store, 'twiga', filesFor(tag), meta)),
      );
      expect(results.map((r) => r.version).sort()).toEqual([1, 2, 3, 4]);
      const { manifest } = (await readManifest(store, 'twiga'))!;
      expect(manifest.history.map((h) => h.version).sort()).toEqual([1, 2, 3, 4]);
      expect(manifest.history.at(-1)?.version).toBe(manifest.version);
      for (const r of results) {
        const loaded = await loadCheckpoint(store, 'twiga', { version: r.version });
        expect(loaded.files['linear.onnx']).toEqual(
          filesFor(['a', 'b', 'c', 'd'][results.indexOf(r)]!)['linear.onnx'],
        );
      }
    });

    it('activate: false writes a complete version but leaves the manifest; rollback promotes it', async () => {
      const store = await make();
      await saveCheckpoint(store, 'twiga', filesFor('a'), meta);
      const candidate = await saveCheckpoint(store, 'twiga', filesFor('b'), meta, { activate: false });
      expect(candidate.activated).toBe(false);
      expect((await loadCheckpoint(store, 'twiga')).version).toBe(1);
      expect((await listVersions(store, 'twiga')).map((v) => v.complete)).toEqual([true, true]);
      expect((await rollback(store, 'twiga', candidate.version)).version).toBe(2);
    });

    it('bad input is a ConfigError and writes nothing', async () => {
      const store = await make();
      const bad = [
        saveCheckpoint(store, 'twiga', filesFor('a'), { ...meta, checkpointFile: 'model.json' }),
        saveCheckpoint(store, '../twiga', filesFor('a'), meta),
        saveCheckpoint(store, 'twiga', { ...filesFor('a'), '_version.json': utf8('{}') }, meta),
        saveCheckpoint(store, 'twiga', { '../x': utf8('x'), ...filesFor('a') }, meta),
        saveCheckpoint(store, 'twiga', filesFor('a'), { ...meta, metrics: { linear: { mae: Number.NaN } } }),
        saveCheckpoint(store, 'twiga', {}, meta),
        loadCheckpoint(store, 'twiga', { version: 0 }),
      ];
      for (const attempt of bad) await expect(attempt).rejects.toBeInstanceOf(ConfigError);
      expect(await store.list('')).toEqual([]);
    });

    it('gives up with CheckpointConflictError when the manifest swap keeps losing', async () => {
      const inner = await make();
      const losing = withPut(inner, async (key, bytes, options) =>
        key.endsWith('_checkpoint_manifest.json') ? undefined : inner.put(key, bytes, options),
      );
      const error = await saveCheckpoint(losing, 'twiga', filesFor('a'), meta).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CheckpointConflictError);
      expect((error as Error).message).toContain('lost the compare-and-swap');
      expect(await readManifest(inner, 'twiga')).toBeUndefined();
      expect((await loadCheckpoint(inner, 'twiga')).fallback).toContain('v0001');
    });

    it('an interrupted save removes what it wrote of its version and rethrows; the next save reuses the number', async () => {
      const inner = await make();
      await saveCheckpoint(inner, 'twiga', filesFor('a'), meta);
      // Injected fault: the second file of the next version fails to write, as a full or failing disk would.
      const failing = withPut(inner, async (key, bytes, options) => {
        if (key === 'twiga/v0002/linear.onnx')
          throw Object.assign(new Error('EIO: i/o error'), { code: 'EIO' });
        return inner.put(key, bytes, options);
      });
      const before = await inner.list('twiga/');
      const error = await saveCheckpoint(failing, 'twiga', filesFor('b'), meta).catch((e: unknown) => e);
      expect((error as { code?: string }).code).toBe('EIO');
      expect(await inner.list('twiga/')).toEqual(before);
      expect((await readManifest(inner, 'twiga'))?.manifest.version).toBe(1);
      expect((await saveCheckpoint(inner, 'twiga', filesFor('b'), meta)).version).toBe(2);
    });

    it('a manifest that no longer parses: an inactive save still works, and promote replaces it against its etag', async () => {
      const store = await make();
      await saveCheckpoint(store, 'twiga', filesFor('a'), meta);
      await store.put('twiga/_checkpoint_manifest.json', utf8('{"format_version": 1, "vers'));
      const etag = (await store.head('twiga/_checkpoint_manifest.json'))!.etag;
      await expect(saveCheckpoint(store, 'twiga', filesFor('b'), meta)).rejects.toThrow(CheckpointError);
      const saved = await saveCheckpoint(store, 'twiga', filesFor('b'), meta, { activate: false });
      expect(saved.version).toBe(2);
      await expect(promote(store, 'twiga', 2, { ifMatch: 'stale' })).rejects.toThrow(CheckpointConflictError);
      const { manifest } = await promote(store, 'twiga', 2, { ifMatch: etag });
      expect(manifest.history.map((h) => [h.version, h.action])).toEqual([[2, 'promoted']]);
      expect((await loadCheckpoint(store, 'twiga')).version).toBe(2);
    });

    it('deleteVersion removes an inactive version and refuses the active one', async () => {
      const store = await make();
      await saveCheckpoint(store, 'twiga', filesFor('a'), meta);
      await saveCheckpoint(store, 'twiga', filesFor('b'), meta, { activate: false });
      await expect(deleteVersion(store, 'twiga', 1)).rejects.toThrow(/v0001 of "twiga" is active/);
      await deleteVersion(store, 'twiga', 2);
      expect((await listVersions(store, 'twiga')).map((v) => v.version)).toEqual([1]);
    });

    it('promote swaps the manifest only against the etag it was decided on: of two concurrent ones, one wins', async () => {
      const store = await make();
      await saveCheckpoint(store, 'twiga', filesFor('a'), meta);
      const b = await saveCheckpoint(store, 'twiga', filesFor('b'), meta, { activate: false });
      const c = await saveCheckpoint(store, 'twiga', filesFor('c'), meta, { activate: false });
      const seen = (await readManifest(store, 'twiga'))!;
      const results = await Promise.allSettled([
        promote(store, 'twiga', b.version, { ifMatch: seen.etag }),
        promote(store, 'twiga', c.version, { ifMatch: seen.etag }),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(lost.reason).toBeInstanceOf(CheckpointConflictError);
      expect((lost.reason as Error).message).toMatch(/changed since it was read/);
      const won = results.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<{ etag: string }>;
      const live = (await readManifest(store, 'twiga'))!;
      expect(live.etag).toBe(won.value.etag);
      expect(live.manifest.history.at(-1)).toMatchObject({
        action: 'promoted',
        version: live.manifest.version,
      });
      // A stale decision is refused even when nobody races it.
      await expect(promote(store, 'twiga', b.version, { ifMatch: seen.etag })).rejects.toBeInstanceOf(
        CheckpointConflictError,
      );
      // The first promotion of a checkpoint without a manifest expects none.
      const fresh = await make();
      const v1 = await saveCheckpoint(fresh, 'twiga', filesFor('a'), meta, { activate: false });
      expect((await promote(fresh, 'twiga', v1.version, { ifMatch: null })).manifest.version).toBe(1);
    });

    it('promote verifies the version first and refuses a corrupt or missing one', async () => {
      const store = await make();
      await saveCheckpoint(store, 'twiga', filesFor('a'), meta);
      const b = await saveCheckpoint(store, 'twiga', filesFor('b'), meta, { activate: false });
      await store.put(`${b.key}/linear.onnx`, utf8('tampered'));
      const seen = (await readManifest(store, 'twiga'))!;
      expect((await rejection(promote(store, 'twiga', b.version, { ifMatch: seen.etag }))).message).toMatch(
        /linear\.onnx/,
      );
      expect((await rejection(promote(store, 'twiga', 9, { ifMatch: seen.etag }))).code).toBe(
        'CHECKPOINT_NOT_FOUND',
      );
      expect((await readManifest(store, 'twiga'))!.etag).toBe(seen.etag);
    });
  });
}
