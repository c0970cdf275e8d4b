/** Combine per-model forecasts element-wise. */
import type { EnsembleStrategy } from './schemas/forecaster-config.js';

/** Element-wise mean or median of equally shaped arrays; NaN members are ignored. */
export function combine(members: readonly Float64Array[], strategy: EnsembleStrategy): Float64Array {
  if (members.length === 0) throw new RangeError('an ensemble needs at least one member');
  const len = members[0]!.length;
  const out = new Float64Array(len);
  const buf = new Float64Array(members.length);
  for (let i = 0; i < len; i++) {
    let k = 0;
    for (const m of members) {
      const v = m[i]!;
      if (!Number.isNaN(v)) buf[k++] = v;
    }
    if (k === 0) out[i] = Number.NaN;
    else if (strategy === 'mean') {
      let s = 0;
      for (let j = 0; j < k; j++) s += buf[j]!;
      out[i] = s / k;
    } else {
      const sorted = buf.subarray(0, k).sort();
      out[i] = k % 2 === 1 ? sorted[(k - 1) >> 1]! : (sorted[k / 2 - 1]! + sorted[k / 2]!) / 2;
    }
  }
  return out;
}
