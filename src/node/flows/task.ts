/**
 * Flow tasks (twiga's Prefect `@task`s): a named step with retries, exponential backoff and structured
 * logs when run inside a flow, and its plain function as `.fn` to call on its own.
 */
import pRetry from 'p-retry';
import { TwigaError } from '../../runtime/errors.js';
import { errorField, FlowLog, jsonLogSink } from './flow-log.js';
import { isTransient } from './transient.js';

/** How a task is retried. */
export interface RetryPolicy {
  /** Retries after the first attempt. */
  retries: number;
  /** Delay before the first retry, in ms; each further one doubles it (with jitter, up to ×2). */
  delayMs: number;
}

/** What a task's function gets besides its input. */
export interface TaskContext {
  log: FlowLog;
  /** 1 on the first attempt. */
  attempt: number;
}

/** A named flow step: `run` retries transient failures, `fn` calls it once. */
export interface Task<I, O> {
  readonly taskName: string;
  /** Run inside a flow: logged, retried on transient errors, failures wrapped in {@link TaskFailedError}. */
  run(input: I, log: FlowLog, retry: RetryPolicy): Promise<O>;
  /** The task's function alone: no retries, logs as JSON lines on stderr unless given a context. */
  fn(input: I, context?: TaskContext): Promise<O>;
}

/** Which errors a task retries, and a retry count overriding the flow's. */
export interface TaskOptions {
  /** Which errors are retried. Default {@link isTransient}. */
  retryIf?: (error: unknown) => boolean;
  /** Override the flow's retry count for this task (e.g. 0 for a compare-and-swap). */
  retries?: number;
}

/** A task failed for good: after its last attempt, or at once for an error not worth retrying. */
export class TaskFailedError extends TwigaError {
  override name = 'TaskFailedError';
  constructor(
    readonly task: string,
    readonly attempts: number,
    cause: unknown,
    flow: string,
  ) {
    const c = errorField(cause);
    super(
      'TASK_FAILED',
      `${flow} flow: task "${task}" failed after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${c.name}: ${c.message}`,
      {
        context: { flow, task, attempts, cause: c },
        issues: cause instanceof TwigaError ? cause.issues : [],
        cause,
      },
    );
  }
}

/**
 * Define a task.
 * @example
 * const loadData = task('load-data', async (path: string, { log }) => { … });
 * await loadData.fn('load.csv'); // alone
 * await loadData.run('load.csv', flowLog, { retries: 2, delayMs: 1000 }); // in a flow
 */
export function task<I, O>(
  name: string,
  fn: (input: I, context: TaskContext) => Promise<O>,
  options: TaskOptions = {},
): Task<I, O> {
  const retryIf = options.retryIf ?? isTransient;
  return {
    taskName: name,
    fn: (input, context) =>
      fn(input, context ?? { log: new FlowLog(name, 'standalone', jsonLogSink()), attempt: 1 }),
    async run(input, log, retry) {
      const retries = options.retries ?? retry.retries;
      let attempt = 0;
      const started = performance.now();
      try {
        const out = await pRetry(
          async () => {
            attempt++;
            log.emit('info', 'task.start', { task: name, attempt });
            return fn(input, { log, attempt });
          },
          {
            retries,
            minTimeout: retry.delayMs,
            factor: 2,
            randomize: true,
            maxTimeout: Math.max(retry.delayMs, 60_000),
            shouldRetry: ({ error }) => retryIf(error),
            onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
              if (retriesLeft > 0 && retryIf(error)) {
                log.emit('warn', 'task.retry', {
                  task: name,
                  attempt: attemptNumber,
                  retries_left: retriesLeft,
                  error: errorField(error),
                });
              }
            },
          },
        );
        log.emit('info', 'task.done', {
          task: name,
          attempt,
          duration_ms: Math.round(performance.now() - started),
        });
        return out;
      } catch (error) {
        log.emit('error', 'task.failed', {
          task: name,
          attempt,
          duration_ms: Math.round(performance.now() - started),
          error: errorField(error),
        });
        throw new TaskFailedError(name, attempt, error, log.flow);
      }
    },
  };
}
