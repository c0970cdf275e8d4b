/**
 * POST /monitor/drift (records vs the checkpoint's drift reference), POST /monitor/performance (actuals vs
 * forecasts, kept in the store) and GET /monitor/performance (the latest kept summary).
 */
import { createRoute } from '@hono/zod-openapi';
import { type AciObservation, aciHalfWidths, aciUpdate, updateAciState } from '../../runtime/aci.js';
import type { ConformalTable } from '../../runtime/conformal.js';
import { requireDriftReference } from '../../runtime/drift/checkpoint-reference.js';
import { ForecastMonitor } from '../../runtime/drift/monitor.js';
import { PerformanceSummarySchema } from '../../runtime/drift/performance.js';
import { CheckpointError } from '../../runtime/errors.js';
import { ENSEMBLE_LABEL } from '../../runtime/forecaster.js';
import {
  aciObservations,
  aciStateKey,
  adaptiveTable,
  freshAciState,
} from '../../runtime/serving/adaptive-intervals.js';
import { type App, KEYED, type RouteDeps } from '../context.js';
import { ApiError } from '../http-errors.js';
import type { ActiveModel } from '../model-host.js';
import {
  DriftRequestSchema,
  DriftSchema,
  errorDoc,
  PerformanceRequestSchema,
  PerformanceSchema,
} from '../schemas.js';
import { mounts } from './mount.js';

const json = <S>(schema: S) => ({ 'application/json': { schema } });
const errors = {
  400: errorDoc('Malformed request'),
  401: errorDoc('Missing or wrong X-API-Key'),
  413: errorDoc('Body too large'),
  422: errorDoc('Data unusable (names the field), or the checkpoint has no reference'),
  503: errorDoc('No model loaded'),
};

const drift = createRoute({
  method: 'post',
  path: '/monitor/drift',
  summary: "Data drift of the records against the checkpoint's training reference",
  security: KEYED,
  request: { body: { required: true, content: json(DriftRequestSchema) } },
  responses: { 200: { description: 'DriftSummary', content: json(DriftSchema) }, ...errors },
});

const postPerformance = createRoute({
  method: 'post',
  path: '/monitor/performance',
  summary:
    'Score forecasts against actuals and compare with the validation metrics the model was promoted with',
  security: KEYED,
  request: { body: { required: true, content: json(PerformanceRequestSchema) } },
  responses: {
    200: { description: 'PerformanceSummary (also kept as the latest)', content: json(PerformanceSchema) },
    ...errors,
  },
});

const getPerformance = createRoute({
  method: 'get',
  path: '/monitor/performance',
  summary: 'The latest performance summary',
  security: KEYED,
  responses: {
    200: { description: 'PerformanceSummary', content: json(PerformanceSchema) },
    401: errors[401],
    404: errorDoc('None posted yet'),
  },
});

