/**
 * GET /checkpoints/{name}/…: a served model's manifest and version files, read-only, so a browser (the Web
 * Worker's `load({ url })`) loads exactly what the edge serves and verifies every hash itself. `{name}` may be
 * a fleet name (`<fleet>/<series>`); `/checkpoints/_models.json` lists the served names (what a
 * `UrlCheckpointStore` lists models from).
 */
import { createRoute, z } from '@hono/zod-openapi';
import { MANIFEST_FILE } from '../../runtime/checkpoint/keys.js';
import { MODELS_INDEX } from '../../runtime/checkpoint/url-store.js';
import { type App, KEYED, type RouteDeps } from '../context.js';
import { ApiError } from '../http-errors.js';
import { errorDoc } from '../schemas.js';

/** Version files never change once written; the manifest must be revalidated every time. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';
/**
 * `<name>/<file>`: the name is everything before the manifest or the `vNNNN/` folder. The file name is bounded:
 * no stored file has a longer one, and R2 refuses keys past 1024 bytes (a 500 otherwise).
 */
const NAME_AND_FILE = /^(.+)\/(_checkpoint_manifest\.json|v\d{4,9}\/[A-Za-z0-9][\w.-]{0,200})$/;

const route = createRoute({
  method: 'get',
  path: '/checkpoints/{name}/{file}',
  summary: "The served checkpoint's manifest and version files (ETag, cache headers; 304 on If-None-Match)",
  security: KEYED,
  request: {
    params: z.object({
      name: z
        .string()
        .openapi({ description: 'A served model name (see /models), e.g. `twiga` or `feeders/f001`' }),
      file: z
        .string()
        .openapi({ description: '`_checkpoint_manifest.json` or `v0003/<file>`', example: MANIFEST_FILE }),
    }),
  },
  responses: {
    200: {
      description: 'The bytes',
      content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } },
    },
    304: { description: 'Unchanged since the ETag sent' },
    401: errorDoc('Missing or wrong X-API-Key'),
    404: errorDoc('Not a file of a served model'),
  },
});

const index = createRoute({
  method: 'get',
  path: `/checkpoints/${MODELS_INDEX}`,
  summary: 'Names of the served models (what a URL checkpoint store lists)',
  security: KEYED,
  responses: {
    200: {
      description: 'Model names, sorted',
      content: { 'application/json': { schema: z.object({ models: z.array(z.string()) }) } },
    },
    401: errorDoc('Missing or wrong X-API-Key'),
  },
});

export function checkpointFileRoutes(app: App, { registry, store }: RouteDeps): void {
  app.openapi(index, async (c) => c.json({ models: await registry.names() }, 200));
  // Registered with a wildcard so `{name}` and `{file}` may hold a slash; documented by `route`.
  app.openAPIRegistry.registerPath(route);
  app.get('/checkpoints/*', async (c) => {
    const rest = c.req.path.slice('/checkpoints/'.length);
    const match = NAME_AND_FILE.exec(rest);
    const name = match?.[1] ?? rest.split('/')[0] ?? '';
    const file = match?.[2] ?? rest.slice(name.length + 1);
    if (!match || !registry.serves(name)) {
      const served = registry.fleet ? 'a served model' : `"${registry.defaultHost.name}"`;
      throw new ApiError(404, 'NOT_FOUND', `no file "${file}" of checkpoint "${name}" here`, [
        { path: 'file', message: `expected ${MANIFEST_FILE} or vNNNN/<file> of ${served}` },
      ]);
    }
    const found = await store.get(`${name}/${file}`);
    if (!found)
      throw new ApiError(404, 'NOT_FOUND', `checkpoint "${name}" has no ${file}`, [
        { path: 'file', message: 'not found' },
      ]);
    const etag = `"${found.etag}"`;
    const headers = {
      ETag: etag,
      'Cache-Control': file === MANIFEST_FILE ? REVALIDATE : IMMUTABLE,
      'Content-Type': file.endsWith('.json') ? 'application/json' : 'application/octet-stream',
    };
    const ifNoneMatch = c.req.header('if-none-match');
    if (ifNoneMatch?.split(',').some((t) => t.trim() === etag || t.trim() === `W/${etag}`)) {
      return c.body(null, 304, headers);
    }
    return c.body(found.bytes as Uint8Array<ArrayBuffer>, 200, headers);
  });
}
