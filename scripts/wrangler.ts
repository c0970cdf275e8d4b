/** How this repo runs wrangler: its own JS entry, offline. Shared by `npm run edge:dev` and the edge bench. */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** wrangler's own JS entry: its pid is the one to signal (an npx wrapper, when killed, leaves workerd behind). */
export function wranglerEntry(): string {
  const pkg = createRequire(import.meta.url).resolve('wrangler/package.json');
  return join(dirname(pkg), 'bin', 'wrangler.js');
}

/** Offline wrangler: no metrics, no `Request.cf` fetch (the toml setting alone does not stop it). */
export const WRANGLER_ENV = { WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' } as const;
