/**
 * Named points in the write paths (save, manifest swap, store writes, publish) where a crash-consistency
 * test may stop the process. A no-op unless a platform installs a handler: the Node CLI does so only when
 * `TWIGA_TEST_CRASH_AT` is set (src/node/crash-hook.ts), so the core never touches a process API.
 */

/** The points, in the order a save passes them. */
export const CRASH_POINTS = [
  'save.claimed',
  'save.file-written',
  'save.version-written',
  'manifest.before-swap',
  'manifest.swapped',
  'store.before-rename',
  'publish.object-copied',
  'publish.before-manifest',
  // A fleet saves one model after another: a crash between two leaves some promoted, the rest untouched.
  'fleet.model-saved',
  // A retraining worker holding a job's lease (jobs/claims/<id>.json), before it runs the job.
  'worker.claimed',
] as const;

export type CrashPoint = (typeof CRASH_POINTS)[number];

let handler: ((point: CrashPoint) => void) | undefined;

/** Installs (or with `undefined`, removes) the function called at every crash point. */
export function setCrashHandler(next: ((point: CrashPoint) => void) | undefined): void {
  handler = next;
}

/** Marks a point a crash test may stop at; does nothing in normal runs. */
export function crashPoint(point: CrashPoint): void {
  handler?.(point);
}
