/** GET /models: the served models, a page at a time — name, active version in the store, whether loaded. */
import { createRoute, z } from '@hono/zod-openapi';
import { modelSummary, pageOf } from '../../runtime/checkpoint/models.js';
import { type App, KEYED, type RouteDeps } from '../context.js';
import { errorDoc } from '../schemas.js';

export const MAX_PAGE = 1000;

const ListQuerySchema = z.strictObject({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_PAGE)
    .default(100)
    .openapi({ description: `Models per page (1–${MAX_PAGE}).`, example: 100 }),
  cursor: z
    .string()
    .min(1)
    .optional()
    .openapi({ description: "The previous page's `next_cursor`: names after it are listed." }),
  prefix: z
    .string()
    .optional()
    .openapi({ description: 'Only names starting with this, e.g. `feeders/` for one fleet.' }),
});

const ListedSchema = z.object({
  name: z.string(),
  version: z.number().int().nullable().openapi({ description: 'Active version in the store' }),
  saved_at: z.string().nullable(),
  model_type: z.string().nullable(),
  loaded: z.boolean(),
  loaded_version: z.number().int().nullable().openapi({ description: 'Version loaded here, if loaded' }),
  default: z.boolean().openapi({ description: 'Served by the unprefixed routes too' }),
  note: z.string().optional(),
});

export const ModelListSchema = z
  .object({
    models: z.array(ListedSchema),
    next_cursor: z
      .string()
      .nullable()
      .openapi({ description: 'Pass as `cursor` for the next page; null at the end' }),
    total: z.int().openapi({ description: 'Models matching the prefix' }),
  })
  .openapi('ModelList');

const route = createRoute({
  method: 'get',
  path: '/models',
  summary: 'The served models (a fleet: every model under the store prefix), paginated by cursor',
  security: KEYED,
  request: { query: ListQuerySchema },
  responses: {
    200: { description: 'One page', content: { 'application/json': { schema: ModelListSchema } } },
    400: errorDoc('Bad limit or cursor'),
    401: errorDoc('Missing or wrong X-API-Key'),
  },
});

export function modelListRoutes(app: App, { registry, store }: RouteDeps): void {
  app.openapi(route, async (c) => {
    const { limit, cursor, prefix } = c.req.valid('query');
    const names = (await registry.names()).filter((n) => prefix === undefined || n.startsWith(prefix));
    const page = pageOf(names, limit, cursor);
    const models = await Promise.all(
      page.names.map(async (name) => {
        const { note, metrics: _, ...summary } = await modelSummary(store, name);
        return { ...summary, ...registry.describe(name), ...(note ? { note } : {}) };
      }),
    );
    return c.json({ models, next_cursor: page.next, total: names.length }, 200);
  });
}
