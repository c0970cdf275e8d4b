/** Flow tasks: retried on transient faults with backoff, failed at once on bad input, named when they fail. */
import { describe, expect, it } from 'vitest';
import { FlowLog, memoryLogSink } from '../../../src/node/flows/flow-log.js';
import { TaskFailedError, task } from '../../../src/node/flows/task.js';
import { isTransient, TransientError } from '../../../src/node/flows/transient.js';
import { ConfigError, DataError } from '../../../src/runtime/errors.js';
import { eio } from './faults.js';

const fast = { retries: 2, delayMs: 5 };

function flaky(failures: number, error: () => Error) {
  let calls = 0;
  return task('flaky', async (input: number) => {
    calls++;
    if (calls <= failures) throw error();
    return input * 2;
  });
}

describe('task', () => {
  it('retries a transient I/O error and logs each attempt as a structured event', async () => {
    const sink = memoryLogSink();
    const log = new FlowLog('test', 'run-1', sink);
    const started = performance.now();
    await expect(flaky(2, () => eio()).run(21, log, { retries: 2, delayMs: 40 })).resolves.toBe(42);
    // Two retries with a 40 ms base delay doubling: at least 40 + 80 ms of backoff.
    expect(performance.now() - started).toBeGreaterThanOrEqual(115);
    expect(sink.events.map((e) => [e.event, e.attempt])).toEqual([
      ['task.start', 1],
      ['task.retry', 1],
      ['task.start', 2],
      ['task.retry', 2],
      ['task.start', 3],
      ['task.done', 3],
    ]);
    const retry = sink.events[1]!;
    expect(retry).toMatchObject({
      level: 'warn',
      flow: 'test',
      flow_run_id: 'run-1',
      task: 'flaky',
      retries_left: 2,
    });
    expect(retry.error).toEqual({ name: 'Error', code: 'EIO', message: 'EIO: i/o error, write' });
    expect(Date.parse(retry.ts)).not.toBeNaN();
  });

  it('fails after the last retry, naming the task and the attempts, the cause attached', async () => {
    const sink = memoryLogSink();
    const error = await flaky(9, () => eio())
      .run(1, new FlowLog('training', 'r', sink), fast)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskFailedError);
    const failed = error as TaskFailedError;
    expect(failed.message).toBe(
      'training flow: task "flaky" failed after 3 attempts: Error: EIO: i/o error, write',
    );
    expect(failed.code).toBe('TASK_FAILED');
    expect(failed.context).toMatchObject({ flow: 'training', task: 'flaky', attempts: 3 });
    expect((failed.cause as NodeJS.ErrnoException).code).toBe('EIO');
    expect(sink.events.at(-1)).toMatchObject({ event: 'task.failed', level: 'error', attempt: 3 });
  });

  it('does not retry bad input: the same answer would come back', async () => {
    const sink = memoryLogSink();
    const bad = () => new ConfigError('Invalid x', [{ path: 'x', message: 'bad' }]);
    const error = await flaky(1, bad)
      .run(1, new FlowLog('f', 'r', sink), fast)
      .catch((e: unknown) => e);
    expect((error as TaskFailedError).attempts).toBe(1);
    expect((error as TaskFailedError).issues).toEqual([{ path: 'x', message: 'bad' }]);
    expect(sink.events.map((e) => e.event)).toEqual(['task.start', 'task.failed']);
  });

  it('runs alone through .fn, without retries', async () => {
    await expect(flaky(0, () => eio()).fn(5)).resolves.toBe(10);
    await expect(flaky(1, () => eio()).fn(5)).rejects.toThrow('EIO');
  });

  it('tells transient faults from the rest, through cause chains', () => {
    expect(isTransient(eio())).toBe(true);
    expect(isTransient(new DataError('Cannot write run meta', {}, eio()))).toBe(true);
    expect(isTransient(new TransientError('503'))).toBe(true);
    expect(isTransient(new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }))).toBe(true);
    expect(isTransient(new DataError('column "x" not found'))).toBe(false);
    expect(isTransient(Object.assign(new Error('ENOENT'), { code: 'ENOENT' }))).toBe(false);
  });
});
