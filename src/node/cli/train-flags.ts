/** Merge `train` CLI flags over a config file into one TrainConfigInput. */
import { readFile } from 'node:fs/promises';
import { ConfigError } from '../../runtime/errors.js';
import { normaliseKeys, type TrainConfigInput } from '../../runtime/schemas/train-config.js';

export interface TrainFlags {
  config?: string;
  data?: string;
  target?: string;
  timeCol?: string;
  timeFormat?: string;
  period?: string;
  horizon?: string;
  lookback?: string;
  stride?: string;
  trainStride?: string;
  calendar?: string;
  exogenous?: string;
  pastExogenous?: string;
  models?: string;
  trainEnd?: string;
  testStart?: string;
  checkpoints?: string;
  name?: string;
  ensemble?: string;
  latitude?: string;
  longitude?: string;
  duplicates?: string;
  gaps?: string;
  tune?: boolean;
  trials?: string;
}

/** `24` stays a number of periods; `1D` stays a duration. */
const steps = (v: string): number | string => (/^\d+$/.test(v) ? Number(v) : v);
const list = (v: string) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const num = (v: string) => (Number.isFinite(Number(v)) ? Number(v) : v);

/** `seasonal_naive:7D,linear` → model configs; `name:arg` sets the season (or ridge alpha). */
export function parseModelsFlag(value: string): Record<string, unknown>[] {
  return list(value).map((item) => {
    const [rawName, arg] = item.split(':', 2) as [string, string | undefined];
    const name = rawName === 'ridge' ? 'linear' : rawName;
    if (arg === undefined) return { name };
    if (name === 'seasonal_naive') return { name, season: steps(arg) };
    if (name === 'linear') return { name, alpha: num(arg) };
    if (name === 'gbdt' || name === 'lightgbm') return { name, objective: arg };
    return { name, arg };
  });
}

/** A JSON training config file, its keys normalised (twiga snake_case accepted). */
export async function readConfigFile(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new ConfigError(`cannot read config file ${path}: ${(cause as Error).message}`, [
      { path: '--config', message: 'unreadable' },
    ]);
  }
  try {
    const json = normaliseKeys(JSON.parse(text));
    if (json === null || typeof json !== 'object' || Array.isArray(json))
      throw new Error('expected a JSON object');
    return json as Record<string, unknown>;
  } catch (cause) {
    throw new ConfigError(`config file ${path} is not valid JSON: ${(cause as Error).message}`, [
      { path: '--config', message: 'invalid JSON' },
    ]);
  }
}

/** Flags override the config file, field by field. */
export async function trainConfigFromFlags(flags: TrainFlags): Promise<TrainConfigInput> {
  const file = flags.config ? await readConfigFile(flags.config) : {};
  const data = { ...((file['data'] as object) ?? {}) } as Record<string, unknown>;
  const pipeline = { ...((file['pipeline'] as object) ?? {}) } as Record<string, unknown>;
  const trainCfg = { ...((file['train'] as object) ?? {}) } as Record<string, unknown>;
  const split = { ...((trainCfg['split'] as object) ?? {}) } as Record<string, unknown>;
  // twiga keeps split dates beside the other training parameters: accept them there too.
  for (const key of ['trainEnd', 'testStart', 'testFraction', 'valFraction']) {
    if (key in trainCfg) {
      split[key] = trainCfg[key];
      delete trainCfg[key];
    }
  }
  const set = (obj: Record<string, unknown>, key: string, value: unknown) => {
    if (value !== undefined) obj[key] = value;
  };
  set(data, 'path', flags.data);
  set(data, 'timeFormat', flags.timeFormat);
  set(data, 'duplicates', flags.duplicates);
  set(data, 'gaps', flags.gaps);
  set(pipeline, 'target', flags.target && list(flags.target));
  set(pipeline, 'timeColumn', flags.timeCol);
  set(pipeline, 'period', flags.period);
  set(pipeline, 'horizon', flags.horizon && steps(flags.horizon));
  set(pipeline, 'lookback', flags.lookback && steps(flags.lookback));
  set(pipeline, 'stride', flags.stride && steps(flags.stride));
  set(pipeline, 'trainStride', flags.trainStride && steps(flags.trainStride));
  set(pipeline, 'calendar', flags.calendar !== undefined ? list(flags.calendar) : undefined);
  set(pipeline, 'exogenous', flags.exogenous !== undefined ? list(flags.exogenous) : undefined);
  set(pipeline, 'pastExogenous', flags.pastExogenous !== undefined ? list(flags.pastExogenous) : undefined);
  set(pipeline, 'latitude', flags.latitude && num(flags.latitude));
  set(pipeline, 'longitude', flags.longitude && num(flags.longitude));
  set(split, 'trainEnd', flags.trainEnd);
  set(split, 'testStart', flags.testStart);
  set(trainCfg, 'checkpointRoot', flags.checkpoints);
  set(trainCfg, 'name', flags.name);
  set(trainCfg, 'ensemble', flags.ensemble);
  set(trainCfg, 'tune', flags.tune);
  set(trainCfg, 'numTrials', flags.trials && num(flags.trials));
  if (Object.keys(split).length > 0) trainCfg['split'] = split;
  const out: Record<string, unknown> = { ...file, data, pipeline, train: trainCfg };
  if (flags.models) out['models'] = parseModelsFlag(flags.models);
  return out as TrainConfigInput;
}
