/** Versioned, hash-verified checkpoints with one layout for Node, edge and browser stores. */
export type {
  LoadedCheckpoint,
  SaveMeta,
  SaveOptions,
  SaveResult,
  VersionSummary,
} from './checkpoint.js';
export {
  deleteVersion,
  listVersions,
  loadCheckpoint,
  readManifest,
  rollback,
  saveCheckpoint,
} from './checkpoint.js';
export { CAS_ATTEMPTS } from './commit.js';
export { CheckpointConflictError } from './conflict.js';
export { sha256Hex } from './hash.js';
export { assertSafeKey, keyProblem, MANIFEST_FILE, VERSION_FILE, versionDir } from './keys.js';
export type {
  FileEntry,
  HistoryEntry,
  Manifest,
  Metrics as ManifestMetrics,
  VersionInfo,
} from './manifest.js';
export {
  FORMAT_VERSION as CHECKPOINT_FORMAT_VERSION,
  ManifestSchema,
  VersionInfoSchema,
} from './manifest.js';
export { MemoryCheckpointStore } from './memory-store.js';
export {
  assertModelName,
  listModels,
  MAX_MODEL_NAME_LENGTH,
  type ModelSummary,
  modelNameProblem,
  modelNamesInKeys,
  modelSummaries,
  modelSummary,
  type NamePage,
  pageOf,
} from './models.js';
export { type PromoteOptions, promote } from './promote.js';
export type { CheckpointStore, ObjectInfo, PutOptions } from './store.js';
export { type FetchLike, UrlCheckpointStore, type UrlStoreOptions } from './url-store.js';
