/** Split-conformal prediction intervals: absolute validation residual quantiles per horizon step. */
import { z } from 'zod';

/**
 * Levels at which residual quantiles are stored (0.05 … 0.95 by 0.05, then 0.975 and 0.99); other
 * levels interpolate linearly between neighbours. 21 numbers per step keep pipeline.json small.
 */
export const CONFORMAL_GRID: readonly number[] = [
  ...Array.from({ length: 19 }, (_, i) => Math.round((i + 1) * 5) / 100),
  0.975,
  0.99,
];

/** Seven significant digits: residual quantiles need no more, and pipeline.json stays small. */
const round7 = (x: number) => Number(x.toPrecision(7));

export const ConformalTableSchema = z.object({
  /** Residuals behind each step (the same for every step unless values were missing). */
  n: z.array(z.int().nonnegative()),
  /** Per output (step h, target t at index h·T + t): |residual| quantile at each grid level. */
  quantiles: z.array(z.array(z.number().nonnegative())),
});
export type ConformalTable = z.output<typeof ConformalTableSchema>;

/**
 * How the residuals were gathered: the validation tail alone (`split-…`), or pooled with those of models refit at
 * rolling origins across the training span (`cv-plus-…`, with its `folds`).
 */
export const CONFORMAL_TABLE_METHODS = [
  'split-conformal-absolute-residual',
  'cv-plus-absolute-residual',
] as const;

/** Where `cv_plus` fold cuts fall (see `ConformalConfigSchema.span`). */
export const CONFORMAL_SPANS = ['second_half', 'whole'] as const;

/** Conformal residual quantiles per model, step and target at the levels of `CONFORMAL_GRID` (pipeline.json). */
export const ConformalSchema = z.object({
  method: z.enum(CONFORMAL_TABLE_METHODS),
  /** Rolling origins pooled with the validation tail (`cv-plus-absolute-residual` only). */
  folds: z.int().min(1).optional(),
  /** Fold models trained on every `fold_stride`-th training window. */
  fold_stride: z.int().min(1).optional(),
  /** Fold residuals were put on the validation tail's volatility. */
  rescaled: z.boolean().optional(),
  /** Where the fold cuts fell (`ConformalConfig.span`); absent: `second_half`. */
  fold_span: z.enum(CONFORMAL_SPANS).optional(),
  levels: z.array(z.number().gt(0).lt(1)),
  /** Per model label (and `ensemble`). */
  models: z.record(z.string(), ConformalTableSchema),
});
/** A checkpoint's conformal table, as parsed by `ConformalSchema`. */
export type Conformal = z.output<typeof ConformalSchema>;

/**
 * The conformal quantile of absolute residuals at `level`: the ⌈(n+1)·level⌉-th smallest, which
 * guarantees coverage ≥ level for exchangeable data; +Infinity when n is too small for that level.
 */
export function conformalQuantile(sortedAbs: Float64Array, level: number): number {
  const n = sortedAbs.length;
  const k = Math.ceil((n + 1) * level);
  return k > n ? Number.POSITIVE_INFINITY : sortedAbs[k - 1]!;
}

/**
 * Build one model's table from forecasts and actuals laid out [window, output]. Non-finite pairs
 * are left out (and counted out of `n`).
 */
export function conformalTable(
  predicted: Float64Array,
  actual: Float64Array,
  nOutputs: number,
  levels: readonly number[] = CONFORMAL_GRID,
): ConformalTable {
  const windows = predicted.length / nOutputs;
  const n: number[] = [];
  const quantiles: number[][] = [];
  const buf = new Float64Array(windows);
  for (let o = 0; o < nOutputs; o++) {
    let k = 0;
    for (let w = 0; w < windows; w++) {
      const r = Math.abs(actual[w * nOutputs + o]! - predicted[w * nOutputs + o]!);
      if (Number.isFinite(r)) buf[k++] = r;
    }
    const sorted = buf.slice(0, k).sort();
    n.push(k);
    // JSON has no Infinity: a level the sample cannot support stores the largest residual and is refused at use.
    quantiles.push(
      levels.map((level) => round7(Math.min(conformalQuantile(sorted, level), k > 0 ? sorted[k - 1]! : 0))),
    );
  }
  return { n, quantiles };
}

/** Half-width of the interval at `level` for output `o`, interpolating linearly between grid levels. */
export function halfWidth(
  table: ConformalTable,
  levels: readonly number[],
  o: number,
  level: number,
): number {
  const q = table.quantiles[o]!;
  if (level <= levels[0]!) return q[0]!;
  for (let i = 1; i < levels.length; i++) {
    if (level <= levels[i]!) {
      const a = levels[i - 1]!;
      const t = (level - a) / (levels[i]! - a);
      return q[i - 1]! + t * (q[i]! - q[i - 1]!);
    }
  }
  return q[q.length - 1]!;
}

/** The highest level a table can honour: below it, ⌈(n+1)·level⌉ ≤ n for every output. */
export function maxSupportedLevel(table: ConformalTable): number {
  const n = Math.min(...table.n);
  return n / (n + 1);
}
