/** What test/browser/pages/lean-page.ts answers (shared by the page and test/browser/lean.test.ts). */

/** One case's verdict per lean kernel set: the first index where the bits differ from ORT's, or -1. */
export interface ParityResult {
  name: string;
  engine: string;
  wasm: number;
  js: number;
}
