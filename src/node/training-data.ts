/** Validate a training config, load and repair its data, and resolve the pipeline and model list. */
import { ConfigError } from '../runtime/errors.js';
import { requiredColumns } from '../runtime/features/pipeline.js';
import type { ModelConfig } from '../runtime/schemas/model-config.js';
import { parseWith } from '../runtime/schemas/parse.js';
import { type PipelineConfig, PipelineConfigSchema } from '../runtime/schemas/pipeline-config.js';
import {
  type TrainConfig,
  type TrainConfigInput,
  TrainConfigSchema,
} from '../runtime/schemas/train-config.js';
import { type LoadResult, loadData } from './data/index.js';
import type { Logger } from './log.js';

/** Loaded, repaired data with the parsed config, pipeline config and models it is trained with. */
export interface TrainingData extends LoadResult {
  config: TrainConfig;
  path: string;
  pipelineConfig: PipelineConfig;
  models: ModelConfig[];
}

/** Models trained when none are named: seasonal naive at one day and one week (when the lookback allows), and ridge. */
export function defaultModels(lookbackSteps: number, periodMs: number): ModelConfig[] {
  const models: ModelConfig[] = [];
  for (const season of ['1D', '7D']) {
    const steps = (season === '1D' ? 86_400_000 : 604_800_000) / periodMs;
    if (Number.isInteger(steps) && steps <= lookbackSteps) models.push({ name: 'seasonal_naive', season });
  }
  models.push({ name: 'linear', alpha: 1 });
  return models;
}

/** Parse a training config (every bad field named) that must name its data file. */
export function parseTrainConfig(input: TrainConfigInput): { config: TrainConfig; path: string } {
  const config = parseWith(TrainConfigSchema, input, 'training config');
  const path = config.data.path;
  if (!path) {
    throw new ConfigError('Invalid training config:\n  - data.path: a data file is required', [
      { path: 'data.path', message: 'a data file is required' },
    ]);
  }
  return { config, path };
}

/** Parse the config (every bad field named), load the data file, infer the period if none was given. */
export async function loadTrainingData(input: TrainConfigInput, log: Logger): Promise<TrainingData> {
  const { config, path } = parseTrainConfig(input);
  if (config.pipeline.idColumn !== undefined || config.data.melt !== undefined) {
    const message =
      'this config describes a fleet (an id column or a wide file to melt): train it with trainFleet / fleetTrainingFlow (twiga-edge train)';
    throw new ConfigError(`Invalid training config:\n  - pipeline.idColumn: ${message}`, [
      { path: config.pipeline.idColumn !== undefined ? 'pipeline.idColumn' : 'data.melt', message },
    ]);
  }
  // Check the pipeline before reading data; the period may still come from the data itself.
  const draft = parseWith(
    PipelineConfigSchema,
    { period: '1h', ...config.pipeline },
    'pipeline config',
    'pipeline',
  );
  const loaded = await loadData(path, {
    timeColumn: draft.timeColumn,
    columns: requiredColumns(draft),
    duplicates: config.data.duplicates,
    gaps: config.data.gaps,
    ...(config.pipeline.period ? { period: config.pipeline.period } : {}),
    ...(config.data.timeFormat ? { timeFormat: config.data.timeFormat } : {}),
  });
  for (const action of loaded.report.actions) log.info(action);
  if (!config.pipeline.period) log.info(`period ${loaded.report.period} inferred from the data`);
  const pipelineConfig = parseWith(
    PipelineConfigSchema,
    { ...config.pipeline, period: config.pipeline.period ?? loaded.report.period },
    'pipeline config',
    'pipeline',
  );
  const models = config.models ?? defaultModels(pipelineConfig.lookback, pipelineConfig.periodMs);
  return { ...loaded, config, path, pipelineConfig, models };
}
