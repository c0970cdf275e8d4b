/** The incumbent of a retraining run: the checkpoint's active version, missing, or corrupt — never a guess. */
import { loadCheckpoint } from '../../runtime/checkpoint/checkpoint.js';
import { manifestKey, versionKey } from '../../runtime/checkpoint/keys.js';
import type { CheckpointStore } from '../../runtime/checkpoint/store.js';
import { CheckpointError, TwigaError } from '../../runtime/errors.js';
import { Forecaster } from '../../runtime/forecaster.js';
import type { OnnxEngine } from '../../runtime/onnx/engine.js';
import { task } from './task.js';
import { isTransient } from './transient.js';

/** What load-incumbent found: a verified model, none yet, or a corrupt one. */
export type Incumbent =
  | {
      status: 'loaded';
      forecaster: Forecaster;
      /** The version's verified files (pipeline.json, reference.json, the ONNX models). */
      files: Record<string, Uint8Array>;
      version: number;
      path: string;
      /** Etag of the manifest the decision is made against (promotion swaps only if it is unchanged). */
      etag: string | null;
    }
  | { status: 'missing'; etag: string | null; message: string }
  | { status: 'corrupt'; etag: string | null; message: string; error: TwigaError };

/**
 * Load and verify the active version of `name`. Nothing there → `missing` (the first run); a version that
 * fails its hash check or does not decode → `corrupt`. Transient I/O errors are thrown (and retried).
 */
export const loadIncumbentTask = task(
  'load-incumbent',
  async (input: { store: CheckpointStore; name: string; engine: OnnxEngine }): Promise<Incumbent> => {
    const { store, name } = input;
    try {
      const loaded = await loadCheckpoint(store, name);
      const forecaster = await Forecaster.fromFiles(loaded.files, input.engine);
      return {
        status: 'loaded',
        forecaster,
        files: loaded.files,
        version: loaded.version,
        path: store.describe(versionKey(name, loaded.version)),
        etag: loaded.etag ?? null,
      };
    } catch (error) {
      if (isTransient(error) || !(error instanceof TwigaError)) throw error;
      // Read only now: a manifest that failed to load still has bytes the promotion must swap against.
      const etag = (await store.head(manifestKey(name)))?.etag ?? null;
      if (error instanceof CheckpointError && error.code === 'CHECKPOINT_NOT_FOUND')
        return { status: 'missing', etag, message: error.message };
      return { status: 'corrupt', etag, message: error.message, error };
    }
  },
);
