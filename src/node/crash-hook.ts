/**
 * Test hook for crash consistency: `TWIGA_TEST_CRASH_AT=<point>[#n]` makes the process SIGKILL itself the
 * n-th time (default the first) it reaches that point (see src/runtime/crash-points.ts). Deterministic,
 * unlike a kill after N ms, so each point of a save and promotion is hit exactly.
 */
import { CRASH_POINTS, type CrashPoint, setCrashHandler } from '../runtime/crash-points.js';
import { ConfigError } from '../runtime/errors.js';

/** Installs the hook when `spec` (the env value) names a point; throws ConfigError for an unknown one. */
export function installCrashHook(spec: string | undefined): void {
  if (spec === undefined || spec === '') return;
  const [point, nth = '1'] = spec.split('#');
  if (!CRASH_POINTS.includes(point as CrashPoint) || !/^\d+$/.test(nth)) {
    const message = `expected one of ${CRASH_POINTS.join(', ')}, optionally #n, got "${spec}"`;
    throw new ConfigError(`TWIGA_TEST_CRASH_AT: ${message}`, [{ path: 'TWIGA_TEST_CRASH_AT', message }]);
  }
  let left = Number(nth);
  setCrashHandler((reached) => {
    if (reached === point && --left === 0) process.kill(process.pid, 'SIGKILL');
  });
}
