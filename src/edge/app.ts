/** createApp: twiga's `create_app()` as a Hono app — the same app on Workers (R2) and on Node (files). */
import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import type { CheckpointStore } from '../runtime/checkpoint/store.js';
import type { TwigaSettings } from '../runtime/settings.js';
import { PACKAGE_VERSION } from '../runtime/version.js';
import { apiKeyAuth } from './auth.js';
import { type App, type AppEnv, type RouteDeps, runBeside } from './context.js';
import { ApiError, errorResponse, toApiError, validationError } from './http-errors.js';
import type { ModelHost } from './model-host.js';
import { ModelRegistry } from './model-registry.js';
import type { PredictorFactory } from './predictor.js';
import { storeReportSink } from './report-sink.js';
import { checkpointFileRoutes } from './routes/checkpoint-files.js';
import { healthRoutes } from './routes/health.js';
import { modelListRoutes } from './routes/models.js';
import { monitorRoutes } from './routes/monitor.js';
import { predictRoutes } from './routes/predict.js';
import { reloadRoutes } from './routes/reload.js';
import { retrainingRoutes } from './routes/retraining.js';

/** The store, settings and inference of the forecasting app. */
export interface AppOptions {
  /** Where the checkpoint lives: `R2CheckpointStore` on Workers, `FsCheckpointStore` on Node. */
  store: CheckpointStore;
  /** From `settingsFromEnv(env)`. */
  settings: TwigaSettings;
  /** Where inference runs: `inProcessPredictors(engine)` in an isolate, a worker-thread pool on Node. */
  predictors: PredictorFactory;
  /** Clock, for tests. @default () => new Date() */
  now?: () => Date;
  /** Where unexpected errors and failed background refreshes are reported. @default console.error */
  log?: (message: string) => void;
  /**
   * Serve every model in the store by name under `/models/{name}/…` (a fleet), or only
   * `TWIGA_SERVE_CHECKPOINT` (`twiga-edge serve --checkpoint DIR/NAME`). @default true
   */
  fleet?: boolean;
  /** Bytes a loaded model counts beyond its files, for the memory budget. @default MODEL_OVERHEAD_BYTES */
  modelOverheadBytes?: number;
}

/**
 * The Hono app, plus the default model's host and the registry of every served model (for entries that load
 * eagerly or test them).
 */
export type TwigaApp = App & { readonly host: ModelHost; readonly registry: ModelRegistry };

/**
 * Builds the forecasting API: `/health`, `/predict`, `/predict-interval`, `/monitor/drift`,
 * `/monitor/performance`, `/reload` for the default model, the same under `/models/{name}/…` for every model
 * of the fleet, `GET /models`, the retraining loop's `GET /models/{name}/runs` and `GET /fleet/retraining`,
 * and `/openapi.json` generated from the same zod schemas that validate requests.
 * Models load on first use, are unloaded least-recently-used first past `TWIGA_SERVE_MAX_LOADED_MB`, and
 * follow promotions by polling their manifest's etag.
 * @example
 * const app = createApp({
 *   store: new MemoryCheckpointStore(),
 *   settings: settingsFromEnv({ TWIGA_SERVE_CHECKPOINT: 'twiga' }),
 *   predictors: inProcessPredictors(createOnnxEngine()),
 * });
 * const res = await app.request('/health');
 */
export function createApp(options: AppOptions): TwigaApp {
  const { store, settings } = options;
  const log = options.log ?? ((m: string) => console.error(m));
  const now = options.now ?? (() => new Date());
  const registry = new ModelRegistry({
    store,
    predictors: options.predictors,
    defaultName: settings.serve.checkpoint,
    fleet: options.fleet ?? true,
    pollSeconds: settings.serve.pollSeconds,
    maxLoadedBytes: settings.serve.maxLoadedBytes,
    ...(options.modelOverheadBytes === undefined ? {} : { overheadBytes: options.modelOverheadBytes }),
    now: () => now().getTime(),
    warn: log,
  });
  const host = registry.defaultHost;
  const deps: RouteDeps = {
    registry,
    store,
    settings,
    reportsFor: (name) => storeReportSink(store, `${settings.serve.reportPrefix}${name}/`),
    now,
  };

  const app: App = new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (!result.success) return errorResponse(c, validationError(result.target, result.error));
      return undefined;
    },
  });

  app.onError((error, c) => {
    const api = toApiError(error, c.req.header('content-type'));
    if (api.status >= 500)
      log(`twiga-edge: ${c.req.method} ${c.req.path} failed: ${error.stack ?? String(error)}`);
    return errorResponse(c, api);
  });
  app.notFound((c) => errorResponse(c, noRoute(c.req.method, c.req.path)));

  app.use('*', async (c, next) => {
    // Follow promotions without delaying this request: the check runs beside it (kept alive on Workers).
    runBeside(c, host.refreshIfDue());
    await next();
  });
  const origins = settings.serve.corsOrigins;
  if (origins.length > 0) {
    // Before auth, so a browser's preflight (which carries no key) is answered.
    app.use(
      '*',
      cors({
        origin: origins.includes('*') ? '*' : origins,
        allowHeaders: ['content-type', 'x-api-key', 'if-none-match'],
        exposeHeaders: ['etag'],
        maxAge: 600,
      }),
    );
  }
  app.use('*', apiKeyAuth(settings.serve.apiKey?.reveal()));
  app.use(
    '*',
    bodyLimit({
      maxSize: settings.serve.maxBodyBytes,
      onError: (c) => {
        // The rest of the body is not read: tell the client not to reuse this connection.
        c.header('Connection', 'close');
        return errorResponse(
          c,
          new ApiError(
            413,
            'PAYLOAD_TOO_LARGE',
            `body: larger than the limit of ${settings.serve.maxBodyBytes} bytes (TWIGA_SERVE_MAX_BODY_BYTES)`,
            [{ path: 'body', message: `larger than ${settings.serve.maxBodyBytes} bytes` }],
          ),
        );
      },
    }),
  );

  modelListRoutes(app, deps);
  healthRoutes(app, deps);
  predictRoutes(app, deps);
  monitorRoutes(app, deps);
  reloadRoutes(app, deps);
  checkpointFileRoutes(app, deps);
  retrainingRoutes(app, deps);

  app.openAPIRegistry.registerComponent('securitySchemes', 'ApiKey', {
    type: 'apiKey',
    in: 'header',
    name: 'X-API-Key',
  });
  app.doc('/openapi.json', {
    openapi: '3.0.3',
    info: {
      title: 'twiga-edge forecast API',
      version: PACKAGE_VERSION,
      description:
        'Forecasts, intervals, drift and performance monitoring, and hot reload of a twiga-edge checkpoint.',
    },
  });

  return Object.assign(app, { host, registry });
}

/** 404 for a path no route matches; under `/models/` most likely a name with more than one `/`. */
function noRoute(method: string, path: string): ApiError {
  const message = `no route ${method} ${path}; see /openapi.json`;
  if (!path.startsWith('/models/')) return new ApiError(404, 'NOT_FOUND', message);
  return new ApiError(404, 'NOT_FOUND', `${message} (model names hold at most one "/": <fleet>/<series>)`, [
    { path: 'name', message: 'expected /models/<name>/<route> with <name> = <model> or <fleet>/<series>' },
  ]);
}
