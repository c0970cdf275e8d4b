/** Shared by the browser tests: Debian's Chromium through playwright-core (nothing downloads a browser). */
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

// Playwright gives each launch a fresh temporary profile (user-data-dir).
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Locally a missing Chromium skips with a message; in CI (CI set) the tests must run, and fail without it. */
export function skipWithoutChromium(file: string): boolean {
  const skip = !existsSync(CHROMIUM) && !process.env['CI'];
  if (skip) console.warn(`${file} skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);
  return skip;
}

export const launchChromium = (): Promise<Browser> =>
  chromium.launch({ executablePath: CHROMIUM, args: ARGS });

/** What a page did besides its own work: console errors, uncaught exceptions, every URL it requested. */
export interface PageWatch {
  errors: string[];
  requests: string[];
  /** `<status> <url>` of every answer ≥ 400. */
  failures: string[];
}

export function watchPage(page: Page): PageWatch {
  const watch: PageWatch = { errors: [], requests: [], failures: [] };
  page.on('console', (m) => {
    if (m.type() === 'error') watch.errors.push(`${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => watch.errors.push(e.message));
  page.context().on('request', (r) => watch.requests.push(r.url()));
  page.context().on('response', (r) => {
    if (r.status() >= 400) watch.failures.push(`${r.status()} ${r.url()}`);
  });
  return watch;
}

/** A free TCP port on 127.0.0.1 (for servers that cannot be told to pick one and report it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
