/**
 * Requests to the real Worker entry (src/edge/worker.ts) inside workerd, with the real bindings (`env`: local
 * R2) and an ExecutionContext whose `waitUntil` work is awaited — vitest-pool-workers' "unit" style.
 *
 * Why not `SELF.fetch`: under vitest-pool-workers every `SELF.fetch` costs more than the one before within a
 * workerd instance (cloudflare/workers-sdk#15446). Measured here (2 busy cores): `/health` over `SELF` took
 * 3.0 s for calls 1–250, 32 s for 251–500, 94 s for 501–750, 285 s for 1,001–1,250, and a 200-case-a-route fuzz
 * ended in "Maximum call stack size exceeded"; straight to the entry, 2,000 calls took 9–16 ms per 250, flat.
 * The files that test
 * the entry over `SELF` (routes, fleet, lean, scheduled) keep doing so; the fuzz sends thousands of cases.
 */
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import worker, { type Env } from '../../../src/edge/worker.js';

/** `fetch` against the Worker entry: same handler, same isolate state, same R2 as `SELF`. */
export async function workerFetch(url: string, init?: RequestInit): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(url, init), env as unknown as Env, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}
