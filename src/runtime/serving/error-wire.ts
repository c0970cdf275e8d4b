/**
 * Typed errors across a message boundary (worker threads, Web Workers): structured clone keeps only
 * `message` of an Error, so errors travel as plain objects and are rebuilt with their class, code,
 * context and issues on the other side.
 */
import { CheckpointConflictError } from '../checkpoint/conflict.js';
import {
  CheckpointError,
  ConfigError,
  DataError,
  ModelError,
  TwigaError,
  type TwigaErrorCode,
  type TwigaIssue,
} from '../errors.js';

/** An error as it crosses the boundary. */
export interface WireError {
  name: string;
  message: string;
  code?: TwigaErrorCode;
  context?: Record<string, unknown>;
  issues?: TwigaIssue[];
}

/** A JSON-safe copy (contexts hold plain data, but a stray function or cycle must not break the reply). */
function plain<T>(value: T): T | undefined {
  try {
    return JSON.parse(JSON.stringify(value)) as T;
  } catch {
    return undefined;
  }
}

/** Turns any thrown value into the plain `{ name, message, code, context, issues }` that crosses a thread or worker boundary. */
export function toWireError(error: unknown): WireError {
  if (error instanceof TwigaError) {
    const context = plain(error.context) ?? {};
    return { name: error.name, message: error.message, code: error.code, context, issues: error.issues };
  }
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

/** Rebuilds the error `toWireError` sent, with its original class when it was a TwigaError. */
export function fromWireError(wire: WireError): Error {
  const context = wire.context ?? {};
  const code = wire.code;
  switch (wire.name) {
    case 'ConfigError':
      return new ConfigError(wire.message, wire.issues ?? [], context);
    case 'DataError':
      return new DataError(
        wire.message,
        context,
        undefined,
        narrow(code, ['DATA_INVALID', 'DATA_NOT_FOUND', 'FORMAT_UNSUPPORTED']),
      );
    case 'CheckpointError':
      return new CheckpointError(
        narrow(code, ['CHECKPOINT_CORRUPT', 'CHECKPOINT_NOT_FOUND']) ?? 'CHECKPOINT_CORRUPT',
        wire.message,
        context,
      );
    case 'CheckpointConflictError':
      return new CheckpointConflictError(wire.message, context);
    case 'ModelError':
      return new ModelError(
        wire.message,
        context,
        undefined,
        narrow(code, ['MODEL_ERROR', 'INFERENCE_ERROR']),
      );
    default:
      if (code) return new TwigaError(code, wire.message, { context, issues: wire.issues ?? [] });
      return Object.assign(new Error(wire.message), { name: wire.name });
  }
}

function narrow<C extends TwigaErrorCode>(
  code: TwigaErrorCode | undefined,
  allowed: readonly C[],
): C | undefined {
  return allowed.find((c) => c === code);
}

/** A result crossing a worker boundary: the value, or the error as data (see {@link toWireError}). */
export type Reply<T> = { ok: true; value: T } | { ok: false; error: WireError };

/** Runs `run` and answers its value or its error as a {@link Reply}; never rejects. */
export async function toReply<T>(run: () => Promise<T> | T): Promise<Reply<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    return { ok: false, error: toWireError(error) };
  }
}

/** The value of a {@link Reply}, or its error rebuilt with its class (see {@link fromWireError}). */
export function fromReply<T>(reply: Reply<T>): T {
  if (reply.ok) return reply.value;
  throw fromWireError(reply.error);
}
