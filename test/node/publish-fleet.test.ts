/** `publishFleet` / `twiga-edge publish --checkpoints`: every model of a root, only missing files, manifests last. */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsCheckpointStore } from '../../src/node/fs-store.js';
import { openLocalR2, publishFleet } from '../../src/node/publish.js';
import { loadCheckpoint, saveCheckpoint } from '../../src/runtime/checkpoint/checkpoint.js';
import { MemoryCheckpointStore } from '../../src/runtime/checkpoint/memory-store.js';
import { listModels } from '../../src/runtime/checkpoint/models.js';
import type { PutOptions } from '../../src/runtime/checkpoint/store.js';
import { buildFleetFixture, type FleetFixture } from '../edge/fleet-fixture.js';
import { runCli } from './cli-run.js';

/** A real memory store that also records the order of its writes. */
class RecordingStore extends MemoryCheckpointStore {
  readonly writes: string[] = [];
  override async put(key: string, bytes: Uint8Array, options?: PutOptions): Promise<string | undefined> {
    this.writes.push(key);
    return super.put(key, bytes, options);
  }
}

let fixture: FleetFixture;

beforeAll(async () => {
  fixture = await buildFleetFixture(3);
}, 120_000);

afterAll(async () => {
  if (fixture) await rm(fixture.dir, { recursive: true, force: true });
});

describe('publishFleet', () => {
  it('copies every model, every manifest after every file; a second run writes nothing', async () => {
    const dest = new RecordingStore();
    const first = await publishFleet({ checkpoints: fixture.root, destination: dest });
    expect(first.models.map((m) => m.name)).toEqual(fixture.names);
    expect(first.totals).toMatchObject({ models: 3, manifests_written: 3 });
    const manifests = dest.writes
      .map((k, i) => [k, i] as const)
      .filter(([k]) => k.endsWith('_checkpoint_manifest.json'));
    const lastFile = Math.max(
      ...dest.writes.map((k, i) => (k.endsWith('_checkpoint_manifest.json') ? -1 : i)),
    );
    expect(manifests).toHaveLength(3);
    expect(Math.min(...manifests.map(([, i]) => i))).toBeGreaterThan(lastFile);
    expect(await listModels(dest)).toEqual(fixture.names);
    for (const name of fixture.names) {
      const a = await loadCheckpoint(dest, name);
      const b = await loadCheckpoint(new FsCheckpointStore(fixture.root), name);
      expect(a.files).toEqual(b.files);
    }
    dest.writes.length = 0;
    const again = await publishFleet({ checkpoints: fixture.root, destination: dest });
    expect(again.totals).toMatchObject({ objects_written: 0, manifests_written: 0 });
    expect(dest.writes).toEqual([]);

    // One model gains a version: only its new files and its manifest are written.
    const source = new FsCheckpointStore(fixture.root);
    const changed = fixture.names[1]!;
    const current = await loadCheckpoint(source, changed);
    await saveCheckpoint(source, changed, current.files, {
      modelType: current.manifest.model_type,
      checkpointFile: 'pipeline.json',
    });
    const third = await publishFleet({ checkpoints: fixture.root, destination: dest });
    expect(third.totals.manifests_written).toBe(1);
    expect(new Set(dest.writes.map((k) => k.split('/').slice(0, 2).join('/')))).toEqual(new Set([changed]));
    expect(third.models.find((m) => m.name === changed)).toMatchObject({ version: 2, previous_version: 1 });
  });

  it('twiga-edge publish --checkpoints --local puts the fleet in the local R2 state', async () => {
    const persistTo = `${fixture.dir}/state`;
    const r = await runCli(['publish', '--checkpoints', fixture.root, '--local', '--persist-to', persistTo]);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as { totals: { models: number }; persist_to: string };
    expect(summary.totals.models).toBe(3);
    const local = await openLocalR2(persistTo);
    try {
      expect(await listModels(local.store)).toEqual(fixture.names);
    } finally {
      await local.dispose();
    }
    const bad = await runCli(['publish', '--checkpoints', fixture.root, '--name', 'x', '--local']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/name/);
  });
});
