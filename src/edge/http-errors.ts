/**
 * One error shape for every route: `{ error: { code, message, issues? } }` with a 4xx status for anything
 * the caller can fix. Typed errors map to statuses here; nothing else reaches the client (no stack traces).
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';
import { TwigaError, type TwigaIssue } from '../runtime/errors.js';
import { toIssues } from '../runtime/schemas/parse.js';

/** The JSON body of every error answer: `{ error: { code, message, issues } }`. */
export interface ErrorBody {
  error: { code: string; message: string; issues?: TwigaIssue[] };
}

/** An error the app answers with a given status. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly issues: TwigaIssue[] = [],
  ) {
    super(message);
  }
}

function statusOf(error: TwigaError): ContentfulStatusCode {
  switch (error.code) {
    case 'CONFIG_INVALID':
      return 400;
    case 'FORMAT_UNSUPPORTED':
      return 400;
    case 'DATA_INVALID':
    case 'DATA_NOT_FOUND':
      return 422;
    case 'MODEL_ERROR':
      return 422;
    case 'CHECKPOINT_CONFLICT':
      return 409;
    case 'CHECKPOINT_NOT_FOUND':
    case 'CHECKPOINT_CORRUPT':
      return 503;
    case 'INFERENCE_ERROR':
    case 'TASK_FAILED':
      return 500;
    // An upstream tracking server failed, not this app.
    case 'TRACKING_FAILED':
      return 502;
  }
}

/** Issues of a typed error: its own, or one built from `context.path` (data errors name their field there). */
function issuesOf(error: TwigaError): TwigaIssue[] {
  if (error.issues.length > 0) return error.issues;
  const path = error.context['path'];
  if (typeof path !== 'string') return [];
  const prefix = `${path}: `;
  return [
    { path, message: error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message },
  ];
}

/**
 * The status and body for any thrown value.
 * @param contentType the request's, to name it when it is the problem (415).
 */
export function toApiError(error: unknown, contentType?: string): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof TwigaError)
    return new ApiError(statusOf(error), error.code, error.message, issuesOf(error));
  if (error instanceof HTTPException) {
    const status = error.status as ContentfulStatusCode;
    if (status === 415) {
      const message = `expected application/json or an Arrow IPC type, got ${contentType ?? 'none'}`;
      return new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', `content-type: ${message}`, [
        { path: 'content-type', message },
      ]);
    }
    if (/malformed json/i.test(error.message)) {
      return new ApiError(400, 'MALFORMED_JSON', 'body: malformed JSON', [
        { path: 'body', message: 'malformed JSON' },
      ]);
    }
    return new ApiError(
      status,
      status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST',
      error.message || 'bad request',
    );
  }
  return new ApiError(500, 'INTERNAL', 'internal error; the server log has the details');
}

/**
 * The error as JSON. An answer given before the request's body was read (a wrong key, an unknown route, a
 * wrong content type) also says `Connection: close`: on Node the unread rest is drained for only a short
 * while and then the socket is closed, which would otherwise fail the client's next request on that
 * connection (the route fuzzer found this under load).
 */
export function errorResponse(c: Context, error: ApiError): Response {
  const body: ErrorBody = { error: { code: error.code, message: error.message } };
  if (error.issues.length > 0) body.error.issues = error.issues;
  if (c.req.raw.body !== null && !c.req.raw.bodyUsed) c.header('Connection', 'close');
  return c.json(body, error.status);
}

/** A zod failure on `target` (body, query) as a 400 naming each field. */
export function validationError(target: string, error: z.ZodError): ApiError {
  if (target === 'json') target = 'body';
  const issues = toIssues(error);
  const lines = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  return new ApiError(400, 'VALIDATION_ERROR', `invalid request ${target}: ${lines}`, issues);
}
