/** What every route handler gets: the model host, the store and settings, and the Hono env type. */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { CheckpointStore } from '../runtime/checkpoint/store.js';
import type { ReportSink } from '../runtime/drift/monitor.js';
import type { TwigaSettings } from '../runtime/settings.js';
import type { ModelHost } from './model-host.js';

export interface RouteDeps {
  host: ModelHost;
  store: CheckpointStore;
  settings: TwigaSettings;
  /** Writes HTML reports (drift, performance) next to the checkpoint's. */
  reports: ReportSink;
  now: () => Date;
}

/** The Hono env of the app; bindings stay opaque to the routes (the Workers entry reads them). */
export type AppEnv = { Bindings: Record<string, unknown> };

export type App = OpenAPIHono<AppEnv>;

/** Security requirement of every keyed route in the OpenAPI document. */
export const KEYED = [{ ApiKey: [] }];
