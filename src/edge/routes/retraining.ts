/**
 * GET /models/{name}/runs (one model's retraining run records, newest first, paginated) and
 * GET /fleet/retraining (the fleet's counts: due, running, promoted, kept, failed, handed off).
 */
import { createRoute, z } from '@hono/zod-openapi';
import {
  fleetRetrainingStatus,
  listRunRecords,
  pageOfRuns,
  RunRecordSchema,
} from '../../runtime/retrain/run-history.js';
import { type App, KEYED, type RouteDeps } from '../context.js';
import { FLEET_REPORTS } from '../fleet-scheduled.js';
import { ApiError } from '../http-errors.js';
import { errorDoc } from '../schemas.js';
import { NAME_PATTERN, NameParamSchema } from './mount.js';

/** Largest page of run records. */
export const MAX_RUNS_PAGE = 200;

const RunsQuerySchema = z.strictObject({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_RUNS_PAGE)
    .default(20)
    .openapi({ description: `Records per page (1–${MAX_RUNS_PAGE}).`, example: 20 }),
  cursor: z
    .string()
    .min(1)
    .optional()
    .openapi({ description: "The previous page's `next_cursor` (a run id): older records follow it." }),
});

export const RunPageSchema = z
  .object({
    model: z.string(),
    runs: z.array(RunRecordSchema.openapi('RunRecord')),
    next_cursor: z
      .string()
      .nullable()
      .openapi({ description: 'Pass as `cursor` for older runs; null at the end' }),
    total: z.int().openapi({ description: 'Run records of this model' }),
    unreadable: z.array(z.string()).openapi({ description: 'Record keys that do not parse' }),
  })
  .openapi('RunPage');

export const FleetRetrainingSchema = z
  .object({
    checked_at: z
      .string()
      .nullable()
      .openapi({ description: "The cron's last fleet check, null before the first" }),
    due: z.int().openapi({ description: 'Due at that check, with no run finished since' }),
    running: z.int().openapi({ description: 'Handed-off jobs a Node worker holds a live lease on' }),
    handed_off: z.int().openapi({ description: 'Handed-off jobs waiting for a Node worker' }),
    promoted: z.int().openapi({ description: 'Models whose latest run promoted a candidate' }),
    kept: z.int().openapi({ description: 'Models whose latest run kept the incumbent' }),
    failed: z.int().openapi({ description: 'Models whose latest run failed' }),
    skipped: z.int().openapi({ description: 'Models whose latest run found no data' }),
    models: z.int().openapi({ description: 'Models with at least one run record' }),
    runs: z.int().openapi({ description: 'Run records read' }),
    unreadable: z.array(z.string()).openapi({ description: 'Keys that do not parse' }),
  })
  .openapi('FleetRetraining');

const runsRoute = createRoute({
  method: 'get',
  path: '/models/{name}/runs',
  summary: "The model's retraining runs (runs/<model>/), newest first, paginated by cursor",
  security: KEYED,
  request: { params: NameParamSchema, query: RunsQuerySchema },
  responses: {
    200: { description: 'One page', content: { 'application/json': { schema: RunPageSchema } } },
    400: errorDoc('Bad name, limit or cursor'),
    401: errorDoc('Missing or wrong X-API-Key'),
    404: errorDoc('No model of that name here (no checkpoint and no run record)'),
  },
});

const fleetRoute = createRoute({
  method: 'get',
  path: '/fleet/retraining',
  summary: "The fleet's retraining counts, from run records, handed-off jobs and the cron's last check",
  security: KEYED,
  responses: {
    200: { description: 'Counts', content: { 'application/json': { schema: FleetRetrainingSchema } } },
    401: errorDoc('Missing or wrong X-API-Key'),
  },
});

export function retrainingRoutes(app: App, { registry, store, settings, now }: RouteDeps): void {
  // A name holds at most one `/`: the real route uses the same regex parameter as the model routes.
  app.openAPIRegistry.registerPath(runsRoute);
  const hidden = { ...runsRoute, path: `/models/{name{${NAME_PATTERN}}}/runs`, hide: true };
  app.openapi(hidden, async (c) => {
    const name = c.req.param('name') ?? '';
    registry.checkName(name);
    const { limit, cursor } = c.req.valid('query');
    const { records, unreadable } = await listRunRecords(store, name);
    if (records.length === 0 && unreadable.length === 0 && !(await registry.names()).includes(name)) {
      throw new ApiError(404, 'MODEL_NOT_FOUND', `no model "${name}" here: no checkpoint and no run record`, [
        { path: 'name', message: `no model "${name}"` },
      ]);
    }
    const page = pageOfRuns(records, limit, cursor);
    if (!page) {
      const message = `no run "${cursor}" of model "${name}"; pass a next_cursor from an earlier page`;
      throw new ApiError(400, 'VALIDATION_ERROR', `cursor: ${message}`, [{ path: 'cursor', message }]);
    }
    return c.json({ model: name, ...page, unreadable }, 200);
  });

  app.openapi(fleetRoute, async (c) => {
    const key = `${settings.serve.reportPrefix}${FLEET_REPORTS}/drift/latest.json`;
    return c.json(await fleetRetrainingStatus(store, key, now()), 200);
  });
}
