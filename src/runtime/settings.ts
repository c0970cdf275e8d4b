/** TwigaSettings: `TWIGA_*` variables from `process.env` (Node) or a Worker's `env`, parsed with zod. */
import { z } from 'zod';
import { parseWith } from './schemas/parse.js';

const seconds = z.coerce.number().min(0);
const optionalSecret = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v === '' ? undefined : v));

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
  /** Origins allowed to call the API from a browser: `*`, or a comma-separated list; unset = no CORS headers. */
  TWIGA_SERVE_CORS_ORIGINS: z.string().optional(),
  /** Where drift and performance reports are written, relative to the store root. */
  TWIGA_SERVE_REPORT_PREFIX: z.string().default('reports/'),
  /** Scheduled drift check: prefix of recent data files (JSON records, CSV or Arrow IPC). */
  TWIGA_DRIFT_DATA_PREFIX: z.string().default('data/recent/'),
  /** Scheduled drift check: newest rows tested (across the newest files). */
  TWIGA_DRIFT_MAX_ROWS: z.coerce.number().int().positive().default(10_000),
});

export interface TwigaSettings {
  serve: {
    apiKey: string | undefined;
    checkpoint: string;
    pollSeconds: number;
    maxBodyBytes: number;
    reportPrefix: string;
    /** `['*']`, a list of origins, or empty (no CORS). */
    corsOrigins: string[];
  };
  drift: { dataPrefix: string; maxRows: number };
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
      reportPrefix: e.TWIGA_SERVE_REPORT_PREFIX,
      corsOrigins: (e.TWIGA_SERVE_CORS_ORIGINS ?? '')
        .split(',')
        .map((o) => o.trim())
        .filter((o) => o !== ''),
    },
    drift: { dataPrefix: e.TWIGA_DRIFT_DATA_PREFIX, maxRows: e.TWIGA_DRIFT_MAX_ROWS },
  };
}
