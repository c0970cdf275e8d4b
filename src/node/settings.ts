/** TwigaSettings in Node: `TWIGA_*` from the environment, over a `.env` file's values. */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { ConfigError } from '../runtime/errors.js';
import { settingsFromEnv, type TwigaSettings } from '../runtime/settings.js';

/** The environment and `.env` file `loadSettings` reads. */
export interface LoadSettingsOptions {
  /** Variables; default `process.env`. They win over the file's, as with pydantic-settings. */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * A dotenv file (`KEY=value` lines, quotes and `#` comments as Node's `parseEnv` reads them).
   * Default `.env` in the working folder, skipped when absent; `false` reads none.
   */
  envFile?: string | false | undefined;
}

/**
 * Settings from the environment and a `.env` file, validated with zod; secrets (`TWIGA_SERVE_API_KEY`,
 * `TWIGA_MLFLOW_TRACKING_TOKEN`) come back as `Secret`s that print as a mask. `process.env` is not changed.
 * @throws ConfigError naming each invalid variable, or an unreadable `envFile` given by name.
 * @example
 * const settings = await loadSettings(); // .env + process.env
 * settings.mlflow.trackingUri; // 'mlruns' unless TWIGA_MLFLOW_TRACKING_URI is set
 */
export async function loadSettings(options: LoadSettingsOptions = {}): Promise<TwigaSettings> {
  const env = options.env ?? process.env;
  const file = options.envFile === undefined ? '.env' : options.envFile;
  let fromFile: Record<string, string> = {};
  if (file !== false) {
    const path = resolve(file);
    try {
      fromFile = parseEnv(await readFile(path, 'utf8')) as Record<string, string>;
    } catch (cause) {
      const missing = (cause as NodeJS.ErrnoException).code === 'ENOENT';
      // The default file is optional; one named explicitly must be there.
      if (!(missing && options.envFile === undefined)) {
        throw new ConfigError(`Cannot read the settings file ${path}: ${(cause as Error).message}`, [
          { path: 'envFile', message: missing ? 'not found' : 'unreadable' },
        ]);
      }
    }
  }
  const merged: Record<string, string> = { ...fromFile };
  for (const [k, v] of Object.entries(env)) if (v !== undefined) merged[k] = v;
  return settingsFromEnv(merged);
}
