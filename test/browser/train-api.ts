/** What the training page's worker (test/browser/pages/train-worker.ts) answers, as test/browser/train.test.ts reads it. */

/** A finished training job in the page's Web Worker. */
export interface TrainedInWorker {
  ok: true;
  /** Test-split forecasts, label → values (as testForecasts gives them). */
  forecasts: Record<string, number[]>;
  /** sha256 of each ONNX file the fit wrote, name → hex. */
  onnx: Record<string, string>;
  /** Whether the worker ran cross-origin isolated (shared WebAssembly memory needs it in Chromium). */
  crossOriginIsolated: boolean;
}

/** A training job that threw in the worker. */
export interface TrainFailed {
  ok: false;
  name: string;
  message: string;
  crossOriginIsolated: boolean;
}

export type TrainOutcome = TrainedInWorker | TrainFailed;

/** The job the page posts to its worker: ETTh1 CSV text and which model families to train. */
export interface TrainRequest {
  csv: string;
  models: string[];
}
