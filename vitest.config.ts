/** Test projects: `node`, and `workerd` (the edge, inside the Workers runtime); `chromium` joins with the browser. */
import { availableParallelism } from 'node:os';
import { relative } from 'node:path';
import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { configDefaults, defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { ROUTE_SETTINGS } from './test/edge/route-settings.js';

const WORKERD_TESTS = 'test/edge/workerd/**';

/**
 * Files of minutes (fits on the full real data sets), started first so the other files fill the second worker
 * around them. Vitest orders by the last run's durations when it has them; a fresh clone (CI) has none and
 * would start these small files late, leaving one of them running alone at the end.
 */
const SLOW_FIRST = [
  'test/node/mlp-figures.test.ts',
  'test/node/conformal-pjme.test.ts',
  'test/node/window-norm-figures.test.ts',
  'test/node/fleet/etth1-panel.test.ts',
  'test/node/docs.test.ts',
  'test/fuzz/crash.test.ts',
  'test/node/conformal-etth1.test.ts',
];

class SlowFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => {
      const i = SLOW_FIRST.indexOf(relative(f.project.config.root, f.moduleId));
      return i < 0 ? SLOW_FIRST.length : i;
    };
    // A stable sort: the others keep vitest's order.
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  resolve: { conditions: ['source'] },
  test: {
    // Vitest's default (cores − 1) runs one file at a time on 2 cores, where a file mostly keeps one core busy
    // or waits on a child process: run two files side by side there (more cores keep the default).
    maxWorkers: Math.max(2, availableParallelism() - 1),
    sequence: { sequencer: SlowFirst },
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, WORKERD_TESTS],
          environment: 'node',
          // A run-wide folder for fits that several files read (test/node/shared-fit.ts).
          globalSetup: ['test/node/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        plugins: [
          cloudflareTest(({ inject }) => ({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: {
              bindings: {
                TEST_CHECKPOINT_FILES: inject('checkpointFiles'),
                TEST_RECORDS_JSON: inject('recordsJson'),
                TEST_NODE_FORECAST: inject('nodeForecast'),
                TEST_PREDICTED_JSON: inject('predictedJson'),
                TEST_FLEET_JSON: inject('fleetJson'),
                TEST_GLOBAL_FILES: inject('globalCheckpointFiles'),
                TEST_GLOBAL_RECORDS_JSON: inject('globalRecordsJson'),
                TEST_GLOBAL_EXPECTED_JSON: inject('globalExpectedJson'),
                TEST_TRAIN_CSV: inject('trainCsv'),
                TEST_TRAIN_NODE_FORECAST: inject('trainNodeForecast'),
                // A recording stand-in for an MLflow server on 127.0.0.1 (test/edge/mlflow-stand-in.ts).
                TWIGA_MLFLOW_TRACKING_URI: inject('mlflowUri'),
                // The route suite's settings (the same as the Node server's in test/node/serve.test.ts).
                TWIGA_SERVE_API_KEY: ROUTE_SETTINGS.apiKey,
                TWIGA_SERVE_POLL_SECONDS: String(ROUTE_SETTINGS.pollSeconds),
                TWIGA_SERVE_MAX_BODY_BYTES: String(ROUTE_SETTINGS.maxBodyBytes),
                // Faults injected on purpose into some test models' retraining runs (retrain-workflow.ts).
                TWIGA_RETRAIN_FAULT:
                  'fault-retry:load-data:2,fault-fail:load-data:9,mlflow-fail:load-data:9,fit-saved-once:fit-saved:1',
                // A handed-off run checks jobs/done/ every 0.5 s for up to a minute (tests write the result).
                TWIGA_RETRAIN_HANDOFF_POLL_SECONDS: '0.5',
                TWIGA_RETRAIN_HANDOFF_TIMEOUT_SECONDS: '60',
                // The route fuzzer's size and seed (scripts/fuzz.ts sets them for the long run).
                TWIGA_FUZZ_RUNS: process.env['TWIGA_FUZZ_RUNS'] ?? '',
                TWIGA_FUZZ_SEED: process.env['TWIGA_FUZZ_SEED'] ?? '',
              },
            },
          })),
        ],
        test: {
          name: 'workerd',
          include: [`${WORKERD_TESTS}/*.test.ts`],
          globalSetup: ['test/edge/workerd/global-setup.ts'],
          // One module graph for all files: each fresh isolate re-imports ORT's 14 MB .wasm (~8 s). So one
          // worker, in a group of its own after the node files (a group runs when the one before it ends).
          isolate: false,
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
