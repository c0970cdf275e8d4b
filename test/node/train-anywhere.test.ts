/**
 * The platform-free trainers (src/runtime/train) with only the compiled kernel, as on Workers or in a browser,
 * against Node's backend (worker-thread GBDT, date-holidays): the same ONNX bytes and forecasts.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../src/node/log.js';
import { nodeTrainingBackend } from '../../src/node/training-backend.js';
import { ConfigError } from '../../src/runtime/errors.js';
import type { Frame } from '../../src/runtime/frame.js';
import { createOnnxEngine } from '../../src/runtime/onnx/engine.js';
import { ModelConfigSchema } from '../../src/runtime/schemas/model-config.js';
import { PipelineConfigSchema } from '../../src/runtime/schemas/pipeline-config.js';
import { setTrainingBackend } from '../../src/runtime/train/backend.js';
import { type FitResult, fitForecaster } from '../../src/runtime/train/fit.js';

/** The first 600 hourly rows of ETTh1 (real data, kept small so the test stays cheap). */
function etth1(rows: number): Frame {
  const lines = readFileSync(new URL('../../../shared/data/ETTh1.csv', import.meta.url), 'utf8')
    .trim()
    .split('\n');
  const header = lines[0]!.split(',');
  const body = lines.slice(1, rows + 1).map((l) => l.split(','));
  const time = Float64Array.from(body, (r) => Date.parse(`${r[0]!.replace(' ', 'T')}Z`));
  const columns = Object.fromEntries(
    header.slice(1).map((name, j) => [name, Float64Array.from(body, (r) => Number(r[j + 1]))]),
  );
  return { time, columns };
}

const frame = etth1(600);
const pipelineInput = {
  target: 'OT',
  period: '1h',
  horizon: '6h',
  lookback: '1D',
  exogenous: ['HUFL', 'MUFL'],
};
const pipelineConfig = PipelineConfigSchema.parse(pipelineInput);
const models = [
  { name: 'seasonal_naive', season: '1D' },
  { name: 'linear', alpha: 1 },
  { name: 'gbdt', numTrees: 20, numLeaves: 8, threads: 2 },
].map((m) => ModelConfigSchema.parse(m));

const fit = (config = pipelineConfig): Promise<FitResult> =>
  fitForecaster({
    frame,
    pipelineConfig: config,
    models,
    trainEnd: 480,
    valFraction: 0.2,
    ensemble: 'mean',
    engine: createOnnxEngine(),
    logger: memoryLogger(),
  });

const onnx = (f: FitResult) => Object.entries(f.files).filter(([name]) => name.endsWith('.onnx'));

afterEach(() => setTrainingBackend(nodeTrainingBackend));

describe('training anywhere', () => {
  it('gives the same ONNX bytes and forecasts with only the kernel as with Node threads', async () => {
    // Node's real thread runner, counted, so the test fails if the threaded path was not taken.
    const runners = nodeTrainingBackend.gbdtThreads!;
    let threadedFits = 0;
    setTrainingBackend({
      ...nodeTrainingBackend,
      gbdtThreads: { ...runners, outputs: (...args) => (threadedFits++, runners.outputs(...args)) },
    });
    const threaded = await fit();
    expect(threadedFits).toBeGreaterThan(0);
    setTrainingBackend({ gbdtKernel: nodeTrainingBackend.gbdtKernel! });
    const bare = await fit();
    expect(onnx(threaded).length).toBe(3);
    expect(onnx(bare).map(([n]) => n)).toEqual(onnx(threaded).map(([n]) => n));
    for (const [i, [name, bytes]] of onnx(bare).entries()) {
      expect(Buffer.from(bytes).equals(Buffer.from(onnx(threaded)[i]![1])), name).toBe(true);
    }
    const a = await threaded.forecaster.evaluate(frame, 480);
    const b = await bare.forecaster.evaluate(frame, 480);
    expect(b.batch.predictions).toEqual(a.batch.predictions);
  });

  it('rejects a holiday calendar on a platform without a resolver, naming the field', async () => {
    setTrainingBackend({ gbdtKernel: nodeTrainingBackend.gbdtKernel! });
    const withHolidays = PipelineConfigSchema.parse({ ...pipelineInput, holidays: { country: 'CN' } });
    const error = await fit(withHolidays).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues?.[0]?.path).toBe('holidays');
  });
});
