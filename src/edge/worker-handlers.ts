/** The Worker's handlers over an engine start-up capability: one body for the default and the lean build. */
import type { ExecutionContext } from 'hono';
import type { RetrainMessage } from '../runtime/retrain/message.js';
import { settingsFromEnv } from '../runtime/settings.js';
import { createApp, type TwigaApp } from './app.js';
import { edgePredictors, type StartRuntime } from './edge-predictors.js';
import { runFleetDriftCheck } from './fleet-scheduled.js';
import { R2CheckpointStore } from './r2-store.js';
import type { R2BucketLike } from './r2-types.js';
import type { MessageBatchLike, QueueLike, WorkflowLike } from './retrain-bindings.js';
import { consumeRetrainBatch, sendRetrainMessages } from './retrain-queue.js';

/** The bindings and variables wrangler.toml declares (mirrored, see r2-types.ts). */
export interface Env {
  CHECKPOINTS: R2BucketLike;
  /** Bucket name, for messages (`r2://<name>/…`). */
  TWIGA_R2_BUCKET?: string;
  /** The retraining queue (producer); absent = the cron only records decisions. */
  RETRAIN_QUEUE?: QueueLike<RetrainMessage>;
  /** The retraining Workflow (`RetrainWorkflow`). */
  RETRAIN_WORKFLOW?: WorkflowLike<RetrainMessage>;
  [variable: string]: unknown;
}

interface Service {
  app: TwigaApp;
  store: R2CheckpointStore;
  settings: ReturnType<typeof settingsFromEnv>;
}

export type { StartRuntime } from './edge-predictors.js';

/**
 * The `fetch` and `scheduled` handlers. The engines and the drift core start on the first model load, not at
 * isolate start-up.
 */
export function createWorker(start: StartRuntime) {
  // One app per isolate: its model, etag clock and in-flight counts live as long as the isolate.
  let service: Service | undefined;

  function serviceFor(env: Env): Service {
    if (!service) {
      const settings = settingsFromEnv(env);
      const predictors = edgePredictors(start, settings.engine);
      const store = new R2CheckpointStore(env.CHECKPOINTS, {
        bucketName: env.TWIGA_R2_BUCKET ?? 'CHECKPOINTS',
      });
      service = { app: createApp({ store, settings, predictors }), store, settings };
    }
    return service;
  }

  return {
    async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
      let s: Service;
      try {
        s = serviceFor(env);
      } catch (error) {
        // Bad TWIGA_* variables: say which, as JSON, rather than failing every request with a bare 500.
        const message = error instanceof Error ? error.message : String(error);
        const body = { error: { code: 'CONFIG_INVALID', message: `server misconfigured: ${message}` } };
        return Response.json(body, { status: 503 });
      }
      return s.app.fetch(request, env, ctx);
    },

    async scheduled(_controller: unknown, env: Env, ctx: ExecutionContext): Promise<void> {
      const { app, store, settings } = serviceFor(env);
      const run = runFleetDriftCheck({ host: app.host, store, settings }).then(async (result) => {
        const first = result.default;
        if (first.status === 'failed') {
          // Logged as an event for observability, then thrown so the cron invocation is marked failed.
          console.error(JSON.stringify({ event: 'twiga.drift_check', status: 'failed', error: first.error }));
        } else if (first.status !== 'checked') {
          console.log(JSON.stringify({ event: 'twiga.drift_check', ...first }));
        } else {
          const { retraining, ...drift } = first;
          console.log(JSON.stringify({ event: 'twiga.drift_check', ...drift }));
          // Its own event with a flat `retraining_due`, so observability can filter and alert on it.
          const { due, reason, detail, version, key, due_key } = retraining;
          console.log(
            JSON.stringify({
              event: 'twiga.retraining_decision',
              retraining_due: due,
              reason,
              detail,
              version,
              key,
              due_key,
            }),
          );
        }
        // One message per due model; the consumer turns each into one Workflow instance.
        const due = result.fleet.results.flatMap((r): RetrainMessage[] =>
          r.status === 'checked' && r.retraining_due
            ? [{ model: r.name, version: r.version, reason: 'drift', window: result.fleet.checked_at }]
            : [],
        );
        if (env.RETRAIN_QUEUE && due.length > 0) await sendRetrainMessages(env.RETRAIN_QUEUE, due);
        const { results: _, ...totals } = result.fleet;
        console.log(JSON.stringify({ event: 'twiga.fleet_drift_check', key: result.key, ...totals }));
        if (first.status === 'failed') throw new Error(first.error);
      });
      ctx.waitUntil(run);
      await run;
    },

    /** The retraining queue's consumer: one Workflow instance per message (retrain-queue.ts). */
    async queue(batch: MessageBatchLike, env: Env): Promise<void> {
      if (!env.RETRAIN_WORKFLOW)
        throw new Error('RETRAIN_WORKFLOW binding missing (wrangler.toml [[workflows]])');
      const results = await consumeRetrainBatch(batch, env.RETRAIN_WORKFLOW);
      console.log(JSON.stringify({ event: 'twiga.retrain_queue', results }));
    },
  } satisfies {
    fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response>;
    scheduled(controller: unknown, env: Env, ctx: ExecutionContext): Promise<void>;
    queue(batch: MessageBatchLike, env: Env): Promise<void>;
  };
}
