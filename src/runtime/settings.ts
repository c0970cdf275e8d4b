/** TwigaSettings: `TWIGA_*` variables from `process.env` (Node) or a Worker's `env`, parsed with zod. */
import { z } from 'zod';
import { ENGINE_CHOICES, type EngineChoice } from './engine/contract.js';
import { parseWith } from './schemas/parse.js';
import { Secret } from './secret.js';

const seconds = z.coerce.number().min(0);
const optionalSecret = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v === '' ? undefined : new Secret(v)));
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v === '' ? undefined : v));
const share = z.coerce.number().min(0).max(1);
/** `true/false`, `1/0`, `yes/no` (any case), as environment variables spell booleans. */
const flag = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no']))
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** The variables, by name, with their defaults. Bindings and other variables in `env` are ignored. */
export const SettingsEnvSchema = z.object({
  /** Required as `X-API-Key` on every route but `/health` when set (empty = unset). */
  TWIGA_SERVE_API_KEY: optionalSecret,
  /** The checkpoint's name in the store: `<name>/_checkpoint_manifest.json`. */
  TWIGA_SERVE_CHECKPOINT: z.string().min(1).default('twiga'),
  /** How often (at most) a server re-reads the manifest's etag to pick up promotions; 0 = every request. */
  TWIGA_SERVE_POLL_SECONDS: seconds.default(10),
  /** Largest accepted request body; larger ones get 413. */
  TWIGA_SERVE_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(8 * 1024 * 1024),
  /**
   * Memory budget of the models a server keeps loaded, in MB (fractions allowed); past it the least recently
   * used model is unloaded. The default leaves half of a 128 MB Workers isolate to the runtime and requests.
   */
  TWIGA_SERVE_MAX_LOADED_MB: z.coerce.number().positive().default(64),
  /** Origins allowed to call the API from a browser: `*`, or a comma-separated list; unset = no CORS headers. */
  TWIGA_SERVE_CORS_ORIGINS: z.string().optional(),
  /** Where drift and performance reports are written, relative to the store root. */
  TWIGA_SERVE_REPORT_PREFIX: z.string().default('reports/'),
  /** Scheduled drift check: prefix of recent data files (JSON records, CSV or Arrow IPC). */
  TWIGA_DRIFT_DATA_PREFIX: z.string().default('data/recent/'),
  /** Scheduled drift check: newest rows tested (across the newest files). */
  TWIGA_DRIFT_MAX_ROWS: z.coerce.number().int().positive().default(10_000),
  /** Experiment tracking: a folder (MLflow's file store, e.g. `mlruns`, or `file:///…`) or an `http(s)://` server. */
  TWIGA_MLFLOW_TRACKING_URI: z.string().min(1).default('mlruns'),
  /** Experiment the flows log runs to (created when missing). */
  TWIGA_MLFLOW_EXPERIMENT: z.string().min(1).default('twiga'),
  /** Bearer token for an MLflow server (secret). */
  TWIGA_MLFLOW_TRACKING_TOKEN: optionalSecret,
  /** Root folder of checkpoints in Node (`<dir>/<name>/_checkpoint_manifest.json`). */
  TWIGA_MODEL_CHECKPOINT_DIR: z.string().min(1).default('checkpoints'),
  /** Folder for HTML drift reports and metrics tables in Node; unset = none written. */
  TWIGA_SERVE_REPORT_DIR: optionalString,
  /** The serving API's `/reload` URL, POSTed after a promotion; unset = no reload call. */
  TWIGA_SERVE_RELOAD_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
  /** Retrain when the share of drifted columns is above this. */
  TWIGA_RETRAIN_DRIFT_THRESHOLD: share.default(0.5),
  /** Retrain when the incumbent's metric is worse than this (above it when minimising); unset = drift only. */
  TWIGA_RETRAIN_PERFORMANCE_THRESHOLD: optionalString.pipe(z.coerce.number<string | undefined>().optional()),
  /** Metric that decides performance and promotion: `mae`, or `<model>/<metric>` such as `linear/rmse`. */
  TWIGA_RETRAIN_METRIC_KEY: z.string().min(1).default('mae'),
  /** Lower is better for the metric (`false` for e.g. `corr`). */
  TWIGA_RETRAIN_MINIMIZE: flag.default(true),
  /** Retries per flow task after its first attempt, on transient errors. */
  TWIGA_FLOW_RETRIES: z.coerce.number().int().min(0).default(2),
  /** Delay before a task's first retry; doubles on each further one. */
  TWIGA_FLOW_RETRY_DELAY_SECONDS: seconds.default(1),
  /** Inference engine: `auto` (the lean engine when it runs every node of a model, else onnxruntime-web), `ort` or `lean`. */
  TWIGA_INFERENCE_ENGINE: z.enum(ENGINE_CHOICES).default('auto'),
});

