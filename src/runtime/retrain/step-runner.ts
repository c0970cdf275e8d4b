/**
 * The StepRunner outside a Workflow (the Node worker): each step retried like the Workflow's `step.do`
 * (2 retries, exponential from 1 s; none for a permanent failure), with a check before every attempt that can stop the run at a step
 * boundary (a lost lease, SIGTERM). No durability: a run that stops restarts from its first step.
 */
import { CheckpointError, ConfigError, DataError } from '../errors.js';
import type { StepRunner } from './tasks.js';

/** Thrown by `beforeAttempt` to stop a run at a step boundary; never retried. */
export class RunInterruptedError extends Error {
  constructor(
    message: string,
    readonly reason: 'lease-lost' | 'stopping',
  ) {
    super(message);
    this.name = 'RunInterruptedError';
  }
}

/** Finds a RunInterruptedError in an error's cause chain (the tasks wrap step errors). */
export function interruptionOf(error: unknown): RunInterruptedError | undefined {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (e instanceof RunInterruptedError) return e;
  }
  return undefined;
}

/**
 * Whether a step's error fails the same way on every attempt, so retrying only wastes time (and, in a
 * Workflow, steps): unusable data, an invalid config or schema, a corrupt checkpoint. Both runners stop at
 * the first such attempt (the Workflow by rethrowing it as `NonRetryableError`). Walks the cause chain.
 */
export function isPermanentFailure(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (e instanceof DataError || e instanceof ConfigError || e.name === 'ZodError') return true;
    if (e instanceof CheckpointError && e.code === 'CHECKPOINT_CORRUPT') return true;
  }
  return false;
}

/** Retry settings of the plain runner. */
export interface RetryingRunnerOptions {
  /** Retries after the first attempt. @default 2 */
  retries?: number;
  /** Delay before the first retry, doubled after each. @default 1000 */
  delayMs?: number;
  /** How to wait (a timer on Node). */
  sleep: (ms: number) => Promise<void>;
  /** Called before every attempt; throw RunInterruptedError to stop the run. */
  beforeAttempt?: (step: string) => void;
}

/** A StepRunner that retries each step itself, sleeping with the caller's `sleep` between attempts. */
export function retryingRunner(options: RetryingRunnerOptions): StepRunner {
  const retries = options.retries ?? 2;
  const delayMs = options.delayMs ?? 1000;
  return {
    do: async (name, fn) => {
      for (let attempt = 0; ; attempt++) {
        options.beforeAttempt?.(name);
        try {
          return await fn();
        } catch (error) {
          if (attempt >= retries || interruptionOf(error) || isPermanentFailure(error)) throw error;
          await options.sleep(delayMs * 2 ** attempt);
        }
      }
    },
  };
}
