/** The fit pipeline with Node's backend installed (worker-thread GBDT, gbdt.wasm from disk, date-holidays). */
import './training-backend.js';

export * from '../runtime/train/fit.js';
