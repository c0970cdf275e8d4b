/** `npm run bench -- drift`: ks2samp and wassersteinDistance on the WASM core vs scipy (and numpy's sort) in the same run. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initNodeDriftWasm } from '../src/node/drift-wasm.js';
import { ks2samp, wassersteinDistance } from '../src/runtime/index.js';
import { xorshift32 } from '../test/runtime/drift/fixtures.js';

const SIZES = [1_000, 100_000, 1_000_000];
const RESULTS = fileURLToPath(new URL('./results/drift.json', import.meta.url));

const PY = `
import json, sys, time
import numpy as np, scipy
from scipy import stats
out = {"python": sys.executable, "numpy": np.__version__, "scipy": scipy.__version__, "sizes": {}}
for n in map(int, sys.argv[2:]):
    a = np.fromfile(f"{sys.argv[1]}/a{n}.f64"); b = np.fromfile(f"{sys.argv[1]}/b{n}.f64")
    reps = 3 if n >= 1000000 else 7
    def best(f):
        ts = []
        for _ in range(reps):
            t = time.perf_counter(); f(); ts.append(time.perf_counter() - t)
        return min(ts) * 1000
    out["sizes"][n] = {"ks_2samp": best(lambda: stats.ks_2samp(a, b)),
                       "wasserstein_distance": best(lambda: stats.wasserstein_distance(a, b)),
                       "np_sort_both": best(lambda: (np.sort(a), np.sort(b))),
                       "ks": [float(x) for x in stats.ks_2samp(a, b)[:2]],
                       "wd": float(stats.wasserstein_distance(a, b))}
print(json.dumps(out))
`;

function normalish(seed: number, n: number, loc: number): Float64Array {
  const u = xorshift32(seed);
  return Float64Array.from({ length: n }, () => loc + (u() + u() + u() + u() - 2) * 1.7);
}

function best(reps: number, f: () => unknown): number {
  let min = Infinity;
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    f();
    min = Math.min(min, performance.now() - t);
  }
  return min;
}

interface PyResult {
  python: string;
  numpy: string;
  scipy: string;
  sizes: Record<
    string,
    { ks_2samp: number; wasserstein_distance: number; np_sort_both: number; ks: number[]; wd: number }
  >;
}

/** Every distinct interpreter with scipy: the one on PATH and Debian's python3-scipy. */
function pythons(): string[] {
  const found = new Map<string, string>();
  for (const cmd of ['python3', '/usr/bin/python3']) {
    try {
      const exe = execFileSync(cmd, ['-c', 'import scipy, sys; print(sys.executable)'], {
        stdio: ['ignore', 'pipe', 'ignore'],
      })
        .toString()
        .trim();
      const real = realpathSync(exe);
      if (!found.has(real)) found.set(real, cmd);
    } catch {
      // no scipy there
    }
  }
  return [...found.values()];
}

const fmt = (ms: number) => (ms < 10 ? ms.toFixed(3) : ms.toFixed(1)).padStart(9);

export async function run(_args: string[]): Promise<void> {
  await initNodeDriftWasm();
  const dir = mkdtempSync(join(tmpdir(), 'twiga-drift-bench-'));
  const ours: Record<number, { ks2samp: number; wassersteinDistance: number }> = {};
  const data: Record<number, [Float64Array, Float64Array]> = {};
  for (const n of SIZES) {
    const a = normalish(1, n, 0);
    const b = normalish(2, n, 0.01);
    data[n] = [a, b];
    writeFileSync(join(dir, `a${n}.f64`), a);
    writeFileSync(join(dir, `b${n}.f64`), b);
    const reps = n >= 1_000_000 ? 7 : 15;
    ks2samp(a, b);
    ours[n] = {
      ks2samp: best(reps, () => ks2samp(a, b)),
      wassersteinDistance: best(reps, () => wassersteinDistance(a, b)),
    };
  }
  const anchors: PyResult[] = [];
  for (const py of pythons()) {
    try {
      anchors.push(
        JSON.parse(
          execFileSync(py, ['-c', PY, dir, ...SIZES.map(String)], { maxBuffer: 1 << 24 }).toString(),
        ),
      );
    } catch (error) {
      console.error(`skipping ${py}: ${(error as Error).message}`);
    }
  }
  rmSync(dir, { recursive: true, force: true });
  console.log(
    'drift bench: WASM core (Node ' + process.version + '), best of several runs, ms; ratio = scipy / ours',
  );
  if (anchors.length === 0) console.log('(no python3 with scipy found: scipy columns skipped)');
  for (const n of SIZES) {
    const o = ours[n]!;
    console.log(`\nn = ${n.toLocaleString('en')} per side`);
    console.log(`  ours      ks2samp ${fmt(o.ks2samp)}   wassersteinDistance ${fmt(o.wassersteinDistance)}`);
    for (const p of anchors) {
      const s = p.sizes[n]!;
      const [a, b] = data[n]!;
      const same =
        Math.abs(ks2samp(a, b).pvalue - s.ks[1]!) <= 1e-9 * Math.max(s.ks[1]!, 1e-300) &&
        Math.abs(wassersteinDistance(a, b) - s.wd) <= 1e-9 * s.wd;
      console.log(
        `  scipy ${p.scipy.padEnd(7)} ks_2samp ${fmt(s.ks_2samp)} (${(s.ks_2samp / o.ks2samp).toFixed(1)}×)` +
          `   wasserstein_distance ${fmt(s.wasserstein_distance)} (${(s.wasserstein_distance / o.wassersteinDistance).toFixed(1)}×)` +
          `   numpy ${p.numpy} sort of both ${fmt(s.np_sort_both)} (${(s.np_sort_both / o.ks2samp).toFixed(2)}× our KS, ${(s.np_sort_both / o.wassersteinDistance).toFixed(2)}× our W1)` +
          `   values match: ${same}`,
      );
    }
  }
  mkdirSync(join(RESULTS, '..'), { recursive: true });
  writeFileSync(
    RESULTS,
    JSON.stringify(
      {
        node: process.version,
        date: new Date().toISOString(),
        unit: 'ms (best of runs)',
        ours,
        anchors: anchors.map(({ sizes, ...rest }) => ({
          ...rest,
          sizes: Object.fromEntries(
            Object.entries(sizes).map(([k, v]) => [
              k,
              {
                ks_2samp: v.ks_2samp,
                wasserstein_distance: v.wasserstein_distance,
                np_sort_both: v.np_sort_both,
              },
            ]),
          ),
        })),
      },
      null,
      2,
    ) + '\n',
  );
  console.log(`\nwrote ${RESULTS}`);
}
