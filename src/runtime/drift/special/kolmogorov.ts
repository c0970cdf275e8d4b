/** The Kolmogorov limiting distribution and the one-sided Smirnov distribution, as scipy.special's. */

const MIN_EXPABLE = -708 - 38;
const MINLOG = -745.1332191019412;
const EPS = 2.220446049250313e-16;
const SPLIT = 134217729; // 2^27 + 1, Veltkamp's splitter

/** a·b as an unevaluated sum hi + lo, exactly (Dekker). */
export function twoProduct(a: number, b: number): [number, number] {
  const hi = a * b;
  const ca = SPLIT * a;
  const ah = ca - (ca - a);
  const al = a - ah;
  const cb = SPLIT * b;
  const bh = cb - (cb - b);
  const bl = b - bh;
  return [hi, ah * bh - hi + ah * bl + al * bh + al * bl];
}

/**
 * Survival function of the limiting Kolmogorov distribution, P(√n·D_n ≥ x) as n → ∞
 * (scipy.special.kolmogorov): the theta-function series below 0.82, the alternating series above.
 */
export function kolmogorov(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x <= 0 || x <= Math.PI / Math.sqrt(-MIN_EXPABLE * 8)) return 1;
  if (x <= 0.82) {
    const w = Math.sqrt(2 * Math.PI) / x;
    const logu8 = (-Math.PI * Math.PI) / (x * x);
    const u = Math.exp(logu8 / 8);
    let cdf: number;
    if (u === 0) cdf = Math.exp(logu8 / 8 + Math.log(w));
    else {
      const u8 = Math.exp(logu8);
      let p = 1 + u8 ** 3;
      p = 1 + u8 * u8 * p;
      p = 1 + u8 * p;
      cdf = w * u * p;
    }
    return Math.min(1, Math.max(0, 1 - cdf));
  }
  const v = Math.exp(-2 * x * x);
  const v3 = v ** 3;
  let p = 1 - v3 * v3 * v;
  p = 1 - v3 * v * v * p;
  p = 1 - v3 * p;
  return Math.min(1, Math.max(0, 2 * v * p));
}

/**
 * Survival function of the one-sided Smirnov statistic D_n^+ (scipy.special.smirnov):
 * the Birnbaum–Tingey sum Σ_v C(n,v)·x·(x + v/n)^(v−1)·(1 − x − v/n)^(n−v), each term in logs,
 * with scipy's closed forms near x = 0 and x = 1 and its approximation above n = 10^6.
 */
export function smirnov(n: number, x: number): number {
  if (!(n > 0 && x >= 0 && x <= 1)) return Number.NaN;
  if (n === 1) return 1 - x;
  if (x === 0) return 1;
  if (x === 1) return 0;
  const [nxHi, nxLo] = twoProduct(n, x);
  let nxfl = Math.floor(nxHi);
  if (nxfl === nxHi && nxLo < 0) nxfl -= 1;
  let alpha = nxHi - nxfl + nxLo;
  if (alpha >= 1) {
    nxfl += 1;
    alpha = 0;
  }
  let n1mxfl = n - nxfl - (alpha === 0 ? 0 : 1);
  if (alpha === 0) n1mxfl -= 1;
  if (nxfl === 0 || (nxfl === 1 && alpha === 0)) return clip(1 - x * (1 + x) ** (n - 1));
  if (-2 * n * x * x < MINLOG) return 0;
  if (nxfl >= n - 1) return clip((1 - x) ** n);
  if (n > 1_000_000) {
    const logp = -((6 * n * x + 1) ** 2) / 18 / n;
    return clip(logp < -Math.LN2 ? Math.exp(logp) : 1 + Math.expm1(logp));
  }
  const nTerms = n1mxfl + 1;
  const vmid = Math.floor(n / 2);
  let sum = (1 - x) ** n / x;
  let logC = 0;
  let logComp = 0;
  for (let v = 1; v < nTerms; v++) {
    // log C(n, v) accumulated with Kahan compensation.
    const y = Math.log((n - v + 1) / v) - logComp;
    const t = logC + y;
    logComp = t - logC - y;
    logC = t;
    const t1 = (v + nxHi + nxLo) / n;
    const t2 = (n - v - nxHi - nxLo) / n;
    const term = Math.exp(logC + (v - 1) * Math.log(t1) + (n - v) * Math.log(t2));
    if (Number.isFinite(term) && term !== 0) sum += term;
    if (term !== 0) {
      if (4 * (nTerms - v) * Math.abs(term) < EPS * sum && v !== nTerms - 1) break;
    } else if (v > vmid) break;
  }
  return clip(x * sum);
}

function clip(p: number): number {
  return Math.min(1, Math.max(0, p));
}
