/** Benchmark dispatcher: `npm run bench -- <name> [args…]` runs `bench/<name>.ts`. */

/** A benchmark module: `run` receives the arguments after its name. */
interface Bench {
  run(args: string[]): Promise<void>;
}

const BENCHES: Record<string, () => Promise<Bench>> = {
  gbdt: () => import('./gbdt.js'),
  drift: () => import('./drift.js'),
  edge: () => import('./edge.js'),
  'fleet-serve': () => import('./fleet-serve.js'),
  holidays: () => import('./holidays.js'),
  accuracy: () => import('./accuracy.js'),
  engine: () => import('./engine.js'),
  fleet: () => import('./fleet.js'),
  'train-anywhere': () => import('./train-anywhere.js'),
  'retrain-fleet': () => import('./retrain-fleet.js'),
};

const [name, ...args] = process.argv.slice(2);
const load = name === undefined ? undefined : BENCHES[name];
if (load === undefined) {
  console.error(`usage: npm run bench -- <${Object.keys(BENCHES).join('|')}> [args…]`);
  process.exit(2);
}
await (await load()).run(args);