export function monitorRoutes(app: App, deps: RouteDeps): void {
  const { store, settings } = deps;
  // One monitor per served version: its reference sample is parsed once, not on every request.
  const monitors = new WeakMap<ActiveModel, ForecastMonitor>();
  const driftMonitor = (name: string, model: ActiveModel): ForecastMonitor => {
    let monitor = monitors.get(model);
    if (!monitor) {
      const reference = requireDriftReference(model.reference, model.info.version);
      monitor = new ForecastMonitor({ now: deps.now }, deps.reportsFor(name)).setReference(reference);
      monitors.set(model, monitor);
    }
    return monitor;
  };
  const latestKey = (name: string) => `${settings.serve.reportPrefix}${name}/performance/latest.json`;

  for (const mount of mounts(app, deps)) {
    app.openapi(mount.route(drift), async (c) => {
      const served = await mount.model(c);
      const body = c.req.valid('json');
      const summary = await served.use(async (model) => {
        const monitor = driftMonitor(served.name, model);
        const [, result] = await monitor.runDataDrift(body.records, body.columns);
        return result;
      });
      return c.json(summary, 200);
    });

    app.openapi(mount.route(postPerformance), async (c) => {
      const served = await mount.model(c);
      const body = c.req.valid('json');
      const { summary, adaptive } = await served.use(async (model) => {
        // Steps are checked before anything is scored or stored, so a bad one changes nothing.
        const actuals = body.step ? stepActuals(model, body.step, body) : undefined;
        const monitor = new ForecastMonitor(
          {
            now: deps.now,
            ...(model.reference ? { referencePerformance: model.reference.validation_metrics } : {}),
          },
          deps.reportsFor(served.name),
        );
        const timestamp =
          body.timestamp ??
          (body.records.some((r) => model.config.timeColumn in r) ? model.config.timeColumn : undefined);
        const summary = await monitor.runPerformance(body.records, {
          target: body.target ?? model.info.targets[0]!,
          prediction: body.prediction,
          ...(timestamp ? { timestamp } : {}),
          ...(body.model ? { model: body.model } : {}),
        });
        await store.put(latestKey(served.name), new TextEncoder().encode(JSON.stringify(summary)));
        const adaptive = actuals && (await foldActuals(deps, served.name, model, actuals));
        return { summary, adaptive };
      });
      return c.json(adaptive ? { ...summary, adaptive } : summary, 200);
    });

    app.openapi(mount.route(getPerformance), async (c) => {
      const { name } = await mount.model(c);
      const key = latestKey(name);
      const found = await store.get(key);
      if (!found) {
        throw new ApiError(404, 'NOT_FOUND', 'no performance summary yet: POST /monitor/performance first');
      }
      const parsed = PerformanceSummarySchema.safeParse(parseJson(new TextDecoder().decode(found.bytes)));
      if (!parsed.success) {
        throw new CheckpointError(
          'CHECKPOINT_CORRUPT',
          `${store.describe(key)} is not a performance summary`,
        );
      }
      return c.json(parsed.data, 200);
    });
  }
}

/** Posted actuals as ACI observations of one model, with the conformal table they are scored against. */
interface StepActuals {
  label: string;
  observations: AciObservation[];
  /** Undefined when the checkpoint serves no adaptive intervals (the steps were still checked). */
  table: ConformalTable | undefined;
}

/**
 * The rows as ACI observations: each row's forecast step (column `step`) and target pick the output.
 * @throws DataError (422) naming `records[i].<step>` for a missing, fractional or out-of-range step;
 *   ApiError 422 naming `model` when an adaptive checkpoint has no conformal table for it.
 */
function stepActuals(
  model: ActiveModel,
  step: string,
  body: {
    records: Record<string, unknown>[];
    target?: string | undefined;
    prediction: string;
    model?: string | undefined;
  },
): StepActuals {
  const columns = { step, target: body.target ?? model.info.targets[0]!, prediction: body.prediction };
  const shape = { horizon: model.config.horizon, targets: model.config.target };
  const observations = aciObservations(shape, body.records, columns);
  const label = body.model ?? ENSEMBLE_LABEL;
  const a = model.adaptive;
  if (!a) return { label, observations, table: undefined };
  const table = adaptiveTable(a, label);
  if (!table) {
    throw new ApiError(
      422,
      'VALIDATION_ERROR',
      `model: no conformal table for "${label}" in this checkpoint`,
      [{ path: 'model', message: `expected one of ${Object.keys(a.conformal.models).join(', ')}` }],
    );
  }
  return { label, observations, table };
}

/**
 * Fold the actuals into the model's ACI state by compare-and-swap, so concurrent posts lose no actual;
 * undefined when the checkpoint serves no adaptive intervals.
 */
async function foldActuals(
  deps: RouteDeps,
  name: string,
  model: ActiveModel,
  actuals: StepActuals,
): Promise<{ model: string; observations: number; level: number[] } | undefined> {
  const { adaptive: a } = model;
  const { table, label, observations } = actuals;
  if (!a || !table) return undefined;
  const key = aciStateKey(deps.settings.serve.reportPrefix, name, model.info.version, label);
  const state = await updateAciState(
    deps.store,
    key,
    () => freshAciState(a),
    (s) => aciUpdate(s, table, a.conformal.levels, observations),
  );
  const { level } = aciHalfWidths(state, table, a.conformal.levels);
  return { model: label, observations: observations.length, level };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
