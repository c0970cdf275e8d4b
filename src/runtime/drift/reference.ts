/** The drift reference stored with a checkpoint: a bounded, seeded, exact subsample per feature plus its summary. */
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { distinct } from './binning.js';
import { sortFinite } from './kernel.js';
import { meanStd } from './sum.js';

/** One column of a drift reference: a seeded sample and its summary statistics. */
export const DriftReferenceColumnSchema = z.object({
  /** Finite values before subsampling. */
  n_original: z.int(),
  /** Values dropped as NaN or ±inf. */
  n_non_finite: z.int(),
  /** Distinct finite values in the whole column (not just the sample). */
  n_unique: z.int(),
  min: z.number().nullable(),
  max: z.number().nullable(),
  mean: z.number().nullable(),
  /** Population standard deviation (numpy's default). */
  std: z.number().nullable(),
  /** The subsample, exact values in their original order. */
  values: z.array(z.number()),
});
/** One column of a drift reference. */
export type DriftReferenceColumn = z.output<typeof DriftReferenceColumnSchema>;

/** The drift reference a checkpoint carries: one sampled column per target and covariate. */
export const DriftReferenceSchema = z.object({
  format_version: z.literal(1),
  max_samples: z.int().positive(),
  seed: z.int(),
  columns: z.record(z.string(), DriftReferenceColumnSchema),
});
/** The drift reference a checkpoint carries. */
export type DriftReference = z.output<typeof DriftReferenceSchema>;

/** Sample size and seed of `buildDriftReference`. */
export interface DriftReferenceOptions {
  /** Largest sample kept per column. @default 5000 */
  maxSamples?: number;
  /** Seed of the subsample, so a checkpoint's reference is reproducible. @default 0 */
  seed?: number;
}

/** splitmix32: a small seedable generator (uniform in [0, 1)). */
function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    return ((z ^ (z >>> 15)) >>> 0) / 4294967296;
  };
}

/** Indices of a uniform random k-subset of [0, n), ascending (partial Fisher–Yates). */
function sampleIndices(n: number, k: number, random: () => number): Uint32Array {
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(random() * (n - i));
    const t = idx[i]!;
    idx[i] = idx[j]!;
    idx[j] = t;
  }
  return idx.subarray(0, k).sort();
}

/**
 * Builds the drift reference for a checkpoint's `reference.json`: per column a uniform random
 * sample without replacement of at most `maxSamples` finite values (deterministic by `seed`,
 * values kept exactly), plus n, distinct count, min, max, mean and std of the whole column.
 *
 * What the bound does to the tests: drift is tested against the sample, not the full column.
 * The sample is an exact i.i.d.-style draw, so every test stays valid (a KS p-value against a
 * reference of n_r sampled values vs n_c current values is a correct p-value), but its power is
 * that of n_r: with n_r = 5000 the KS test resolves shifts of roughly 1.36·√(1/n_r + 1/n_c) in
 * ECDF distance at the 5 % level, however large the training set was. It also decides Evidently's
 * test choice: a reference of > 1000 values switches numerical columns to Wasserstein and
 * categorical-like ones to Jensen–Shannon, exactly as a full reference of that size would.
 */
export function buildDriftReference(
  columns: Record<string, ArrayLike<number>>,
  options: DriftReferenceOptions = {},
): DriftReference {
  const maxSamples = options.maxSamples ?? 5000;
  const seed = options.seed ?? 0;
  if (!Number.isInteger(maxSamples) || maxSamples < 1) {
    throw new ConfigError(`maxSamples must be a positive integer, got ${maxSamples}`, [
      { path: 'maxSamples', message: `expected a positive integer, got ${maxSamples}` },
    ]);
  }
  const out: Record<string, DriftReferenceColumn> = {};
  for (const [name, raw] of Object.entries(columns)) {
    const finite: number[] = [];
    for (let i = 0; i < raw.length; i++) if (Number.isFinite(raw[i]!)) finite.push(raw[i]! + 0);
    const n = finite.length;
    const random = splitmix32(seed ^ hashName(name));
    const k = Math.min(n, maxSamples);
    const picked = k === n ? finite : Array.from(sampleIndices(n, k, random), (i) => finite[i]!);
    const sorted = sortFinite(finite);
    const stats = n > 0 ? meanStd(finite) : null;
    out[name] = {
      n_original: n,
      n_non_finite: raw.length - n,
      n_unique: distinct(sorted),
      min: n > 0 ? sorted[0]! : null,
      max: n > 0 ? sorted[n - 1]! : null,
      mean: stats ? stats.mean : null,
      std: stats ? stats.std : null,
      values: picked,
    };
  }
  return { format_version: 1, max_samples: maxSamples, seed, columns: out };
}

/** Each column's sample as `detectDrift`'s reference argument. */
export function referenceColumns(reference: DriftReference): Record<string, Float64Array> {
  return Object.fromEntries(
    Object.entries(reference.columns).map(([k, c]) => [k, Float64Array.from(c.values)]),
  );
}

/** FNV-1a of a column name, so columns draw different samples from one seed. */
function hashName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
