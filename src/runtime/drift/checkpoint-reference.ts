/** A checkpoint's `reference.json`: the metrics the model was promoted with and its drift reference sample. */
import { z } from 'zod';
import { decodeJson } from '../checkpoint/manifest.js';
import { ModelError } from '../errors.js';
import type { Frame } from '../frame.js';
import { MetricsByModelSchema } from '../training-result.js';
import {
  buildDriftReference,
  type DriftReference,
  type DriftReferenceOptions,
  DriftReferenceSchema,
} from './reference.js';

/** The file's name in each checkpoint version folder. */
export const REFERENCE_FILE = 'reference.json';

/** reference.json: the drift sample of the training rows and the metrics a version was saved with. */
export const CheckpointReferenceSchema = z.object({
  format_version: z.literal(1),
  targets: z.array(z.string()),
  /** Validation-split metrics by model then metric: what `ForecastMonitor` compares performance against. */
  validation_metrics: MetricsByModelSchema,
  test_metrics: MetricsByModelSchema,
  /** Samples of the training rows of the targets and covariates; absent in checkpoints saved before it existed. */
  drift: DriftReferenceSchema.optional(),
  /**
   * A global model's per-series samples (each series' own training rows, a smaller sample each), so drift
   * is tested per series and not against the pool of every level at once. Absent for single-series models.
   */
  series_drift: z.record(z.string(), DriftReferenceSchema).optional(),
});
/** The parsed contents of a checkpoint's `reference.json`. */
export type CheckpointReference = z.output<typeof CheckpointReferenceSchema>;

/**
 * Parses and validates `reference.json` bytes.
 * @param location where the bytes came from, for the message (default `reference.json`).
 * @throws CheckpointError CHECKPOINT_CORRUPT naming each offending field.
 */
export function decodeReference(bytes: Uint8Array, location = REFERENCE_FILE): CheckpointReference {
  return decodeJson(CheckpointReferenceSchema, bytes, REFERENCE_FILE, location);
}

/**
 * The drift reference of a training run: `buildDriftReference` over rows `[0, trainEnd)` of
 * `columns` (the targets and covariates), so serving can test drift without the training data.
 */
export function trainingDriftReference(
  frame: Frame,
  columns: readonly string[],
  trainEnd: number,
  options: DriftReferenceOptions = {},
): DriftReference {
  const rows = Object.fromEntries(
    columns.filter((c) => frame.columns[c]).map((c) => [c, frame.columns[c]!.subarray(0, trainEnd)]),
  );
  return buildDriftReference(rows, options);
}

/**
 * The drift sample of a checkpoint's reference, or a ModelError saying the version has none (checkpoints
 * saved before the sample existed, or imported without one).
 */
export function requireDriftReference(
  reference: CheckpointReference | undefined,
  version: number,
): DriftReference {
  if (reference?.drift) return reference.drift;
  throw new ModelError(`version ${version} has no drift reference (reference.json without a sample)`, {
    reason: 'no_drift_reference',
  });
}
