/** Keep a flow running on a cron schedule (croner): one run at a time, a failed run logged and the next one kept. */
import { Cron } from 'croner';
import { ConfigError } from '../../runtime/errors.js';

/** Run limit, stop signal, time zone and callbacks of `runOnSchedule`. */
export interface ScheduleOptions<T> {
  /** Stop after this many runs (counting failed ones). Default: run until stopped. */
  maxRuns?: number;
  /** Stops the schedule; a run in progress finishes first. */
  signal?: AbortSignal;
  /** Time zone of the pattern (IANA name). Default: the machine's. */
  timezone?: string;
  onResult?: (result: T, run: number) => void;
  onError?: (error: unknown, run: number) => void;
  /** A tick came while the previous run was still going, so it was skipped. */
  onSkip?: (at: Date) => void;
}

/**
 * Run `job` at every tick of `pattern` (5 fields, or 6 with seconds first: `"0 *\/6 * * *"`), never two at
 * once. Resolves once `maxRuns` runs are done or `signal` aborts (after the current run).
 * @throws ConfigError naming the pattern when croner cannot parse it.
 * @example
 * await runOnSchedule('0 3 * * *', () => retrainingFlow(options), { onResult: (r) => console.log(r.promoted) });
 */
export function runOnSchedule<T>(
  pattern: string,
  job: () => Promise<T>,
  options: ScheduleOptions<T> = {},
): Promise<void> {
  let runs = 0;
  let running: Promise<void> | undefined;
  return new Promise<void>((resolve, reject) => {
    let cron: Cron;
    const finish = async () => {
      cron.stop();
      await running;
      resolve();
    };
    try {
      cron = new Cron(
        pattern,
        {
          protect: (c) => options.onSkip?.(c.currentRun() ?? new Date()),
          ...(options.timezone ? { timezone: options.timezone } : {}),
        },
        async () => {
          const n = ++runs;
          running = job().then(
            (result) => options.onResult?.(result, n),
            (error: unknown) => options.onError?.(error, n),
          );
          await running;
          if (options.maxRuns !== undefined && n >= options.maxRuns) void finish();
        },
      );
    } catch (cause) {
      reject(
        new ConfigError(`Invalid schedule "${pattern}": ${(cause as Error).message}`, [
          { path: 'schedule', message: (cause as Error).message },
        ]),
      );
      return;
    }
    if (options.signal?.aborted) void finish();
    options.signal?.addEventListener('abort', () => void finish(), { once: true });
  });
}
