/** GET /health: open without a key; says whether a model is loaded and which. */
import { createRoute } from '@hono/zod-openapi';
import { PACKAGE_VERSION } from '../../runtime/version.js';
import type { App, RouteDeps } from '../context.js';
import { HealthSchema } from '../schemas.js';

const route = createRoute({
  method: 'get',
  path: '/health',
  summary: 'Service and model status (no key needed)',
  responses: { 200: { description: 'Status', content: { 'application/json': { schema: HealthSchema } } } },
});

export function healthRoutes(app: App, { host, settings }: RouteDeps): void {
  app.openapi(route, async (c) => {
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
        package_version: PACKAGE_VERSION,
      },
      200,
    );
  });
}
