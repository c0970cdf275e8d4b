/** A Tree-structured Parzen Estimator (Bergstra et al. 2011, as in hyperopt/Optuna): sequential, seeded. */
import { mulberry32 } from '../synthetic.js';

export type ParamSpec =
  | { type: 'float'; low: number; high: number; log?: boolean }
  | { type: 'int'; low: number; high: number; log?: boolean };
/** Parameters to tune, each with its range and scale. */
export type SearchSpace = Record<string, ParamSpec>;
/** One sampled value per tuned parameter. */
export type Params = Record<string, number>;

/** A sampled parameter set and its score. */
export interface Trial {
  number: number;
  params: Params;
  /** Lower is better. */
  score: number;
  seconds: number;
  /** `enqueued` for given starting points, `random` during start-up, `tpe` afterwards. */
  source: 'enqueued' | 'random' | 'tpe';
}

/** Search space, objective, trial count, seed and start-up trials of the TPE sampler. */
export interface TpeOptions {
  space: SearchSpace;
  /** Scores a parameter set; lower is better. */
  objective: (params: Params, trial: number) => Promise<number> | number;
  nTrials: number;
  seed: number;
  /** Points evaluated first (e.g. the defaults, so tuning can only match or beat them). */
  enqueue?: Params[];
  /** Random trials before the model takes over. @default min(10, max(2, nTrials / 3)) */
  nStartup?: number;
  /** Candidates drawn from the good-trials density per step. @default 24 */
  nCandidates?: number;
  onTrial?: (trial: Trial) => void;
}

/** The best trial and every trial run. */
export interface TpeResult {
  best: Trial;
  trials: Trial[];
}

/** Optuna's default split: the best ⌈0.1·n⌉ trials (at most 25) are "good". */
const nGood = (n: number) => Math.min(Math.ceil(0.1 * n), 25);

function toUnit(spec: ParamSpec, v: number): number {
  return spec.log ? Math.log(v) : v;
}
function fromUnit(spec: ParamSpec, u: number): number {
  const v = spec.log ? Math.exp(u) : u;
  const clipped = Math.min(spec.high, Math.max(spec.low, v));
  return spec.type === 'int' ? Math.round(clipped) : clipped;
}
function bounds(spec: ParamSpec): [number, number] {
  // Integers get half a step of room so the end values are as likely as the inner ones.
  const pad = spec.type === 'int' && !spec.log ? 0.5 : 0;
  return [toUnit(spec, spec.low - pad), toUnit(spec, spec.high + pad)];
}

/** A truncated Gaussian mixture over observations plus a flat prior (hyperopt's adaptive Parzen estimator). */
interface Parzen {
  mus: number[];
  sigmas: number[];
  weights: number[];
  lo: number;
  hi: number;
}

function parzen(obs: number[], lo: number, hi: number): Parzen {
  const prior = (lo + hi) / 2;
  const points = [...obs, prior].sort((a, b) => a - b);
  const priorIndex = points.indexOf(prior);
  const span = hi - lo;
  const minSigma = span / Math.min(100, 1 + points.length);
  const sigmas = points.map((p, i) => {
    const left = i > 0 ? p - points[i - 1]! : p - lo;
    const right = i < points.length - 1 ? points[i + 1]! - p : hi - p;
    return Math.min(span, Math.max(minSigma, left, right));
  });
  sigmas[priorIndex] = span;
  const weights = points.map(() => 1 / points.length);
  return { mus: points, sigmas, weights, lo, hi };
}

const SQRT2 = Math.SQRT2;
function erf(x: number): number {
  // Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7): ample for ranking candidates.
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-x * x);
  return x >= 0 ? y : -y;
}
const cdf = (x: number, mu: number, s: number) => 0.5 * (1 + erf((x - mu) / (s * SQRT2)));

function logDensity(p: Parzen, x: number): number {
  let sum = 0;
  for (let i = 0; i < p.mus.length; i++) {
    const mu = p.mus[i]!;
    const s = p.sigmas[i]!;
    const mass = cdf(p.hi, mu, s) - cdf(p.lo, mu, s);
    const z = (x - mu) / s;
    sum += (p.weights[i]! * Math.exp(-0.5 * z * z)) / (s * Math.sqrt(2 * Math.PI) * Math.max(mass, 1e-12));
  }
  return Math.log(Math.max(sum, 1e-300));
}

function sample(p: Parzen, rand: () => number, gauss: () => number): number {
  let r = rand();
  let k = 0;
  while (k < p.weights.length - 1 && r > p.weights[k]!) {
    r -= p.weights[k]!;
    k++;
  }
  for (let attempt = 0; attempt < 100; attempt++) {
    const x = p.mus[k]! + p.sigmas[k]! * gauss();
    if (x >= p.lo && x <= p.hi) return x;
  }
  return Math.min(p.hi, Math.max(p.lo, p.mus[k]!));
}

/**
 * Minimise `objective` over `space` with TPE: `nStartup` random trials, then each trial draws
 * `nCandidates` points from the density of the good trials and keeps the one maximising
 * l(x)/g(x) (good over bad density), parameter by parameter (univariate TPE). Reproducible by `seed`.
 */
export async function tpe(options: TpeOptions): Promise<TpeResult> {
  const rand = mulberry32(options.seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const names = Object.keys(options.space);
  const nStartup = options.nStartup ?? Math.min(10, Math.max(2, Math.floor(options.nTrials / 3)));
  const nCandidates = options.nCandidates ?? 24;
  const trials: Trial[] = [];
  const queue = [...(options.enqueue ?? [])];

  const propose = (): { params: Params; source: Trial['source'] } => {
    const given = queue.shift();
    if (given) return { params: { ...given }, source: 'enqueued' };
    const finished = trials.filter((t) => Number.isFinite(t.score));
    if (finished.length < nStartup) {
      const params: Params = {};
      for (const name of names) {
        const spec = options.space[name]!;
        const [lo, hi] = bounds(spec);
        params[name] = fromUnit(spec, lo + rand() * (hi - lo));
      }
      return { params, source: 'random' };
    }
    const sorted = [...finished].sort((a, b) => a.score - b.score);
    const split = nGood(sorted.length);
    const good = sorted.slice(0, split);
    const bad = sorted.slice(split);
    const params: Params = {};
    for (const name of names) {
      const spec = options.space[name]!;
      const [lo, hi] = bounds(spec);
      const l = parzen(
        good.map((t) => toUnit(spec, t.params[name]!)),
        lo,
        hi,
      );
      const g = parzen(
        bad.map((t) => toUnit(spec, t.params[name]!)),
        lo,
        hi,
      );
      let best = Number.NaN;
      let bestScore = Number.NEGATIVE_INFINITY;
      for (let c = 0; c < nCandidates; c++) {
        const x = sample(l, rand, gauss);
        const s = logDensity(l, x) - logDensity(g, x);
        if (s > bestScore) {
          bestScore = s;
          best = x;
        }
      }
      params[name] = fromUnit(spec, best);
    }
    return { params, source: 'tpe' };
  };

  for (let i = 0; i < options.nTrials; i++) {
    const { params, source } = propose();
    const t0 = performance.now();
    const score = await options.objective(params, i);
    const trial: Trial = { number: i, params, score, seconds: (performance.now() - t0) / 1000, source };
    trials.push(trial);
    options.onTrial?.(trial);
  }
  const finite = trials.filter((t) => Number.isFinite(t.score));
  if (finite.length === 0) throw new Error('every tuning trial failed to produce a finite score');
  const best = finite.reduce((a, b) => (b.score < a.score ? b : a));
  return { best, trials };
}
