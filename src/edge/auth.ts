/** X-API-Key auth: every route but /health needs the key when one is configured; compared in constant time. */
import type { MiddlewareHandler } from 'hono';
import { timingSafeEqual } from 'hono/utils/buffer';
import type { AppEnv } from './context.js';
import { ApiError, errorResponse } from './http-errors.js';

/** Paths that never need a key. */
export const OPEN_PATHS: ReadonlySet<string> = new Set(['/health']);

/**
 * @param key the configured key; `undefined` leaves every route open.
 */
export function apiKeyAuth(key: string | undefined): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (key === undefined || OPEN_PATHS.has(c.req.path)) return next();
    const given = c.req.header('x-api-key');
    // timingSafeEqual hashes both sides first, so neither length nor content leaks through timing.
    if (given === undefined || !(await timingSafeEqual(given, key))) {
      const message = given === undefined ? 'X-API-Key: missing' : 'X-API-Key: not the configured key';
      const res = errorResponse(
        c,
        new ApiError(401, 'UNAUTHORIZED', message, [{ path: 'X-API-Key', message: message.slice(11) }]),
      );
      res.headers.set('WWW-Authenticate', 'ApiKey header="X-API-Key"');
      return res;
    }
    return next();
  };
}
