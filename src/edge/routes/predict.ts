/** POST /predict and /predict-interval: per-model forecasts (and conformal intervals) for the next window. */
import { createRoute, z } from '@hono/zod-openapi';
import { readAciState } from '../../runtime/aci.js';
import { aciStateKey, adaptiveJson } from '../../runtime/serving/adaptive-intervals.js';
import { type App, KEYED, type RouteDeps } from '../context.js';
import {
  errorDoc,
  ForecastSchema,
  PanelForecastSchema,
  PredictIntervalRequestSchema,
  PredictQuerySchema,
  PredictRequestSchema,
} from '../schemas.js';
import { forecastWith, readForecastInput } from './forecast-input.js';
import { mounts } from './mount.js';

const arrowBody = {
  schema: z.string().openapi({
    format: 'binary',
    description: 'An Arrow IPC stream or file with the same columns as the records.',
  }),
};
/**
 * JSON records (validated by `json`) or an Arrow IPC body, which `readForecastInput` reads; not `required`,
 * so the JSON validator lets other media types through to it.
 */
const forecastBody = <S extends z.ZodType>(json: S) => ({
  required: false,
  content: {
    'application/json': { schema: json },
    'application/vnd.apache.arrow.stream': arrowBody,
    'application/vnd.apache.arrow.file': arrowBody,
  },
});
const errors = {
  400: errorDoc('Malformed request (JSON, types, unknown fields)'),
  401: errorDoc('Missing or wrong X-API-Key'),
  413: errorDoc('Body too large'),
  415: errorDoc('Neither JSON nor Arrow IPC'),
  422: errorDoc('Data unusable for this model (names the field)'),
  503: errorDoc('No model loaded'),
};
const ok = {
  description:
    'Forecasts by model (and `ensemble`) and target; for a global model (records carry its id column), one such forecast per series under `series`',
  content: { 'application/json': { schema: z.union([ForecastSchema, PanelForecastSchema]) } },
};

const predict = createRoute({
  method: 'post',
  path: '/predict',
  summary: 'Forecast the window after the last known target value',
  security: KEYED,
  request: {
    query: PredictQuerySchema.pick({ ensemble_strategy: true }),
    body: forecastBody(PredictRequestSchema),
  },
  responses: { 200: ok, ...errors },
});

const predictInterval = createRoute({
  method: 'post',
  path: '/predict-interval',
  summary:
    "Forecast with conformal intervals from the checkpoint's residuals (and adaptive ones with `intervals.adaptive`)",
  security: KEYED,
  request: {
    query: PredictQuerySchema,
    body: forecastBody(PredictIntervalRequestSchema),
  },
  responses: { 200: ok, ...errors },
});

export function predictRoutes(app: App, deps: RouteDeps): void {
  for (const mount of mounts(app, deps)) {
    app.openapi(mount.route(predict), async (c) => {
      const served = await mount.model(c);
      const forecast = await served.use(async (model) =>
        forecastWith(model.predictor, await readForecastInput(c, model.config, false)),
      );
      return c.json(forecast, 200);
    });

    app.openapi(mount.route(predictInterval), async (c) => {
      const served = await mount.model(c);
      const forecast = await served.use(async (model) => {
        const out = await forecastWith(model.predictor, await readForecastInput(c, model.config, true));
        // A global model's panel has no per-series ACI state yet: it serves the static intervals only.
        if (!model.adaptive || !('forecasts' in out)) return out;
        const a = model.adaptive;
        const prefix = deps.settings.serve.reportPrefix;
        const labels = Object.keys(out.forecasts);
        const states = await Promise.all(
          labels.map(async (label) => {
            const key = aciStateKey(prefix, served.name, model.info.version, label);
            return [label, (await readAciState(deps.store, key))?.state] as const;
          }),
        );
        return { ...out, adaptive: adaptiveJson(a, out, Object.fromEntries(states)) };
      });
      return c.json(forecast, 200);
    });
  }
}
