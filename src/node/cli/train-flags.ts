/** Merge `train` CLI flags over a config file into one TrainConfigInput. */
import { readFile } from 'node:fs/promises';
import { ConfigError } from '../../runtime/errors.js';
import { normaliseKeys, type TrainConfigInput } from '../../runtime/schemas/train-config.js';

/** The data, pipeline and model flags of `train` and `backtest`, as commander parses them. */
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
  fourier?: string;
  holidays?: string;
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
  tuneFourier?: string;
  idCol?: string;
  strategy?: string;
  melt?: string;
  static?: string;
  conformal?: string;
  conformalFolds?: number;
}

/** `24` stays a number of periods; `1D` stays a duration. */
const steps = (v: string): number | string => (/^\d+$/.test(v) ? Number(v) : v);
const list = (v: string) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const num = (v: string) => (Number.isFinite(Number(v)) ? Number(v) : v);

/** `day=4,week=3,year=10` → Fourier orders; an order not named stays 0. A bad item is left for zod to name. */
export function parseFourierFlag(value: string): Record<string, unknown> {
  const orders: Record<string, unknown> = {};
  for (const item of list(value)) {
    const [cycle, order] = item.split('=', 2) as [string, string | undefined];
    orders[cycle] = order === undefined ? order : num(order);
  }
  return orders;
}

/** `US` or `US:CA` (country, region) → a holiday calendar to resolve at training. */
export function parseHolidaysFlag(value: string): Record<string, unknown> {
  const [country, region] = value.split(':', 2) as [string, string | undefined];
  return region === undefined ? { country } : { country, region };
}

/** `seasonal_naive:7D,linear` → model configs; `name:arg` sets the season (ridge alpha, gbdt objective, mlp hidden widths `64x64`). */
export function parseModelsFlag(value: string): Record<string, unknown>[] {
  return list(value).map((item) => {
    const [rawName, arg] = item.split(':', 2) as [string, string | undefined];
    const name = rawName === 'ridge' ? 'linear' : rawName;
    if (arg === undefined) return { name };
    if (name === 'seasonal_naive') return { name, season: steps(arg) };
    if (name === 'linear') return { name, alpha: num(arg) };
    if (name === 'gbdt' || name === 'lightgbm') return { name, objective: arg };
    // `mlp:128x128` sets the hidden layers' widths.
    if (name === 'mlp' || name === 'mlpf') return { name, hidden: arg.split('x').map(num) };
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

/** Values laid over a config file's sections; an undefined value keeps the file's. */
export interface ConfigOverrides {
  data?: Record<string, unknown>;
  pipeline?: Record<string, unknown>;
  /** Goes to `train.split`. */
  split?: Record<string, unknown>;
  /** Goes to `train.conformal`. */
  conformal?: Record<string, unknown>;
  train?: Record<string, unknown>;
}

/** A config file's sections with `over` laid on them field by field. */
export function layerTrainConfig(
  file: Record<string, unknown>,
  over: ConfigOverrides,
): Record<string, unknown> {
  const section = (value: unknown) => ({ ...((value as Record<string, unknown> | undefined) ?? {}) });
  const train = section(file['train']);
  const split = section(train['split']);
  // twiga keeps split dates beside the other training parameters: accept them there too.
  for (const key of ['trainEnd', 'testStart', 'testFraction', 'valFraction']) {
    if (key in train) {
      split[key] = train[key];
      delete train[key];
    }
  }
  const lay = (target: Record<string, unknown>, values: Record<string, unknown> = {}) => {
    for (const [key, value] of Object.entries(values)) if (value !== undefined) target[key] = value;
    return target;
  };
  lay(train, over.train);
  lay(split, over.split);
  if (Object.keys(split).length > 0) train['split'] = split;
  const conformal = lay(section(train['conformal']), over.conformal);
  if (Object.keys(conformal).length > 0) train['conformal'] = conformal;
  return {
    ...file,
    data: lay(section(file['data']), over.data),
    pipeline: lay(section(file['pipeline']), over.pipeline),
    train,
  };
}

/** Flags override the config file, field by field. */
export async function trainConfigFromFlags(flags: TrainFlags): Promise<TrainConfigInput> {
  const file = flags.config ? await readConfigFile(flags.config) : {};
  const out = layerTrainConfig(file, {
    data: {
      path: flags.data,
      timeFormat: flags.timeFormat,
      duplicates: flags.duplicates,
      gaps: flags.gaps,
      melt: flags.melt !== undefined ? list(flags.melt) : undefined,
      static: flags.static,
    },
    pipeline: {
      target: flags.target && list(flags.target),
      timeColumn: flags.timeCol,
      idColumn: flags.idCol,
      period: flags.period,
      horizon: flags.horizon && steps(flags.horizon),
      lookback: flags.lookback && steps(flags.lookback),
      stride: flags.stride && steps(flags.stride),
      trainStride: flags.trainStride && steps(flags.trainStride),
      calendar: flags.calendar !== undefined ? list(flags.calendar) : undefined,
      fourier: flags.fourier !== undefined ? parseFourierFlag(flags.fourier) : undefined,
      holidays: flags.holidays !== undefined ? parseHolidaysFlag(flags.holidays) : undefined,
      exogenous: flags.exogenous !== undefined ? list(flags.exogenous) : undefined,
      pastExogenous: flags.pastExogenous !== undefined ? list(flags.pastExogenous) : undefined,
      latitude: flags.latitude && num(flags.latitude),
      longitude: flags.longitude && num(flags.longitude),
    },
    split: { trainEnd: flags.trainEnd, testStart: flags.testStart },
    conformal: { method: flags.conformal, folds: flags.conformalFolds },
    train: {
      checkpointRoot: flags.checkpoints,
      name: flags.name,
      ensemble: flags.ensemble,
      tune: flags.tune,
      numTrials: flags.trials && num(flags.trials),
      tuneFourier: flags.tuneFourier !== undefined ? parseFourierFlag(flags.tuneFourier) : undefined,
      strategy: flags.strategy,
    },
  });
  if (flags.models) out['models'] = parseModelsFlag(flags.models);
  return out as TrainConfigInput;
}
