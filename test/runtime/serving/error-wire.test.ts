/** Typed errors survive the trip through structured clone (worker threads, Web Workers) with class, code, context and issues. */
import { describe, expect, it } from 'vitest';
import { CheckpointConflictError } from '../../../src/runtime/checkpoint/conflict.js';
import {
  CheckpointError,
  ConfigError,
  DataError,
  ModelError,
  type TwigaError,
} from '../../../src/runtime/errors.js';
import { fromWireError, toWireError } from '../../../src/runtime/serving/error-wire.js';

const roundTrip = (e: unknown) => fromWireError(structuredClone(toWireError(e)));

describe('error wire format', () => {
  it('rebuilds each typed error with its class and fields', () => {
    const cases: TwigaError[] = [
      new ConfigError('Invalid x', [{ path: 'x', message: 'bad' }], { file: 'a.json' }),
      new DataError(
        'records[3].y: expected a finite number',
        { path: 'records[3].y' },
        undefined,
        'DATA_INVALID',
      ),
      new DataError('gone', {}, undefined, 'DATA_NOT_FOUND'),
      new CheckpointError('CHECKPOINT_CORRUPT', 'hash mismatch', { file: 'linear.onnx' }),
      new CheckpointConflictError('lost', { name: 'twiga' }),
      new ModelError('no conformal', { reason: 'no_conformal' }),
      new ModelError('run failed', { stage: 'run' }, undefined, 'INFERENCE_ERROR'),
    ];
    for (const error of cases) {
      const back = roundTrip(error) as TwigaError;
      expect(back).toBeInstanceOf(error.constructor);
      expect(back.name).toBe(error.name);
      expect(back.code).toBe(error.code);
      expect(back.message).toBe(error.message);
      expect(back.context).toEqual(error.context);
      expect(back.issues).toEqual(error.issues);
    }
  });

  it('keeps name and message of plain errors, and survives context that JSON cannot hold', () => {
    const back = roundTrip(new RangeError('out of range'));
    expect(back.name).toBe('RangeError');
    expect(back.message).toBe('out of range');
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    const odd = roundTrip(new DataError('cyclic', cyclic)) as DataError;
    expect(odd).toBeInstanceOf(DataError);
    expect(odd.context).toEqual({});
    expect(roundTrip('just text').message).toBe('just text');
  });
});
