/** Which failures are worth retrying: I/O and network faults, not bad input or a lost promotion race. */

/** Thrown for a failure that may pass on its own, e.g. an HTTP 503 or 429 from a server. */
export class TransientError extends Error {
  override name = 'TransientError';
  constructor(
    message: string,
    readonly context: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** errno / undici codes of faults that a retry can outlast. */
const TRANSIENT_CODES = new Set([
  'EIO',
  'EAGAIN',
  'EBUSY',
  'EINTR',
  'EMFILE',
  'ENFILE',
  'ETIMEDOUT',
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/**
 * True when `error`, or an error in its `cause` chain, is a {@link TransientError}, a system error with a
 * transient code (EIO, ECONNRESET, …) or fetch's network failure. Typed errors about the input (config,
 * data, a checkpoint conflict) are not: retrying them gives the same answer.
 */
export function isTransient(error: unknown): boolean {
  let e: unknown = error;
  for (let depth = 0; depth < 8 && e instanceof Error; depth++) {
    if (e instanceof TransientError) return true;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return true;
    if (e instanceof TypeError && e.message === 'fetch failed') return true;
    // AbortSignal.timeout() on a request that took too long.
    if (e.name === 'TimeoutError') return true;
    e = e.cause;
  }
  return false;
}
