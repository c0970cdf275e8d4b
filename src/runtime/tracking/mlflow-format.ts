/** MLflow's naming rules, limits, enums and value formats, as its tracking stores enforce them. */
import { ConfigError } from '../errors.js';

/*
 * From mlflow/utils/validation.py: `_VALID_PARAM_AND_METRIC_NAMES = r"^[/\w.\- ]*$"` (also used for
 * tags), `path_not_unique` (posix-normalised name must equal itself and not be `.`, `..*` or `/*`),
 * MAX_ENTITY_KEY_LENGTH 250, MAX_PARAM_VAL_LENGTH 6000, MAX_TAG_VAL_LENGTH 5000 (values are truncated
 * when MLFLOW_TRUNCATE_LONG_VALUES is on, keys never), MAX_EXPERIMENT_NAME_LENGTH 500,
 * MAX_DATASET_DIGEST_SIZE 36, batch limits 1000 metrics / 100 params / 100 tags / 1000 in all.
 */
const VALID_KEY = /^[/\w.\- ]*$/u;
export const MAX_KEY_LENGTH = 250;
export const MAX_PARAM_VALUE_LENGTH = 6000;
export const MAX_TAG_VALUE_LENGTH = 5000;
export const MAX_EXPERIMENT_NAME_LENGTH = 500;
export const MAX_DATASET_DIGEST_LENGTH = 36;
export const BATCH_LIMITS = { metrics: 1000, params: 100, tags: 100, total: 1000 } as const;

/** `RunStatus` of mlflow/entities/run_status.py (the file store keeps the int in meta.yaml). */
export const RUN_STATUS = { RUNNING: 1, SCHEDULED: 2, FINISHED: 3, FAILED: 4, KILLED: 5 } as const;
/** MLflow run status names. */
export type RunStatus = keyof typeof RUN_STATUS;
/** `SourceType.LOCAL` of mlflow/entities/source_type.py (NOTEBOOK 1, JOB 2, PROJECT 3, LOCAL 4, UNKNOWN 5). */
export const SOURCE_TYPE_LOCAL = 4;

/** System tags of mlflow/utils/mlflow_tags.py. */
export const SYSTEM_TAGS = {
  runName: 'mlflow.runName',
  user: 'mlflow.user',
  sourceName: 'mlflow.source.name',
  sourceType: 'mlflow.source.type',
  datasetContext: 'mlflow.data.context',
} as const;

function normalizePosix(name: string): string {
  const parts: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && parts.length > 0 && parts.at(-1) !== '..') parts.pop();
    else parts.push(part);
  }
  const joined = parts.join('/');
  return name.startsWith('/') ? `/${joined}` : joined === '' ? '.' : joined;
}

/** Why `key` is not a valid MLflow metric/param/tag name, or undefined when it is. */
export function keyProblem(key: string): string | undefined {
  if (key === '') return 'a key name must be provided';
  if (!VALID_KEY.test(key))
    return 'names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), and slashes (/)';
  const norm = normalizePosix(key);
  if (norm !== key || norm === '.' || norm.startsWith('..') || norm.startsWith('/'))
    return `names are file paths in the file store and must not resolve to another name (this one resolves to "${norm}")`;
  if (key.length > MAX_KEY_LENGTH)
    return `had length ${key.length}, over MLflow's limit of ${MAX_KEY_LENGTH}`;
  return undefined;
}

/**
 * Throw a ConfigError naming every invalid key.
 * @param kind `metric`, `param` or `tag`, for the message.
 */
export function assertKeys(keys: Iterable<string>, kind: string): void {
  const issues = [...keys].flatMap((key) => {
    const problem = keyProblem(key);
    return problem === undefined ? [] : [{ path: key, message: `invalid ${kind} name "${key}": ${problem}` }];
  });
  if (issues.length > 0)
    throw new ConfigError(`Invalid MLflow ${kind} name: ${issues.map((i) => i.message).join('; ')}`, issues, {
      kind,
    });
}

/** One key segment (e.g. a model label) with every character MLflow rejects, and `/`, replaced by `_`. */
export function sanitizeKey(name: string): string {
  const cleaned = name.replace(/[^\w.\- ]/gu, '_');
  return /^\.*$/u.test(cleaned) ? cleaned.replace(/\./gu, '_') || '_' : cleaned;
}

/** Truncate as MLflow does with MLFLOW_TRUNCATE_LONG_VALUES (code units, like Python's `len` on BMP text). */
export function truncate(value: string, limit: number): string {
  return value.length <= limit ? value : value.slice(0, limit);
}

/**
 * A number as Python's `repr(float)` writes it (`1.0`, `0.1`, `1e-05`, `1e+16`, `nan`, `inf`): the file
 * store writes metric lines with `f"{metric.timestamp} {metric.value} {metric.step}"` on a float.
 * @example
 * pythonFloat(2); // "2.0"
 */
export function pythonFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa, expText] = x.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  if (exp < -4 || exp >= 16)
    return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  const digits = mantissa.replace('-', '').replace('.', '');
  const sign = x < 0 ? '-' : '';
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const frac = digits.slice(exp + 1);
  return `${sign}${intPart}.${frac === '' ? '0' : frac}`;
}

/** A param or tag value as Python's `str()` writes it (`True`, `None`); strings unchanged. */
export function pythonStr(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : pythonFloat(value);
  return value;
}
