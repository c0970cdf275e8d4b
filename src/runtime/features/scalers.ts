/** Fitted affine scalers (standard, robust, minmax, none): fit, transform, inverse, and their JSON schema. */
import { z } from 'zod';
import { SCALERS, type ScalerKind } from '../schemas/pipeline-config.js';

/**
 * A fitted scaler. Every kind is affine: `transform(x) = (x − center) / scale` and
 * `inverse(z) = z · scale + center`. Plain numbers, so `JSON.stringify` round-trips it exactly.
 */
export const ScalerParamsSchema = z.object({
  kind: z.enum(SCALERS),
  center: z.number(),
  scale: z.number().positive(),
});

/** An affine scaler `z = (x - center) / scale`, as stored in pipeline.json. */
export type ScalerParams = z.infer<typeof ScalerParamsSchema>;

/** Finite values of `values`, sorted ascending. */
function finiteSorted(values: ArrayLike<number>): Float64Array {
  const out = new Float64Array(values.length);
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) out[n++] = v;
  }
  return out.subarray(0, n).sort();
}

/** Percentile `q` in [0, 1] of non-empty ascending data, with numpy's default (linear) interpolation. */
export function percentileSorted(sorted: Float64Array, q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/** Replace a zero (or non-positive) spread by 1, so a constant column maps to 0 rather than NaN. */
const spread = (s: number): number => (s > 0 ? s : 1);

/**
 * Fit a scaler on `values`, ignoring non-finite entries (NaN, ±Infinity).
 * - `standard`: center = mean, scale = population std (ddof 0, as sklearn's StandardScaler); std 0 → 1.
 * - `robust`: center = median, scale = q75 − q25 with numpy's linear interpolation; IQR 0 → 1.
 * - `minmax`: center = min, scale = max − min, mapping the data to [0, 1]; range 0 → 1.
 * - `none`: center 0, scale 1.
 * A column with no finite value fits to center 0, scale 1 (NaNs pass through as NaN).
 * @example fitScaler('standard', [1, 2, 3]) // { kind: 'standard', center: 2, scale: sqrt(2/3) }
 */
export function fitScaler(kind: ScalerKind, values: ArrayLike<number>): ScalerParams {
  if (kind === 'none') return { kind, center: 0, scale: 1 };
  const sorted = finiteSorted(values);
  const n = sorted.length;
  if (n === 0) return { kind, center: 0, scale: 1 };
  switch (kind) {
    case 'standard': {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += sorted[i]!;
      const mean = sum / n;
      let ss = 0;
      for (let i = 0; i < n; i++) ss += (sorted[i]! - mean) ** 2;
      return { kind, center: mean, scale: spread(Math.sqrt(ss / n)) };
    }
    case 'robust':
      return {
        kind,
        center: percentileSorted(sorted, 0.5),
        scale: spread(percentileSorted(sorted, 0.75) - percentileSorted(sorted, 0.25)),
      };
    case 'minmax':
      return { kind, center: sorted[0]!, scale: spread(sorted[n - 1]! - sorted[0]!) };
  }
}

/** Scale one value, `(x − center) / scale`. */
export function transform(params: ScalerParams, x: number): number;
/** Scale every value into `out` (allocated when omitted; may be the input itself). */
export function transform(params: ScalerParams, x: ArrayLike<number>, out?: Float64Array): Float64Array;
export function transform(
  params: ScalerParams,
  x: number | ArrayLike<number>,
  out?: Float64Array,
): number | Float64Array {
  const { center, scale } = params;
  if (typeof x === 'number') return (x - center) / scale;
  const dst = out ?? new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) dst[i] = (x[i]! - center) / scale;
  return dst;
}

/** Undo {@link transform} on one value, `z · scale + center`. */
export function inverseTransform(params: ScalerParams, z: number): number;
/** Undo {@link transform} on every value into `out` (allocated when omitted; may be the input itself). */
export function inverseTransform(
  params: ScalerParams,
  z: ArrayLike<number>,
  out?: Float64Array,
): Float64Array;
export function inverseTransform(
  params: ScalerParams,
  z: number | ArrayLike<number>,
  out?: Float64Array,
): number | Float64Array {
  const { center, scale } = params;
  if (typeof z === 'number') return z * scale + center;
  const dst = out ?? new Float64Array(z.length);
  for (let i = 0; i < z.length; i++) dst[i] = z[i]! * scale + center;
  return dst;
}
