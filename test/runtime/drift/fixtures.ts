/** Loads the committed scipy fixtures and replays their generated samples exactly as generate.py does. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export type Num = number | string;
export interface SampleSpec {
  values?: Num[];
  gen?: {
    kind: 'normalish' | 'discrete';
    seed: number;
    n: number;
    loc: number;
    scale?: number;
    levels?: number;
  };
}

export interface Fixtures {
  scipy: string;
  numpy: string;
  special: Record<'kolmogorov' | 'norm_sf', Num[][]> & Record<'smirnov' | 'kstwo_sf' | 'chdtrc', Num[][]>;
  ks_2samp: { name: string; a: SampleSpec; b: SampleSpec; statistic: Num; pvalue: Num }[];
  wasserstein_distance: { name: string; a: SampleSpec; b: SampleSpec; value: Num }[];
  jensenshannon: { name: string; p: number[]; q: number[]; value: Num }[];
  entropy: { name: string; p: number[]; q: number[]; value: Num }[];
  psi: { name: string; p: number[]; q: number[]; value: Num }[];
  chisquare: { name: string; observed: number[]; expected: number[]; statistic: Num; pvalue: Num }[];
  ztest: { name: string; a: SampleSpec; b: SampleSpec; statistic: Num; pvalue: Num }[];
  sturges: {
    name: string;
    a: SampleSpec;
    b: SampleSpec;
    edges: number[];
    hist_a: number[];
    hist_b: number[];
  }[];
}

export const fixtures: Fixtures = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../fixtures/drift/scipy.json', import.meta.url)), 'utf8'),
);

/** JSON numbers plus the strings "nan", "inf", "-inf". */
export function num(v: Num): number {
  if (typeof v === 'number') return v;
  return v === 'nan' ? Number.NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : Number(v);
}

/** xorshift32 in [0, 1): the generator the Python fixture script replays bit for bit (also used by the bench). */
export function xorshift32(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
}

/** The sample a spec describes, bit-identical to generate.py's. */
export function sample(spec: SampleSpec): Float64Array {
  if (spec.values) return Float64Array.from(spec.values, num);
  const g = spec.gen!;
  const u = xorshift32(g.seed);
  const out = new Float64Array(g.n);
  for (let i = 0; i < g.n; i++) {
    if (g.kind === 'normalish') out[i] = g.loc + g.scale! * (u() + u() + u() + u() - 2);
    else out[i] = Math.floor(u() * g.levels!) + g.loc;
  }
  return out;
}

/** Relative error, absolute below `floor` (values ~0 have no meaningful relative error). */
export function relError(actual: number, expected: number, floor = 1e-300): number {
  if (Number.isNaN(expected)) return Number.isNaN(actual) ? 0 : Infinity;
  if (actual === expected) return 0;
  const scale = Math.abs(expected);
  return scale < floor ? Math.abs(actual - expected) : Math.abs(actual - expected) / scale;
}
