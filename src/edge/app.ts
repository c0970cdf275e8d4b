/** createApp: twiga's `create_app()` as a Hono app — the same app on Workers (R2) and on Node (files). */
import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import type { CheckpointStore } from '../runtime/checkpoint/store.js';
import type { TwigaSettings } from '../runtime/settings.js';
import { PACKAGE_VERSION } from '../runtime/version.js';
import { apiKeyAuth } from './auth.js';
import type { App, AppEnv, RouteDeps } from './context.js';
import { ApiError, errorResponse, toApiError, validationError } from './http-errors.js';
import { ModelHost } from './model-host.js';
import type { PredictorFactory } from './predictor.js';
import { storeReportSink } from './report-sink.js';
import { checkpointFileRoutes } from './routes/checkpoint-files.js';
import { healthRoutes } from './routes/health.js';
import { monitorRoutes } from './routes/monitor.js';
import { predictRoutes } from './routes/predict.js';
import { reloadRoutes } from './routes/reload.js';

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
}

/** The Hono app, plus the host holding the served model (for entries that load eagerly or test it). */
export type TwigaApp = App & { readonly host: ModelHost };

/**
 * Builds the forecasting API: `/health`, `/predict`, `/predict-interval`, `/monitor/drift`,
 * `/monitor/performance`, `/reload`, and `/openapi.json` generated from the same zod schemas that validate requests.
 * The model loads on first use and follows promotions by polling the manifest's etag.
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
  const host = new ModelHost({
    store,
    name: settings.serve.checkpoint,
    predictors: options.predictors,
    pollSeconds: settings.serve.pollSeconds,
    now: () => now().getTime(),
    warn: log,
  });
  const deps: RouteDeps = {
    host,
    store,
    settings,
    reports: storeReportSink(store, `${settings.serve.reportPrefix}${settings.serve.checkpoint}/`),
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
  app.notFound((c) =>
    errorResponse(
      c,
      new ApiError(404, 'NOT_FOUND', `no route ${c.req.method} ${c.req.path}; see /openapi.json`),
    ),
  );

  app.use('*', async (c, next) => {
    // Follow promotions without delaying this request: the check runs beside it (kept alive on Workers).
    const refresh = host.refreshIfDue();
    try {
      c.executionCtx.waitUntil(refresh);
    } catch {
      // No ExecutionContext outside Workers; the promise runs on by itself and never rejects.
    }
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

  healthRoutes(app, deps);
  predictRoutes(app, deps);
  monitorRoutes(app, deps);
  reloadRoutes(app, deps);
  checkpointFileRoutes(app, deps);

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

  return Object.assign(app, { host });
}
