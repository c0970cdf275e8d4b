/** Fit, evaluate and build the checkpoint files of one series of a per_series fleet (in a thread or here). */
import { seriesScore } from '../runtime/fleet/fleet-metrics.js';
import type { OnnxEngine } from '../runtime/onnx/engine.js';
import { seriesCalibration } from './evaluate.js';
import type { SeriesFit, SeriesJob } from './fleet-thread-api.js';
import { memoryLogger } from './log.js';
import { checkpointFiles, evaluateModels, fitModels } from './training-steps.js';

/** One series' fit through `engine`; what it logs is returned with it. */
export async function fitSeriesJob(job: SeriesJob, engine: OnnxEngine): Promise<SeriesFit> {
  const log = memoryLogger();
  const model = await fitModels({ ...job.input, engine, log });
  const evaluated = await evaluateModels(model);
  const files = checkpointFiles(model, evaluated);
  const calibration = seriesCalibration(model.fit.forecaster, evaluated.test);
  await model.fit.forecaster.release();
  return {
    ...(calibration ? { calibration } : {}),
    files,
    labels: model.labels,
    metrics: evaluated.metrics,
    validationMetrics: evaluated.validationMetrics,
    testWindows: evaluated.testWindows,
    score: seriesScore(job.id, evaluated.test),
    models: model.fit.models.map(({ label, kind, seconds, windows }) => ({ label, kind, seconds, windows })),
    log: log.lines,
  };
}
