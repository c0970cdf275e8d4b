/** meta.yaml reading and writing, in the style of MLflow's `write_yaml` (PyYAML `safe_dump`). */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { DataError } from '../../runtime/errors.js';

/*
 * mlflow/utils/file_utils.py (later yaml_utils.py) `write_yaml`: `yaml.dump(data, default_flow_style=False,
 * allow_unicode=True, sort_keys=True, Dumper=SafeDumper)`, UTF-8. PyYAML speaks YAML 1.1, so strings
 * such as `yes`, `on` or `0` must be quoted (`'0'`); it quotes with single quotes and writes None as `null`.
 */
export function toMlflowYaml(data: Record<string, unknown>): string {
  return stringify(data, { sortMapEntries: true, singleQuote: true, lineWidth: 0, version: '1.1' });
}

/** Write `meta.yaml` atomically (temp file + rename, as MLflow's `overwrite_yaml` does). */
export async function writeYamlFile(file: string, data: Record<string, unknown>): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, toMlflowYaml(data), 'utf8');
  await rename(tmp, file);
}

/** Read a YAML mapping; a missing or non-mapping file is a DataError naming it. */
export async function readYamlFile(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new DataError(`Cannot read ${file}`, { file }, cause, 'DATA_NOT_FOUND');
  }
  const value: unknown = parse(text, { version: '1.1' });
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new DataError(`${file} is not a YAML mapping`, { file });
  return value as Record<string, unknown>;
}
