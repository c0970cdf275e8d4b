/** The GBDT trainer with Node's backend installed (worker threads, gbdt.wasm from disk). */
import '../../training-backend.js';

export * from '../../../runtime/train/gbdt/index.js';
