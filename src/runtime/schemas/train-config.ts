/** The training config file: data, pipeline, models and training parameters, in twiga's vocabulary. */
import { z } from 'zod';
import { ForecasterConfigSchema } from './forecaster-config.js';
import { ModelConfigSchema } from './model-config.js';
import { PipelineConfigInput } from './pipeline-config.js';

/** twiga's DataPipelineConfig names → ours, so a twiga user's config reads as-is. */
const ALIASES: Record<string, string> = {
  target_feature: 'target',
  target_features: 'target',
  date_column: 'timeColumn',
  time_col: 'timeColumn',
  unique_id: 'idColumn',
  id_col: 'idColumn',
  forecast_horizon: 'horizon',
  lookback_window_size: 'lookback',
  calendar_variables: 'calendar',
  calendar_features: 'calendar',
  exogenous_features: 'exogenous',
  past_exogenous_features: 'pastExogenous',
  checkpoints: 'checkpointRoot',
  checkpoint_dir: 'checkpointRoot',
  model_name: 'name',
  ensemble_strategy: 'ensemble',
  data_pipeline: 'pipeline',
  data_params: 'pipeline',
  model_params: 'models',
  train_params: 'train',
  // LightGBM / scikit-learn names of the gbdt parameters
  n_estimators: 'numTrees',
  num_iterations: 'numTrees',
  num_boost_round: 'numTrees',
  reg_lambda: 'lambdaL2',
  subsample: 'baggingFraction',
  colsample_bytree: 'featureFraction',
  min_child_samples: 'minDataInLeaf',
  max_bin: 'maxBins',
  early_stopping_round: 'earlyStoppingRounds',
  num_trials: 'numTrials',
};

const camel = (key: string) => key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** Rename snake_case and twiga keys to our camelCase names, recursively (values untouched). */
export function normaliseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normaliseKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[ALIASES[k] ?? camel(k)] = normaliseKeys(v);
  return out;
}

/** What loading does with rows sharing a timestamp. */
export const DuplicatePolicy = z.enum(['mean', 'first', 'last', 'error']);
/** What loading does with missing periods. */
export const GapPolicy = z.enum(['interpolate', 'keep', 'error']);

/** Where the training data comes from and how it is repaired. */
export const DataSourceSchema = z
  .object({
    /** CSV, TSV or Parquet file. */
    path: z.string().min(1).optional(),
    /** strptime pattern such as `%d-%m-%Y %H:%M`; auto-detected when absent. */
    timeFormat: z.string().min(1).optional(),
    duplicates: DuplicatePolicy.default('mean'),
    gaps: GapPolicy.default('interpolate'),
    /** A wide file: these columns are series, melted into long format (id = column name, value = the target). */
    melt: z.array(z.string().min(1)).min(1).optional(),
    /** Static features per series for a global model: a CSV or JSON table keyed by the id column. */
    static: z.string().min(1).optional(),
  })
  .strict();

/** Everything `train` needs: data, pipeline, models, training parameters (twiga's names accepted). */
export const TrainConfigSchema = z
  .object({
    data: DataSourceSchema.default({ duplicates: 'mean', gaps: 'interpolate' }),
    pipeline: PipelineConfigInput,
    models: z.array(ModelConfigSchema).min(1).optional(),
    train: ForecasterConfigSchema.default(ForecasterConfigSchema.parse({})),
  })
  .strict();
/** A training config as given (defaults unfilled, twiga's names accepted). */
export type TrainConfigInput = z.input<typeof TrainConfigSchema>;
/** A parsed training config. */
export type TrainConfig = z.output<typeof TrainConfigSchema>;
