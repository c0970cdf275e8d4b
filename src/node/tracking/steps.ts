/** twiga's tracking steps (TwigaTracker's log_dataset, log_forecaster_metadata, log_model, log_evaluation) over any run. */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DataError } from '../../runtime/errors.js';
import type { MetricsByModel } from '../../runtime/training-result.js';
import { SYSTEM_TAGS, sanitizeKey } from './mlflow-format.js';
import type { ParamValue, TrackedRun } from './tracker.js';

/** `json.dumps` of a flat dict, with Python's `", "` and `": "` separators. */
function pyJson(obj: Record<string, string | number>): string {
  return `{${Object.entries(obj)
    .map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`)
    .join(', ')}}`;
}

/**
 * The content digest twiga-edge logs for a data file: SHA-256 of its bytes, hex.
 * (MLflow's own dataset digests, mlflow/data/digest_utils.py, are the first 8 hex of an MD5 over
 * pandas' row hashes, the row count and the column names — not reproducible outside pandas, so the
 * file's bytes are hashed instead; {@link logDataset} stores their first 8 hex as the MLflow digest.)
 * @example
 * const digest = await fileDigest('load.csv'); // "9f86d081884c7d65…" (64 hex)
 */
export async function fileDigest(file: string): Promise<string> {
  try {
    return createHash('sha256')
      .update(await readFile(file))
      .digest('hex');
  } catch (cause) {
    throw new DataError(`Cannot read ${file} to digest it`, { file }, cause, 'DATA_NOT_FOUND');
  }
}

/** A data file logged as a run input: name, shape, source and SHA-256. */
export interface DatasetInfo {
  name: string;
  /** `[rows, columns]`. */
  shape: readonly [number, number];
  /** A file path or an http(s) URL. */
  source: string;
  /** Content digest, e.g. {@link fileDigest}'s SHA-256 hex. */
  digest: string;
  /** `mlflow.data.context` of the input. Default `training`. */
  context?: string;
}

/**
 * Log a dataset as a run input, the way `mlflow.log_input(mlflow.data.from_pandas(...))` records one:
 * digest (first 8 hex of `digest`, MLflow's length), source (`local` `{"uri": …}` or `http` `{"url": …}`),
 * profile `{"num_rows", "num_elements"}`; the full digest goes in the run tag `twiga.dataset.<name>.digest`.
 * @example
 * await logDataset(run, { name: 'load', shape: [17420, 3], source: 'load.csv', digest: await fileDigest('load.csv') });
 */
export async function logDataset(run: TrackedRun, info: DatasetInfo): Promise<void> {
  const http = /^https?:\/\//u.test(info.source);
  await run.logInput({
    name: info.name,
    digest: info.digest.slice(0, 8),
    sourceType: http ? 'http' : 'local',
    source: http
      ? pyJson({ url: info.source })
      : pyJson({ uri: pathToFileURL(path.resolve(info.source)).href }),
    profile: pyJson({ num_rows: info.shape[0], num_elements: info.shape[0] * info.shape[1] }),
    tags: { [SYSTEM_TAGS.datasetContext]: info.context ?? 'training' },
  });
  await run.setTags({ [`twiga.dataset.${sanitizeKey(info.name)}.digest`]: info.digest });
}

/**
 * Flatten a nested config into dotted keys: objects and arrays of objects recurse (`models.0.name`),
 * arrays of scalars become JSON, each key segment is made MLflow-safe.
 * @example
 * flattenParams({ pipeline: { horizon: 48 }, models: [{ name: 'linear' }] });
 * // { 'pipeline.horizon': 48, 'models.0.name': 'linear' }
 */
export function flattenParams(config: unknown, prefix = ''): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  const visit = (value: unknown, key: string) => {
    const isObjectArray = Array.isArray(value) && value.some((v) => v !== null && typeof v === 'object');
    if (value !== null && typeof value === 'object' && (!Array.isArray(value) || isObjectArray)) {
      for (const [k, v] of Object.entries(value))
        visit(v, key === '' ? sanitizeKey(k) : `${key}.${sanitizeKey(k)}`);
    } else if (key !== '' && value !== undefined) {
      out[key] =
        Array.isArray(value) || typeof value === 'bigint' ? JSON.stringify(value) : (value as ParamValue);
    }
  };
  visit(config, prefix);
  return out;
}

/**
 * Log a forecaster's configuration as params (dotted keys; values truncated at MLflow's 6000 characters).
 * @example
 * await logForecasterMetadata(run, { pipeline: { target: 'OT', horizon: 24 }, models: [{ name: 'linear' }] });
 */
export async function logForecasterMetadata(run: TrackedRun, config: Record<string, unknown>): Promise<void> {
  const params = Object.entries(flattenParams(config));
  for (let i = 0; i < params.length; i += 100)
    await run.logParams(Object.fromEntries(params.slice(i, i + 100)));
}

/**
 * Log a checkpoint's files as artifacts under `model/`.
 * @example
 * await logModel(run, { 'forecaster.json': json, 'linear.onnx': bytes });
 */
export async function logModel(run: TrackedRun, files: Record<string, Uint8Array | string>): Promise<void> {
  for (const [name, content] of Object.entries(files)) await run.logArtifact(`model/${name}`, content);
}

/**
 * Log metrics keyed by model then metric as `<model>/<metric>` (MLflow accepts `/` in keys and its UI
 * groups charts by the part before it); null values (undefined, e.g. corr of a constant forecast) are skipped.
 * @param options.prefix prepended as `<prefix>/<model>/<metric>`, e.g. `validation`. Default: none.
 * @example
 * await logEvaluation(run, { linear: { mae: 25.3, rmse: 32.4 } }); // linear/mae, linear/rmse
 */
export async function logEvaluation(
  run: TrackedRun,
  metrics: MetricsByModel,
  options: { prefix?: string; step?: number } = {},
): Promise<void> {
  const flat: Record<string, number> = {};
  const head = options.prefix === undefined ? '' : `${sanitizeKey(options.prefix)}/`;
  for (const [model, values] of Object.entries(metrics))
    for (const [metric, value] of Object.entries(values))
      if (value !== null) flat[`${head}${sanitizeKey(model)}/${sanitizeKey(metric)}`] = value;
  await run.logMetrics(flat, options.step ?? 0);
}
