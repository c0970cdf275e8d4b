/** The error thrown when concurrent writers keep winning the race for a checkpoint's manifest or a lock. */
import { TwigaError } from '../errors.js';

/**
 * A compare-and-swap kept losing, or a store lock could not be acquired; nothing half-written was left.
 * Retrying later is safe. Match on `instanceof CheckpointConflictError` or `name`.
 */
export class CheckpointConflictError extends TwigaError {
  override name = 'CheckpointConflictError';
  constructor(message: string, context: Record<string, unknown> = {}, cause?: unknown) {
    super('CHECKPOINT_CONFLICT', message, cause === undefined ? { context } : { context, cause });
  }
}
