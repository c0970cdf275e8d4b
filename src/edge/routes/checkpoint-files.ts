/**
 * GET /checkpoints/{name}/…: the served checkpoint's manifest and version files, read-only, so a browser
 * (the Web Worker's `load({ url })`) loads exactly what the edge serves and verifies every hash itself.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { MANIFEST_FILE } from '../../runtime/checkpoint/keys.js';
import { type App, KEYED, type RouteDeps } from '../context.js';
import { ApiError } from '../http-errors.js';
import { errorDoc } from '../schemas.js';

/** Version files never change once written; the manifest must be revalidated every time. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';
// Bounded: no stored file has a longer name, and R2 refuses keys past 1024 bytes (a 500 otherwise).
const VERSION_FILE = /^v\d{4,9}\/[A-Za-z0-9][\w.-]{0,200}$/;

const route = createRoute({
  method: 'get',
  path: '/checkpoints/{name}/{file}',
  summary: "The served checkpoint's manifest and version files (ETag, cache headers; 304 on If-None-Match)",
  security: KEYED,
  request: {
    params: z.object({
      name: z.string().openapi({ description: 'The served checkpoint name (see /health)' }),
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
    404: errorDoc('Not a file of the served checkpoint'),
  },
});

export function checkpointFileRoutes(app: App, { host, store }: RouteDeps): void {
  // Registered with a wildcard so `{file}` may hold a slash (`v0003/linear.onnx`); documented by `route`.
  app.openAPIRegistry.registerPath(route);
  app.get('/checkpoints/:name/*', async (c) => {
    const name = c.req.param('name');
    const file = c.req.path.slice(`/checkpoints/${name}/`.length);
    const served = file === MANIFEST_FILE || VERSION_FILE.test(file);
    if (name !== host.name || !served) {
      throw new ApiError(
        404,
        'NOT_FOUND',
        `no file "${file}" of checkpoint "${name}" here (serving "${host.name}")`,
        [{ path: 'file', message: `expected ${MANIFEST_FILE} or vNNNN/<file> of "${host.name}"` }],
      );
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
