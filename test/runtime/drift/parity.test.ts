/** Parity with scipy/numpy on the committed fixtures (test/fixtures/drift/scipy.json), on both kernels. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chiSquare,
  initDriftWasm,
  jensenShannon,
  klDivergence,
  ks2samp,
  psi,
  sturgesEdges,
  useDriftKernel,
  wassersteinDistance,
  zTest,
} from '../../../src/runtime/drift/index.js';
import { jsKernel } from '../../../src/runtime/drift/kernel.js';
import { chi2Sf, normSf } from '../../../src/runtime/drift/special/gamma.js';
import { kstwoSf } from '../../../src/runtime/drift/special/kolmogn.js';
import { kolmogorov, smirnov } from '../../../src/runtime/drift/special/kolmogorov.js';
import { driftKernel } from '../../../src/runtime/drift/wasm.js';
import { fixtures, num, relError, sample } from './fixtures.js';

// 1e-9 relative; below 1e-300 (p-values that underflow) the error is absolute.
const TOL = 1e-9;
const worst: Record<string, number> = {};

function check(stat: string, name: string, actual: number, expected: number): void {
  const err = relError(actual, expected);
  worst[stat] = Math.max(worst[stat] ?? 0, err);
  expect(err, `${stat} ${name}: got ${actual}, scipy ${expected}`).toBeLessThanOrEqual(TOL);
}

const wasmBytes = readFileSync(fileURLToPath(new URL('../../../wasm/build/drift.wasm', import.meta.url)));

afterAll(() => {
  console.log(`scipy ${fixtures.scipy} / numpy ${fixtures.numpy}: max relative error per statistic`);
  console.table(Object.fromEntries(Object.entries(worst).map(([k, v]) => [k, v.toExponential(2)])));
});

describe('special functions', () => {
  it('kolmogorov, smirnov, kstwo.sf, chdtrc, norm.sf', () => {
    for (const [x, y] of fixtures.special.kolmogorov)
      check('kolmogorov', `x=${x}`, kolmogorov(num(x!)), num(y!));
    for (const [n, x, y] of fixtures.special.smirnov)
      check('smirnov', `n=${n} x=${x}`, smirnov(num(n!), num(x!)), num(y!));
    for (const [n, x, y] of fixtures.special.kstwo_sf)
      check('kstwo.sf', `n=${n} x=${x}`, kstwoSf(num(n!), num(x!)), num(y!));
    for (const [df, x, y] of fixtures.special.chdtrc)
      check('chdtrc', `df=${df} x=${x}`, chi2Sf(num(df!), num(x!)), num(y!));
    for (const [z, y] of fixtures.special.norm_sf) check('norm.sf', `z=${z}`, normSf(num(z!)), num(y!));
  });
});

for (const kernel of ['wasm', 'js'] as const) {
  describe(`two-sample statistics on the ${kernel} kernel`, () => {
    beforeAll(async () => {
      if (kernel === 'wasm') await initDriftWasm(wasmBytes);
      else useDriftKernel(jsKernel);
      expect(driftKernel().kind).toBe(kernel);
    });

    it('ks_2samp', () => {
      for (const c of fixtures.ks_2samp) {
        const r = ks2samp(sample(c.a), sample(c.b));
        check('ks statistic', c.name, r.statistic, num(c.statistic));
        check('ks pvalue', c.name, r.pvalue, num(c.pvalue));
      }
    });

    it('wasserstein_distance', () => {
      for (const c of fixtures.wasserstein_distance) {
        check('wasserstein', c.name, wassersteinDistance(sample(c.a), sample(c.b)), num(c.value));
      }
    });

    it('two-proportion z-test', () => {
      for (const c of fixtures.ztest) {
        const r = zTest(sample(c.a), sample(c.b));
        check('z statistic', c.name, r.statistic, num(c.statistic));
        check('z pvalue', c.name, r.pvalue, num(c.pvalue));
      }
    });

    it('Sturges edges and histograms', () => {
      for (const c of fixtures.sturges) {
        const pair = driftKernel().pair(sample(c.a), sample(c.b));
        const edges = sturgesEdges(pair.sorted('a'), pair.sorted('b'));
        expect(Array.from(edges), c.name).toEqual(c.edges);
        expect(Array.from(pair.histogram('a', edges)), c.name).toEqual(c.hist_a);
        expect(Array.from(pair.histogram('b', edges)), c.name).toEqual(c.hist_b);
      }
    });
  });
}

describe('distribution distances and chi-square', () => {
  it('jensenshannon, entropy, psi', () => {
    for (const c of fixtures.jensenshannon)
      check('jensenshannon', c.name, jensenShannon(c.p, c.q), num(c.value));
    for (const c of fixtures.entropy) check('kl (entropy)', c.name, klDivergence(c.p, c.q), num(c.value));
    for (const c of fixtures.psi) check('psi', c.name, psi(c.p, c.q), num(c.value));
  });

  it('chisquare', () => {
    for (const c of fixtures.chisquare) {
      const r = chiSquare(c.observed, c.expected);
      check('chisquare statistic', c.name, r.statistic, num(c.statistic));
      check('chisquare pvalue', c.name, r.pvalue, num(c.pvalue));
    }
  });
});
