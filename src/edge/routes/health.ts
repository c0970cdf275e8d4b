/** GET /health: open without a key; says whether a model is loaded and which. */
import { createRoute } from '@hono/zod-openapi';
import { PACKAGE_VERSION } from '../../runtime/version.js';
import type { App, RouteDeps } from '../context.js';
import { HealthSchema } from '../schemas.js';
import { mounts } from './mount.js';

const route = createRoute({
  method: 'get',
  path: '/health',
  summary: 'Service and model status (no key needed)',
  responses: { 200: { description: 'Status', content: { 'application/json': { schema: HealthSchema } } } },
});

export function healthRoutes(app: App, deps: RouteDeps): void {
  const { settings } = deps;
  for (const mount of mounts(app, deps)) {
    app.openapi(mount.route(route), async (c) => {
      const { host } = await mount.model(c);
      // First request of an isolate: try to load, but report rather than fail when the store has nothing yet.
      if (!host.active) await host.ensure().catch(() => undefined);
      const model = host.active;
      return c.json(
        {
          status: model ? ('ok' as const) : ('degraded' as const),
          loaded: model !== undefined,
          checkpoint: host.name,
          version: model?.info.version ?? null,
          models: model?.info.models ?? [],
          horizon: model?.info.horizon ?? null,
          targets: model?.info.targets ?? [],
          loaded_at: model?.loadedAt ?? null,
          poll_seconds: settings.serve.pollSeconds,
          last_error: host.lastError ?? null,
          fallback: model?.fallback ?? null,
          engines: model?.info.engines ?? {},
          package_version: PACKAGE_VERSION,
        },
        200,
      );
    });
  }
}
