/** The checkpoint's file set: pipeline.json (pipeline + model list) and one ONNX file per model. */
import { z } from 'zod';
import { type Conformal, ConformalSchema } from './conformal.js';
import { type EnsembleWeights, EnsembleWeightsSchema } from './ensemble-weights.js';
import { CheckpointError } from './errors.js';
import { type FittedPipeline, pipelineFromJson, pipelineToJson } from './features/pipeline.js';
import { type GlobalSpec, GlobalSpecSchema } from './fleet/global-spec.js';
import {
  ENSEMBLE_STRATEGIES,
  type EnsembleStrategy,
  type IntervalsConfig,
  IntervalsConfigSchema,
} from './schemas/forecaster-config.js';

/** The file of a version that holds the fitted pipeline, model list and conformal table. */
export const PIPELINE_FILE = 'pipeline.json';

export const ModelEntrySchema = z.object({
  label: z.string(),
  kind: z.string(),
  file: z.string(),
  /** The model config it was trained with, for retraining and display. */
  config: z.record(z.string(), z.unknown()),
  /** Tensor names of a model written by another tool (defaults: `features` / `forecast`, or its only ones). */
  input: z.string().optional(),
  output: z.string().optional(),
});
/** One model of a checkpoint: label, kind, ONNX file and tensor names. */
export type ModelEntry = z.output<typeof ModelEntrySchema>;

const PipelineFileSchema = z.looseObject({
  models: z.array(ModelEntrySchema).min(1),
  ensemble: z.enum(ENSEMBLE_STRATEGIES),
  trained: z.record(z.string(), z.unknown()).optional(),
  conformal: ConformalSchema.nullable().optional(),
  ensemble_weights: EnsembleWeightsSchema.nullable().optional(),
  global: GlobalSpecSchema.nullable().optional(),
  intervals: IntervalsConfigSchema.optional(),
});

/** pipeline.json decoded: the fitted pipeline, the models, the ensemble strategy and training info. */
export interface ForecasterManifest {
  pipeline: FittedPipeline;
  models: ModelEntry[];
  ensemble: EnsembleStrategy;
  trained?: Record<string, unknown>;
  /** Split-conformal residual quantiles from the validation split, when it had any windows. */
  conformal?: Conformal;
  /** Weights of the `weighted` and `best` ensembles, learned on the validation split. */
  ensembleWeights?: EnsembleWeights;
  /** A global model's series, their scalers, static features and conformal tables (absent for one series). */
  global?: GlobalSpec;
  /** Serving options of the intervals: with `adaptive`, `/predict-interval` serves the ACI level. */
  intervals?: IntervalsConfig;
}

/** Serialise the pipeline and model list to pipeline.json bytes. */
export function encodePipelineFile(m: ForecasterManifest): Uint8Array {
  const json = {
    ...pipelineToJson(m.pipeline),
    models: m.models,
    ensemble: m.ensemble,
    trained: m.trained ?? {},
    conformal: m.conformal ?? null,
    ensemble_weights: m.ensembleWeights ?? null,
    ...(m.global ? { global: m.global } : {}),
    ...(m.intervals ? { intervals: m.intervals } : {}),
  };
  return new TextEncoder().encode(`${prettyJson(json)}\n`);
}

/** Indented JSON with arrays of numbers kept on one line, so tables stay readable and small. */
export function prettyJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(
    /\[\s+(-?[\d.e+-]+(?:,\s+-?[\d.e+-]+)*)\s+\]/g,
    (_, items: string) => `[${items.split(/,\s+/).join(', ')}]`,
  );
}

/** Parse pipeline.json bytes; a malformed file is a corrupt checkpoint naming the problem. */
export function decodePipelineFile(bytes: Uint8Array): ForecasterManifest {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (cause) {
    throw new CheckpointError(
      'CHECKPOINT_CORRUPT',
      `${PIPELINE_FILE} is not valid JSON`,
      { file: PIPELINE_FILE },
      cause,
    );
  }
  try {
    const head = PipelineFileSchema.parse(json);
    const out: ForecasterManifest = {
      pipeline: pipelineFromJson(json),
      models: head.models,
      ensemble: head.ensemble,
    };
    if (head.trained) out.trained = head.trained;
    if (head.conformal) out.conformal = head.conformal;
    if (head.ensemble_weights) out.ensembleWeights = head.ensemble_weights;
    if (head.global) out.global = head.global;
    if (head.intervals) out.intervals = head.intervals;
    return out;
  } catch (cause) {
    const detail = cause instanceof z.ZodError ? z.prettifyError(cause) : String(cause);
    throw new CheckpointError(
      'CHECKPOINT_CORRUPT',
      `${PIPELINE_FILE} is invalid: ${detail}`,
      { file: PIPELINE_FILE },
      cause,
    );
  }
}
