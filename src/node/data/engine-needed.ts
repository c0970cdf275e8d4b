/** The JS loader's hand-over: this file needs the duckdb engine (an odd shape, or an error to report). */

/**
 * Thrown inside the JS load path when it will not decide a file itself: a shape duckdb's reader
 * treats in its own way (BOM, ragged rows, padded cells), a cell the strict JS parsers do not read,
 * or any data error. The loader catches it and runs the duckdb path, whose result or DataError is
 * the canonical one, so both engines answer alike by construction. Never leaves the loader.
 */
export class EngineNeeded extends Error {
  constructor(readonly reason: string) {
    super(`the duckdb engine is needed: ${reason}`);
    this.name = 'EngineNeeded';
  }
}

/** Hand over to duckdb when `ok` is false. */
export function needEngineUnless(ok: boolean, reason: string): asserts ok {
  if (!ok) throw new EngineNeeded(reason);
}
