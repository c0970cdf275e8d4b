/** POST /reload: load the manifest's version (hash-verified) and swap it in; on failure the old model serves on. */
import { createRoute } from '@hono/zod-openapi';
import { TwigaError } from '../../runtime/errors.js';
import { type App, KEYED, type RouteDeps } from '../context.js';
import { ApiError } from '../http-errors.js';
import { ErrorSchema, ReloadSchema } from '../schemas.js';
import { mounts } from './mount.js';

const route = createRoute({
  method: 'post',
  path: '/reload',
  summary: "Reload the checkpoint's active version",
  security: KEYED,
  responses: {
    200: { description: 'Swapped in', content: { 'application/json': { schema: ReloadSchema } } },
    422: {
      description:
        'The checkpoint could not be loaded (missing, corrupt, unreadable); the old model keeps serving',
      content: { 'application/json': { schema: ErrorSchema } },
    },
  },
});

export function reloadRoutes(app: App, deps: RouteDeps): void {
  for (const mount of mounts(app, deps)) {
    app.openapi(mount.route(route), async (c) => {
      const { host } = await mount.model(c);
      const previous = host.active?.info.version ?? null;
      try {
        const model = await host.reload();
        return c.json({ status: 'reloaded' as const, previous_version: previous, model: model.info }, 200);
      } catch (error) {
        const serving = previous === null ? 'no model is loaded' : `still serving version ${previous}`;
        const code = error instanceof TwigaError ? error.code : 'RELOAD_FAILED';
        const message = error instanceof Error ? error.message : String(error);
        throw new ApiError(422, code, `reload failed, ${serving}: ${message}`);
      }
    });
  }
}
