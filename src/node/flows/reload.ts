/** POST /reload on the serving API after a promotion, so it swaps the new version in at once. */
import { z } from 'zod';
import { TwigaError } from '../../runtime/errors.js';
import type { Secret } from '../../runtime/secret.js';
import { task } from './task.js';
import { TransientError } from './transient.js';

/** The part of the serving API's `/reload` answer the flow checks. */
const ReloadReplySchema = z.object({
  status: z.literal('reloaded'),
  previous_version: z.int().nullable(),
  model: z.object({ version: z.int() }).loose(),
});

/** The server's `/reload` URL, the API key sent with it, and the fetch and timeout to use. */
export interface ReloadInput {
  url: string;
  /** Sent as `X-API-Key`. */
  apiKey: Secret | undefined;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/** What the server answered to a reload. */
export interface ReloadOutcome {
  url: string;
  status: number;
  previous_version: number | null;
  version: number;
}

/** What the server said, shortened, for error messages (its `error.message` when it is our JSON shape). */
function excerpt(body: string): string {
  try {
    const message = (JSON.parse(body) as { error?: { message?: unknown } }).error?.message;
    if (typeof message === 'string') return message;
  } catch {
    // not JSON: quote the text
  }
  return body.length > 300 ? `${body.slice(0, 300)}…` : body;
}

/**
 * POST `url` with the API key. A 5xx or 429 answer, a refused connection or a timeout is transient (retried);
 * any other non-2xx (401 wrong key, 422 the server could not load the version) fails at once.
 */
export const reloadTask = task('reload-server', async (input: ReloadInput): Promise<ReloadOutcome> => {
  const doFetch = input.fetch ?? fetch;
  const response = await doFetch(input.url, {
    method: 'POST',
    headers: input.apiKey ? { 'X-API-Key': input.apiKey.reveal() } : {},
    signal: AbortSignal.timeout(input.timeoutMs ?? 60_000),
  });
  const body = await response.text();
  if (response.status >= 500 || response.status === 429) {
    throw new TransientError(`POST ${input.url} answered ${response.status}: ${excerpt(body)}`, {
      url: input.url,
      status: response.status,
    });
  }
  if (!response.ok) {
    throw new TwigaError('TASK_FAILED', `POST ${input.url} answered ${response.status}: ${excerpt(body)}`, {
      context: { url: input.url, status: response.status },
    });
  }
  let reply: z.output<typeof ReloadReplySchema>;
  try {
    reply = ReloadReplySchema.parse(JSON.parse(body));
  } catch (cause) {
    throw new TwigaError(
      'TASK_FAILED',
      `POST ${input.url} answered ${response.status} but not with a twiga-edge reload reply: ${excerpt(body)}`,
      { context: { url: input.url, status: response.status }, cause },
    );
  }
  return {
    url: input.url,
    status: response.status,
    previous_version: reply.previous_version,
    version: reply.model.version,
  };
});
