/**
 * The platform-free trainers (src/runtime/train) with only the compiled kernel, as on Workers or in a browser,
 * against Node's backend (worker-thread GBDT, date-holidays): the same ONNX bytes and forecasts.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeTrainingBackend } from '../../src/node/training-backend.js';
import { ConfigError } from '../../src/runtime/errors.js';
import { setTrainingBackend } from '../../src/runtime/train/backend.js';
import type { FitResult } from '../../src/runtime/train/fit.js';
import { etth1Frame, testForecasts, trainJob } from '../edge/train-fixture.js';

const frame = etth1Frame(readFileSync(new URL('../../../shared/data/ETTh1.csv', import.meta.url), 'utf8'));
const fitSlice = () => trainJob(frame);

const onnx = (f: FitResult) => Object.entries(f.files).filter(([name]) => name.endsWith('.onnx'));

afterEach(() => setTrainingBackend(nodeTrainingBackend));

describe('training anywhere', () => {
  it('gives the same ONNX bytes and forecasts with only the kernel as with Node threads', async () => {
    // Node's real thread runner, counted, so the test fails if the threaded path was not taken.
    const runners = nodeTrainingBackend.gbdtThreads!;
    let threadedFits = 0;
    setTrainingBackend({
      ...nodeTrainingBackend,
      gbdtThreads: {
        ...runners,
        outputs: (...args) => {
          threadedFits++;
          return runners.outputs(...args);
        },
      },
    });
    const threaded = await fitSlice();
    expect(threadedFits).toBeGreaterThan(0);
    setTrainingBackend({ gbdtKernel: nodeTrainingBackend.gbdtKernel! });
    const bare = await fitSlice();
    expect(onnx(threaded).length).toBe(6);
    expect(onnx(bare).map(([n]) => n)).toEqual(onnx(threaded).map(([n]) => n));
    for (const [i, [name, bytes]] of onnx(bare).entries()) {
      expect(Buffer.from(bytes).equals(Buffer.from(onnx(threaded)[i]![1])), name).toBe(true);
    }
    expect(await testForecasts(bare, frame)).toEqual(await testForecasts(threaded, frame));
  });

  it('rejects a holiday calendar on a platform without a resolver, naming the field', async () => {
    setTrainingBackend({ gbdtKernel: nodeTrainingBackend.gbdtKernel! });
    const error = await trainJob(frame, { pipeline: { holidays: { country: 'CN' } } }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues?.[0]?.path).toBe('holidays');
  });
});