/** The parsed `TWIGA_*` settings, grouped by concern (serve, drift, tracking, model, retrain, flow). */
export interface TwigaSettings {
  serve: {
    apiKey: Secret | undefined;
    checkpoint: string;
    pollSeconds: number;
    maxBodyBytes: number;
    /** TWIGA_SERVE_MAX_LOADED_MB in bytes. */
    maxLoadedBytes: number;
    reportPrefix: string;
    /** `['*']`, a list of origins, or empty (no CORS). */
    corsOrigins: string[];
  };
  drift: { dataPrefix: string; maxRows: number };
  mlflow: { trackingUri: string; experiment: string; token: Secret | undefined };
  model: { checkpointDir: string };
  /** Node's report folder (TWIGA_SERVE_REPORT_DIR). */
  reportDir: string | undefined;
  reloadUrl: string | undefined;
  retrain: {
    driftThreshold: number;
    performanceThreshold: number | undefined;
    metricKey: string;
    minimize: boolean;
  };
  flow: { retries: number; retryDelaySeconds: number };
  /** TWIGA_INFERENCE_ENGINE. */
  engine: EngineChoice;
}

/**
 * Settings from environment variables (`process.env` in Node, the Worker's `env`).
 * @throws ConfigError naming each invalid variable, e.g. `TWIGA_SERVE_POLL_SECONDS: Invalid input: expected number, received NaN`.
 * @example
 * const settings = settingsFromEnv(process.env);
 * settings.serve.pollSeconds; // 10 unless TWIGA_SERVE_POLL_SECONDS is set
 */
export function settingsFromEnv(env: Readonly<Record<string, unknown>>): TwigaSettings {
  const picked = Object.fromEntries(
    Object.entries(env).filter(([k, v]) => k.startsWith('TWIGA_') && typeof v === 'string'),
  );
  const e = parseWith(SettingsEnvSchema, picked, 'settings (TWIGA_* variables)');
  return {
    serve: {
      apiKey: e.TWIGA_SERVE_API_KEY,
      checkpoint: e.TWIGA_SERVE_CHECKPOINT,
      pollSeconds: e.TWIGA_SERVE_POLL_SECONDS,
      maxBodyBytes: e.TWIGA_SERVE_MAX_BODY_BYTES,
      maxLoadedBytes: Math.round(e.TWIGA_SERVE_MAX_LOADED_MB * 1024 * 1024),
      reportPrefix: e.TWIGA_SERVE_REPORT_PREFIX,
      corsOrigins: (e.TWIGA_SERVE_CORS_ORIGINS ?? '')
        .split(',')
        .map((o) => o.trim())
        .filter((o) => o !== ''),
    },
    drift: { dataPrefix: e.TWIGA_DRIFT_DATA_PREFIX, maxRows: e.TWIGA_DRIFT_MAX_ROWS },
    mlflow: {
      trackingUri: e.TWIGA_MLFLOW_TRACKING_URI,
      experiment: e.TWIGA_MLFLOW_EXPERIMENT,
      token: e.TWIGA_MLFLOW_TRACKING_TOKEN,
    },
    model: { checkpointDir: e.TWIGA_MODEL_CHECKPOINT_DIR },
    reportDir: e.TWIGA_SERVE_REPORT_DIR,
    reloadUrl: e.TWIGA_SERVE_RELOAD_URL,
    retrain: {
      driftThreshold: e.TWIGA_RETRAIN_DRIFT_THRESHOLD,
      performanceThreshold: e.TWIGA_RETRAIN_PERFORMANCE_THRESHOLD,
      metricKey: e.TWIGA_RETRAIN_METRIC_KEY,
      minimize: e.TWIGA_RETRAIN_MINIMIZE,
    },
    flow: { retries: e.TWIGA_FLOW_RETRIES, retryDelaySeconds: e.TWIGA_FLOW_RETRY_DELAY_SECONDS },
    engine: e.TWIGA_INFERENCE_ENGINE,
  };
}
