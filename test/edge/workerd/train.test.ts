/** Training inside workerd: the runtime trainers (gbdt.wasm as a precompiled module, the MLP in plain JS) give Node's forecasts. */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { initEdgeRuntime } from '../../../src/edge/wasm.js';
import { setTrainingBackend } from '../../../src/runtime/train/backend.js';
import gbdtModule from '../../../wasm/build/gbdt.wasm';
import { etth1Frame, testForecasts, trainJob } from '../train-fixture.js';

describe('training in workerd', () => {
  it('trains seasonal naive, ridge, GBDT (single thread) and the MLP to the forecasts Node trained', async () => {
    setTrainingBackend({ gbdtKernel: () => gbdtModule });
    const frame = etth1Frame(env.TEST_TRAIN_CSV);
    const { engine } = await initEdgeRuntime();
    const fit = await trainJob(frame, { engine });
    const here = await testForecasts(fit, frame);
    const node = env.TEST_TRAIN_NODE_FORECAST;
    expect(Object.keys(here).sort()).toEqual(Object.keys(node).sort());
    expect(Object.keys(here)).toContain('mlp');
    for (const [label, values] of Object.entries(node)) {
      const got = here[label]!;
      expect(got.length, label).toBe(values.length);
      // ≤ 1e-9 relative for ridge and seasonal naive; GBDT trees are identical, so its forecasts are too; the MLP's
      // float64 training is IEEE arithmetic in the same order, so its weights (and forecasts) are Node's.
      for (let i = 0; i < values.length; i++) {
        expect(Math.abs(got[i]! - values[i]!), `${label}[${i}]`).toBeLessThanOrEqual(
          1e-9 * Math.abs(values[i]!),
        );
      }
    }
  });
});
