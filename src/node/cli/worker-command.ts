/** `twiga-edge worker`: run the retraining jobs the edge handed to Node (jobs/pending/) under leases. */
import { type Command, InvalidArgumentError } from 'commander';
import { ConfigError } from '../../runtime/errors.js';
import { retrainPolicy } from '../../runtime/flows/decision.js';
import { FsCheckpointStore } from '../fs-store.js';
import { nodeFitCandidate, runJobWorker } from '../retrain-worker.js';
import { s3StoreFromEnv } from '../s3-store.js';
import { loadSettings } from '../settings.js';
import { wholeAtLeast } from './args.js';
import { withR2Bucket } from './r2-options.js';

/** Seconds > 0 (fractions allowed, for short leases in tests). */
function seconds(value: string): number {
  const n = Number(value);
  if (!(Number.isFinite(n) && n > 0)) throw new InvalidArgumentError(`expected seconds > 0, got "${value}"`);
  return n;
}

interface WorkerFlags {
  checkpoints?: string;
  bucket?: string;
  endpoint?: string;
  lease: number;
  poll: number;
  once?: boolean;
  owner?: string;
  retries?: number;
  retryDelay?: number;
  envFile?: string;
}

/** Adds `worker` to the program. */
export function addWorkerCommand(program: Command): void {
  withR2Bucket(
    program
      .command('worker')
      .description(
        'run the retraining jobs the edge handed to Node (jobs/pending/ in a checkpoint folder or R2 bucket): ' +
          'claim one under a lease, run the same tasks as the Workflow, write jobs/done/<id>.json; several ' +
          'workers share one store; prints a summary JSON when it stops (SIGTERM, or --once when drained)',
      )
      .option(
        '--checkpoints <dir>',
        'checkpoint root folder (default: TWIGA_MODEL_CHECKPOINT_DIR, else ./checkpoints)',
      ),
  )
    .option('--lease <seconds>', 'lease length; renewed every third of it while a job runs', seconds, 60)
    .option('--poll <seconds>', 'pause between scans when no job could be claimed', seconds, 5)
    .option('--once', 'run what can be claimed now, then exit (jobs leased by live workers are left to them)')
    .option('--owner <name>', 'this worker in leases and results (default <hostname>:<pid>)')
    .option('--retries <n>', 'retries per step (default: TWIGA_FLOW_RETRIES, else 2)', wholeAtLeast(0))
    .option('--retry-delay <seconds>', 'delay before the first retry, doubling after (default 1)', seconds)
    .option('--env-file <file>', 'read TWIGA_* settings from this file (default: .env when present)')
    .action(async (flags: WorkerFlags) => {
      if (flags.checkpoints && flags.bucket) {
        const message = 'give --checkpoints or --bucket, not both';
        throw new ConfigError(`worker: ${message}`, [{ path: 'bucket', message }]);
      }
      const settings = await loadSettings(flags.envFile ? { envFile: flags.envFile } : {});
      const store = flags.bucket
        ? s3StoreFromEnv({ bucket: flags.bucket, ...(flags.endpoint ? { endpoint: flags.endpoint } : {}) })
        : new FsCheckpointStore(flags.checkpoints ?? settings.model.checkpointDir);
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
      try {
        const summary = await runJobWorker({
          store,
          fitCandidate: nodeFitCandidate({ engine: settings.engine }),
          policy: retrainPolicy(settings.retrain),
          leaseMs: flags.lease * 1000,
          pollMs: flags.poll * 1000,
          once: flags.once === true,
          ...(flags.owner ? { owner: flags.owner } : {}),
          retry: {
            retries: flags.retries ?? settings.flow.retries,
            delayMs: (flags.retryDelay ?? settings.flow.retryDelaySeconds) * 1000,
          },
          signal: controller.signal,
        });
        process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      } finally {
        process.off('SIGTERM', stop);
        process.off('SIGINT', stop);
      }
    });
}
