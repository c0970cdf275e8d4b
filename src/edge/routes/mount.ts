/**
 * Each model route is registered twice from one handler: unprefixed for the default model (today's
 * routes, kept as aliases) and under `/models/{name}` for any model of the fleet. A name may hold one `/`
 * (`<fleet>/<series>`), so the real route uses a regex parameter; the OpenAPI document shows `{name}`.
 */
import { type RouteConfig, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { type App, type AppEnv, type RouteDeps, runBeside } from '../context.js';
import type { ServedModel } from '../model-registry.js';
import { errorDoc } from '../schemas.js';

/**
 * One or two non-empty segments; what a segment may hold is checked by the registry, so a bad name gets a
 * 400 naming it rather than falling through to "no route".
 */
export const NAME_PATTERN = '[^/]+(?:/[^/]+)?';

export const NameParamSchema = z.object({
  name: z.string().openapi({
    description:
      'Model name in the store: `<name>` or, in the fleet layout, `<fleet>/<series>` (the one `/` sent as is ' +
      'or as `%2F`). Segments: letters, digits, `_ . = -`, starting with a letter or digit; ≤ 200 characters.',
    example: 'feeders/f001',
  }),
});

/** Where a model route is mounted, and how it finds the model of a request. */
export interface Mount {
  /** The route as registered for this mount (the named one is hidden; its documented twin is added here). */
  route<R extends RouteConfig>(route: R): R;
  /** The model this request is for. @throws ApiError 400/404 for a bad or unknown name */
  model(c: Context<AppEnv>): Promise<ServedModel>;
}

/** `[default, named]`: register each model route once per mount. */
export function mounts(app: App, { registry }: RouteDeps): Mount[] {
  const byDefault: Mount = {
    route: (route) => route,
    model: async () => registry.defaultModel(),
  };
  const byName: Mount = {
    route: (route) => {
      const path = `/models/{name}${route.path}`;
      const params = NameParamSchema;
      const responses = { ...route.responses, 404: errorDoc('No model of that name here') };
      app.openAPIRegistry.registerPath({ ...route, path, request: { ...route.request, params }, responses });
      return { ...route, path: `/models/{name{${NAME_PATTERN}}}${route.path}`, hide: true };
    },
    model: async (c) => {
      const served = await registry.model(c.req.param('name') ?? '');
      // Each loaded model follows its own promotions; the check runs beside this request. (A model that
      // failed to load is retried by `ensure` after pollSeconds instead.)
      if (served.host.active) runBeside(c, served.host.refreshIfDue());
      return served;
    },
  };
  return [byDefault, byName];
}
