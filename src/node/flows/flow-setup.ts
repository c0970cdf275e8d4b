/** What every flow sets up first: settings, its structured log, the retry policy and the tracker. */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { CheckpointStore } from '../../runtime/checkpoint/store.js';
import type { OnnxEngine } from '../../runtime/onnx/engine.js';
import type { TwigaSettings } from '../../runtime/settings.js';
import { loadSettings } from '../settings.js';
import { openTracker } from '../tracking/open.js';
import type { Tracker } from '../tracking/tracker.js';
import { FlowLog, jsonLogSink, type LogSink } from './flow-log.js';
import type { RetryPolicy } from './task.js';

/** Options every flow takes beside its own (plain values, validated with zod). */
export const CommonFlowOptionsSchema = z.object({
  /** MLflow experiment. Default: TWIGA_MLFLOW_EXPERIMENT. */
  experiment: z.string().min(1).optional(),
  /** Run name. Default: MLflow-style `<adjective>-<animal>-<n>`. */
  runName: z.string().min(1).optional(),
  /** Extra run tags. */
  tags: z.record(z.string(), z.string()).optional(),
  /** Folder for the markdown metrics table and HTML drift reports. Default: TWIGA_SERVE_REPORT_DIR. */
  reportDir: z.string().min(1).optional(),
  /** Tracking store: a folder (MLflow file store) or http(s) server. Default: TWIGA_MLFLOW_TRACKING_URI. */
  trackingUri: z.string().min(1).optional(),
  /** Retries per task on transient errors. Default: TWIGA_FLOW_RETRIES (2). */
  retries: z.int().min(0).optional(),
  /** Delay before a task's first retry, ms; doubles each time. Default: TWIGA_FLOW_RETRY_DELAY_SECONDS × 1000. */
  retryDelayMs: z.number().min(0).optional(),
});
/** Options both flows take: checkpoints, name, tracking, retries, reports. */
export type CommonFlowOptions = z.input<typeof CommonFlowOptionsSchema>;

/** Parts a caller may supply instead of the defaults (objects and functions, so not in the schema). */
export interface FlowDeps {
  /** Default: `loadSettings()` (environment over `.env`). */
  settings?: TwigaSettings;
  /** Where checkpoints live. Default: a file-system store at the checkpoint folder. */
  store?: CheckpointStore;
  /** Default: the tracker `trackingUri` names. */
  tracker?: Tracker;
  /** Where structured log events go. Default: JSON lines on stderr. */
  log?: LogSink;
  engine?: OnnxEngine;
}

const DEP_KEYS = new Set<string>(['settings', 'store', 'tracker', 'log', 'engine', 'fetch']);

/** The plain options (for the zod schema), without the parts supplied as objects. */
export function plainOptions(options: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(options).filter(([k]) => !DEP_KEYS.has(k)));
}

export interface FlowSetup {
  settings: TwigaSettings;
  log: FlowLog;
  retry: RetryPolicy;
  tracker: Tracker;
  experiment: string;
  reportDir: string | undefined;
}

/** Resolve settings, log, retry policy and tracker for one run of flow `name`. */
export async function setUpFlow(
  name: string,
  options: CommonFlowOptions,
  deps: FlowDeps,
): Promise<FlowSetup> {
  const settings = deps.settings ?? (await loadSettings());
  const log = new FlowLog(name, randomUUID().replaceAll('-', ''), deps.log ?? jsonLogSink());
  return {
    settings,
    log,
    retry: {
      retries: options.retries ?? settings.flow.retries,
      delayMs: options.retryDelayMs ?? settings.flow.retryDelaySeconds * 1000,
    },
    tracker:
      deps.tracker ??
      openTracker(options.trackingUri ?? settings.mlflow.trackingUri, { token: settings.mlflow.token }),
    experiment: options.experiment ?? settings.mlflow.experiment,
    reportDir: options.reportDir ?? settings.reportDir,
  };
}
