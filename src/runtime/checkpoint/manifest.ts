/** Zod schemas and codecs for `_checkpoint_manifest.json` and `vNNNN/_version.json` (snake_case, as twiga). */
import { z } from 'zod';
import { CheckpointError } from '../errors.js';
import { toIssues } from '../schemas/parse.js';
import { keyProblem, versionDir } from './keys.js';

/** The checkpoint format version written into every manifest. */
export const FORMAT_VERSION = 1;

const IsoDate = z.iso.datetime({ offset: true });
const Version = z.int().positive();

/** Integrity record of one file: lowercase hex sha256 and byte size. */
export const FileEntrySchema = z.object({
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex characters'),
  size: z.int().nonnegative(),
});

/** model label → metric name → finite number, e.g. `{ linear: { mae: 1.2 } }`. */
export const MetricsSchema = z.record(z.string(), z.record(z.string(), z.number()));

export const HistoryEntrySchema = z.object({
  version: Version,
  saved_at: IsoDate,
  model_type: z.string(),
  metrics: MetricsSchema,
  action: z.enum(['saved', 'rollback', 'promoted']),
  /** When this entry made `version` the active one. */
  at: IsoDate,
});

/** Fields shared by the manifest and `_version.json`: everything that describes one version. */
const versionShape = {
  format_version: z.literal(FORMAT_VERSION),
  version: Version,
  /** Main file of the version, relative to the checkpoint, e.g. `v0003/pipeline.json`. */
  checkpoint_file: z.string(),
  model_type: z.string().min(1),
  saved_at: IsoDate,
  files: z.record(z.string(), FileEntrySchema),
  metrics: MetricsSchema,
  extra: z.record(z.string(), z.unknown()).optional(),
};

interface VersionFields {
  version: number;
  checkpoint_file: string;
  files: Record<string, unknown>;
}

function checkFiles(value: VersionFields, ctx: z.RefinementCtx): void {
  const names = Object.keys(value.files);
  if (names.length === 0)
    ctx.addIssue({ code: 'custom', path: ['files'], message: 'expected at least one file' });
  for (const name of names) {
    const problem = keyProblem(name);
    if (problem)
      ctx.addIssue({ code: 'custom', path: ['files', name], message: `unsafe file name: ${problem}` });
  }
  const dir = `${versionDir(value.version)}/`;
  const main = value.checkpoint_file;
  if (!main.startsWith(dir) || !(main.slice(dir.length) in value.files)) {
    ctx.addIssue({
      code: 'custom',
      path: ['checkpoint_file'],
      message: `expected "${dir}<one of files>", got "${main}"`,
    });
  }
}

/** `<name>/vNNNN/_version.json`: written after the version's files; its presence makes the version complete. */
export const VersionInfoSchema = z.object(versionShape).superRefine(checkFiles);

/** `<name>/_checkpoint_manifest.json`: the active version plus the history of activations. */
export const ManifestSchema = z
  .object({ ...versionShape, history: z.array(HistoryEntrySchema) })
  .superRefine(checkFiles);

/** A file's sha256 and size, as recorded in a manifest. */
export type FileEntry = z.output<typeof FileEntrySchema>;
/** Metrics a version was saved with, by model then metric. */
export type Metrics = z.output<typeof MetricsSchema>;
/** One save or rollback in the manifest's history. */
export type HistoryEntry = z.output<typeof HistoryEntrySchema>;
/** The parsed `vNNNN/_version.json`. */
export type VersionInfo = z.output<typeof VersionInfoSchema>;
/** The parsed `_checkpoint_manifest.json`. */
export type Manifest = z.output<typeof ManifestSchema>;

/** Pretty-printed UTF-8 JSON, as written to the store. */
export function encodeJson(value: unknown): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Decode and validate a bookkeeping file; anything unreadable is CHECKPOINT_CORRUPT naming the key and fields.
 * @param location where the bytes came from (`store.describe(key)`), used in the message.
 */
export function decodeJson<S extends z.ZodType>(
  schema: S,
  bytes: Uint8Array,
  key: string,
  location: string,
): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new CheckpointError(
      'CHECKPOINT_CORRUPT',
      `Corrupt ${key} at ${location}: not valid JSON (${reason})`,
      { key, location, issues: [{ path: '(root)', message: reason }] },
      cause,
    );
  }
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  const issues = toIssues(result.error);
  const lines = issues.map((i) => `  - ${i.path}: ${i.message}`).join('\n');
  throw new CheckpointError('CHECKPOINT_CORRUPT', `Corrupt ${key} at ${location}:\n${lines}`, {
    key,
    location,
    issues,
  });
}
