/**
 * The retraining tests' shared set-up, platform-free (Node and workerd import it): an incumbent trained
 * and saved for real, recent data as CSV or JSON bytes, and `fitCandidate` bound to a platform's engine
 * and backend as the tasks take it.
 */
import type { CheckpointStore } from '../../../src/runtime/checkpoint/store.js';
import type { Frame } from '../../../src/runtime/frame.js';
import type { OnnxEngine } from '../../../src/runtime/onnx/engine.js';
import { fitCandidate } from '../../../src/runtime/retrain/fit-candidate.js';
import type { FitCandidate } from '../../../src/runtime/retrain/tasks.js';
import type { ModelConfig } from '../../../src/runtime/schemas/model-config.js';
import type { PipelineConfig } from '../../../src/runtime/schemas/pipeline-config.js';
import { formatTimestamp } from '../../../src/runtime/time-format.js';
import type { TrainingBackend } from '../../../src/runtime/train/backend.js';
import {
  checkpointFiles,
  evaluateModels,
  fitModels,
  saveModelCheckpoint,
} from '../../../src/runtime/train/training-steps.js';

export const quiet = { info() {}, warn() {}, step() {}, done() {} };

/** Rows `[start, end)` of a net-load series as a Frame. */
export const netLoadFrame = (time: Float64Array, y: Float64Array, start: number, end: number): Frame => ({
  time: time.slice(start, end),
  columns: { net_load: y.slice(start, end) },
});

/** Rows `[start, end)` as `{ timestamp, net_load }` records. */
export const netLoadRecords = (time: Float64Array, y: Float64Array, start: number, end: number) =>
  Array.from({ length: end - start }, (_, i) => ({
    timestamp: formatTimestamp(time[start + i]!),
    net_load: y[start + i]!,
  }));

/** Rows `[start, end)` as a data file's bytes: `timestamp,net_load` CSV or JSON records. */
export function netLoadFile(
  format: 'csv' | 'json',
  time: Float64Array,
  y: Float64Array,
  start: number,
  end: number,
): Uint8Array {
  const rows = netLoadRecords(time, y, start, end);
  const text =
    format === 'json'
      ? JSON.stringify(rows)
      : `${['timestamp,net_load', ...rows.map((r) => `${r.timestamp},${r.net_load}`)].join('\n')}\n`;
  return new TextEncoder().encode(text);
}

/**
 * Trains `models` on `frame` (test split from `testStart`) and saves it as `name`'s active version,
 * as a training job would: the incumbent a retraining run starts from.
 */
export async function saveIncumbent(options: {
  store: CheckpointStore;
  name: string;
  frame: Frame;
  pipelineConfig: PipelineConfig;
  models: ModelConfig[];
  testStart: number;
  engine: OnnxEngine;
  backend?: TrainingBackend;
}): Promise<void> {
  const { frame, testStart } = options;
  const fitted = await fitModels({
    frame,
    pipelineConfig: options.pipelineConfig,
    models: options.models,
    split: { trainEnd: testStart, testStart, rule: `rows from ${testStart} as test` },
    valFraction: 0.2,
    ensemble: 'mean',
    runId: `seed-${options.name}`,
    source: 'syntheticNetLoad',
    engine: options.engine,
    log: quiet,
    ...(options.backend ? { backend: options.backend } : {}),
  });
  const evaluated = await evaluateModels(fitted);
  await saveModelCheckpoint(
    options.store,
    options.name,
    fitted,
    evaluated,
    checkpointFiles(fitted, evaluated),
  );
}

/** `fitCandidate` with the platform's engine and backend bound, as runRetrainTasks and workJob take it. */
export function fitWith(
  engine: () => Promise<OnnxEngine> | OnnxEngine,
  backend?: TrainingBackend,
): FitCandidate {
  return async (input) => fitCandidate({ ...input, engine: await engine(), ...(backend ? { backend } : {}) });
}
