/** Typed errors shared by every platform; each carries a machine-readable code and context. */

export type TwigaErrorCode =
  | 'CONFIG_INVALID'
  | 'DATA_INVALID'
  | 'DATA_NOT_FOUND'
  | 'FORMAT_UNSUPPORTED'
  | 'CHECKPOINT_NOT_FOUND'
  | 'CHECKPOINT_CORRUPT'
  | 'CHECKPOINT_CONFLICT'
  | 'MODEL_ERROR'
  | 'INFERENCE_ERROR'
  | 'TASK_FAILED'
  | 'TRACKING_FAILED';

/** One problem found in an input: where (`path`) and what (`message`). */
export interface TwigaIssue {
  /** Dotted path of the offending field, e.g. `pipeline.horizon` or `records[3].timestamp`. */
  path: string;
  message: string;
}

/** Base error: `code` says what kind of failure, `context` says where. */
export class TwigaError extends Error {
  override name = 'TwigaError';
  readonly code: TwigaErrorCode;
  readonly context: Record<string, unknown>;
  readonly issues: TwigaIssue[];

  constructor(
    code: TwigaErrorCode,
    message: string,
    options: { context?: Record<string, unknown>; issues?: TwigaIssue[]; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.context = options.context ?? {};
    this.issues = options.issues ?? [];
  }
}

/** A config or request failed validation; `issues` lists every offending field. */
export class ConfigError extends TwigaError {
  override name = 'ConfigError';
  constructor(message: string, issues: TwigaIssue[], context: Record<string, unknown> = {}) {
    super('CONFIG_INVALID', message, { issues, context });
  }
}

/** Input data is unusable: missing column, unparsable timestamps, too few rows, ... */
export class DataError extends TwigaError {
  override name = 'DataError';
  constructor(
    message: string,
    context: Record<string, unknown> = {},
    cause?: unknown,
    code: 'DATA_INVALID' | 'DATA_NOT_FOUND' | 'FORMAT_UNSUPPORTED' = 'DATA_INVALID',
  ) {
    super(code, message, cause === undefined ? { context } : { context, cause });
  }
}

/** A checkpoint is missing, incomplete or fails integrity checks. */
export class CheckpointError extends TwigaError {
  override name = 'CheckpointError';
  constructor(
    code: 'CHECKPOINT_NOT_FOUND' | 'CHECKPOINT_CORRUPT',
    message: string,
    context: Record<string, unknown> = {},
    cause?: unknown,
  ) {
    super(code, message, cause === undefined ? { context } : { context, cause });
  }
}

/** ONNX export or inference failed. */
export class ModelError extends TwigaError {
  override name = 'ModelError';
  constructor(
    message: string,
    context: Record<string, unknown> = {},
    cause?: unknown,
    code: 'MODEL_ERROR' | 'INFERENCE_ERROR' = 'MODEL_ERROR',
  ) {
    super(code, message, cause === undefined ? { context } : { context, cause });
  }
}

/**
 * A tracking server (MLflow's REST API) was unreachable or refused a call. Not a DataError: an outage or a
 * 503 may pass, so a retrying runner must not treat it as permanent; `status`/`errorCode` say which it was.
 */
export class TrackingError extends TwigaError {
  override name = 'TrackingError';
  constructor(
    message: string,
    context: { url: string; status?: number; errorCode?: unknown },
    cause?: unknown,
  ) {
    super('TRACKING_FAILED', message, cause === undefined ? { context } : { context, cause });
  }
}
