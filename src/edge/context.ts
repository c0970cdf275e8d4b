/** What every route handler gets: the model registry, the store and settings, and the Hono env type. */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { CheckpointStore } from '../runtime/checkpoint/store.js';
import type { ReportSink } from '../runtime/drift/monitor.js';
import type { TwigaSettings } from '../runtime/settings.js';
import type { ModelRegistry } from './model-registry.js';

export interface RouteDeps {
  /** The models served: the default one (unprefixed routes) and, by name, the fleet's. */
  registry: ModelRegistry;
  store: CheckpointStore;
  settings: TwigaSettings;
  /** Writes model `name`'s HTML reports (drift, performance) next to its checkpoint's. */
  reportsFor(name: string): ReportSink;
  now: () => Date;
}

/** The Hono env of the app; bindings stay opaque to the routes (the Workers entry reads them). */
export type AppEnv = { Bindings: Record<string, unknown> };

export type App = OpenAPIHono<AppEnv>;

/** Security requirement of every keyed route in the OpenAPI document. */
export const KEYED = [{ ApiKey: [] }];

/**
 * Lets `work` run on beside the response: kept alive with `waitUntil` on Workers; elsewhere (no
 * ExecutionContext) the promise runs on by itself. `work` must never reject.
 */
export function runBeside(c: Context, work: Promise<void>): void {
  try {
    c.executionCtx.waitUntil(work);
  } catch {
    // No ExecutionContext outside Workers.
  }
}
