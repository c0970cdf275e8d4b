/** Ensemble weights learned on the validation split, as pipeline.json records them. */
import { z } from 'zod';

/**
 * What `weighted` and `best` ensembles combine with: the model labels in order, one row of non-negative
 * weights summing to 1 per output (`h·targets + t`), and the label of the best model on validation MAE.
 */
export const EnsembleWeightsSchema = z
  .object({
    /** Members, in the order of each row of `weighted`. */
    models: z.array(z.string()).min(1),
    /** `[output][model]`: non-negative least squares on the validation windows, normalised to sum 1. */
    weighted: z.array(z.array(z.number().min(0))),
    /** The model with the lowest validation MAE over every output. */
    best: z.string(),
    /** Validation windows the weights were fitted on. */
    windows: z.int().min(0),
  })
  .strict()
  .refine((w) => w.models.includes(w.best), { message: '"best" must be one of "models"', path: ['best'] })
  .refine((w) => w.weighted.every((row) => row.length === w.models.length), {
    message: 'every row of "weighted" needs one weight per model',
    path: ['weighted'],
  });
/** Learned ensemble weights of a checkpoint. */
export type EnsembleWeights = z.output<typeof EnsembleWeightsSchema>;
