/**
 * The GBDT's series feature in a global model: the trainer has threshold splits only, so the series id is
 * encoded as the rank of each series' training-target mean, recorded in pipeline.json (`series_code` and each
 * series' `code`) and read back from there by every platform's forecaster. Older checkpoints read as `index`.
 */
import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../../../src/node/log.js';
import { trainFleet } from '../../../src/node/train-fleet.js';
import { loadCheckpoint } from '../../../src/runtime/checkpoint/checkpoint.js';
import { MemoryCheckpointStore } from '../../../src/runtime/checkpoint/memory-store.js';
import { GlobalSpecSchema } from '../../../src/runtime/fleet/global-spec.js';
import { fleetCsvChunks, syntheticFleet } from '../../../src/runtime/fleet/synthetic-fleet.js';
import { decodePipelineFile, PIPELINE_FILE } from '../../../src/runtime/forecaster-files.js';
import { tempFiles } from '../data/fixtures.js';

describe('global GBDT series code', () => {
  it('is the rank of each series training-target mean, recorded in the checkpoint', async () => {
    const files = tempFiles();
    try {
      const fleet = syntheticFleet({ series: 6, days: 14, seed: 3 });
      const path = files.file('fleet.csv', [...fleetCsvChunks(fleet)].join(''));
      const store = new MemoryCheckpointStore();
      const r = await trainFleet({
        store,
        logger: memoryLogger(),
        config: {
          data: { path },
          pipeline: { target: 'net_load', idColumn: 'unique_id', horizon: 24, lookback: 48 },
          models: [
            {
              name: 'gbdt',
              numTrees: 10,
              numLeaves: 7,
              maxDepth: 3,
              minDataInLeaf: 10,
              earlyStoppingRounds: 0,
            },
          ],
          train: { strategy: 'global', split: { testFraction: 0.2, valFraction: 0.1 } },
        },
      });
      const loaded = await loadCheckpoint(store, r.name);
      const global = decodePipelineFile(loaded.files[PIPELINE_FILE]!).global!;
      expect(global.series_code).toBe('target_mean_rank');
      // Independently: mean of each series' own training rows, ranked.
      const means = fleet.map((s) => {
        const n = r.series[s.id]!.train_rows;
        return { id: s.id, mean: s.net_load.subarray(0, n).reduce((a, b) => a + b, 0) / n };
      });
      const ranked = [...means].sort((a, b) => a.mean - b.mean).map((m) => m.id);
      const codes = Object.fromEntries(global.series.map((s) => [s.id, s.code]));
      expect(ranked.map((id) => codes[id])).toEqual([0, 1, 2, 3, 4, 5]);
      // The levels are random: the rank is not the list order (which `index` would give).
      expect(global.series.map((s) => s.code)).not.toEqual([0, 1, 2, 3, 4, 5]);
    } finally {
      files.cleanup();
    }
  }, 300_000);

  it('reads a checkpoint saved before the field as index codes', () => {
    const spec = GlobalSpecSchema.parse({
      id_column: 'unique_id',
      series: [{ id: 'a', code: 0, scalers: { target: {}, inputs: {} } }],
    });
    expect(spec.series_code).toBe('index');
  });
});
