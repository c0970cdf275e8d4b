/** One small real training job (600 ETTh1 rows, four families) that Node, workerd and Chromium all run. */
import type { Frame } from '../../src/runtime/frame.js';
import { createOnnxEngine, type OnnxEngine } from '../../src/runtime/onnx/engine.js';
import { ModelConfigSchema } from '../../src/runtime/schemas/model-config.js';
import { PipelineConfigSchema } from '../../src/runtime/schemas/pipeline-config.js';
import { type FitResult, fitForecaster } from '../../src/runtime/train/fit.js';

/** Rows of ETTh1 the job trains on (the first ones), and where its training rows end. */
export const TRAIN_ROWS = 600;
export const TRAIN_END = 480;

/** ETTh1 CSV text (`date,HUFL,…,OT`) → Frame, first `rows` rows. */
export function etth1Frame(csv: string, rows = TRAIN_ROWS): Frame {
  const lines = csv.trim().split('\n');
  const header = lines[0]!.split(',');
  const body = lines.slice(1, rows + 1).map((l) => l.split(','));
  const time = Float64Array.from(body, (r) => Date.parse(`${r[0]!.replace(' ', 'T')}Z`));
  const columns = Object.fromEntries(
    header.slice(1).map((name, j) => [name, Float64Array.from(body, (r) => Number(r[j + 1]))]),
  );
  return { time, columns };
}

/** The job's pipeline, before parsing (so a test can add fields). */
export const PIPELINE_INPUT = {
  target: 'OT',
  period: '1h',
  horizon: '6h',
  lookback: '1D',
  exogenous: ['HUFL', 'MUFL'],
};

const GBDT = { name: 'gbdt', numTrees: 20, numLeaves: 8, threads: 2 };
const MLP = { name: 'mlp', hidden: [16, 16], epochs: 20, batchSize: 64, batchesPerEpoch: 0 };

/**
 * Seasonal naive, ridge, a small GBDT (two threads where the platform has them) and a small MLP, each of the last
 * two also under `window_norm` (its in-graph normalisation must serve the same forecast everywhere).
 */
export const TRAIN_MODELS = [
  { name: 'seasonal_naive', season: '1D' },
  { name: 'linear', alpha: 1 },
  GBDT,
  { ...GBDT, transform: 'window_norm', label: 'gbdt_window_norm' },
  MLP,
  { ...MLP, transform: 'window_norm', label: 'mlp_window_norm' },
].map((m) => ModelConfigSchema.parse(m));

/**
 * Runs the job with whatever TrainingBackend is installed; `pipeline` overrides the pipeline input, `models`
 * picks some of TRAIN_MODELS.
 */
export function trainJob(
  frame: Frame,
  options: {
    pipeline?: Record<string, unknown>;
    engine?: OnnxEngine;
    trainEnd?: number;
    models?: typeof TRAIN_MODELS;
  } = {},
): Promise<FitResult> {
  const quiet = { info() {}, warn() {}, step() {}, done() {} };
  return fitForecaster({
    frame,
    pipelineConfig: PipelineConfigSchema.parse({ ...PIPELINE_INPUT, ...options.pipeline }),
    models: options.models ?? TRAIN_MODELS,
    trainEnd: options.trainEnd ?? TRAIN_END,
    valFraction: 0.2,
    ensemble: 'mean',
    engine: options.engine ?? createOnnxEngine(),
    logger: quiet,
  });
}

/** The test-split forecasts of a fit, label → plain numbers (JSON-safe for the workerd hand-off). */
export async function testForecasts(fit: FitResult, frame: Frame): Promise<Record<string, number[]>> {
  const { batch } = await fit.forecaster.evaluate(frame, TRAIN_END);
  return Object.fromEntries(Object.entries(batch.predictions).map(([k, v]) => [k, Array.from(v)]));
}
