/** Validate a fleet training config and load its panel once: series repaired and reported one by one. */
import { DataError } from '../runtime/errors.js';
import { requiredColumns } from '../runtime/features/pipeline.js';
import { type SplitRows, splitRows } from '../runtime/features/split.js';
import type { Frame } from '../runtime/frame.js';
import type { ModelConfig } from '../runtime/schemas/model-config.js';
import { parseWith } from '../runtime/schemas/parse.js';
import { type PipelineConfig, PipelineConfigSchema } from '../runtime/schemas/pipeline-config.js';
import {
  type TrainConfig,
  type TrainConfigInput,
  TrainConfigSchema,
} from '../runtime/schemas/train-config.js';
import { loadPanel, type PanelReport, panelActions } from './data/index.js';
import { readStaticTable, type StaticTable } from './data/static-table.js';
import type { Logger } from './log.js';
import { defaultModels, parseTrainConfig } from './training-data.js';

/** One series ready to train: its frame and split. */
export interface FleetSeries {
  id: string;
  frame: Frame;
  split: SplitRows;
}

/** A panel loaded once: the parsed config, the id column, the pipeline config, the models and each series' frame and split. */
export interface FleetData {
  config: TrainConfig;
  path: string;
  idColumn: string;
  pipelineConfig: PipelineConfig;
  models: ModelConfig[];
  series: FleetSeries[];
  /** The panel's load report; series that cannot train (too short, no test window) are in `skipped`. */
  report: PanelReport;
  statics?: StaticTable;
}

/** Why a series cannot give a training window and a test window under `split`, or undefined. */
function unusable(frame: Frame, split: SplitRows, config: PipelineConfig): string | undefined {
  const { lookback, horizon } = config;
  if (split.trainEnd < lookback + horizon) {
    return `${split.trainEnd} training rows, fewer than the ${lookback + horizon} a window needs (lookback + horizon)`;
  }
  if (frame.time.length - split.testStart < horizon) {
    return `${frame.time.length - split.testStart} test rows, fewer than the horizon (${horizon})`;
  }
  return undefined;
}

/** Whether a training config describes a fleet (an id column, or a wide file to melt). */
export function isFleetConfig(input: TrainConfigInput): boolean {
  const config = parseWith(TrainConfigSchema, input, 'training config');
  return config.pipeline.idColumn !== undefined || config.data.melt !== undefined;
}

/**
 * Parse the config, load the panel file once, settle one period for every series, and split each series by
 * the config's rule. Series too short for lookback + horizon or with no test window are skipped and reported.
 */
export async function loadFleetData(input: TrainConfigInput, log: Logger): Promise<FleetData> {
  const { config, path } = parseTrainConfig(input);
  const idColumn = config.pipeline.idColumn ?? 'unique_id';
  const draft = parseWith(
    PipelineConfigSchema,
    { period: '1h', ...config.pipeline, idColumn },
    'pipeline config',
    'pipeline',
  );
  const panel = await loadPanel(path, {
    idColumn,
    timeColumn: draft.timeColumn,
    columns: requiredColumns(draft),
    duplicates: config.data.duplicates,
    gaps: config.data.gaps,
    melt: config.data.melt,
    ...(config.pipeline.period ? { period: config.pipeline.period } : {}),
    ...(config.data.timeFormat ? { timeFormat: config.data.timeFormat } : {}),
  });
  if (panel.series.length === 0) {
    throw new DataError(`no series left in ${path}`, { path, skipped: panel.report.skipped });
  }
  const periods = new Set(panel.series.map((s) => s.report.period));
  if (periods.size > 1) {
    const byPeriod = panel.series.map((s) => `${s.id}: ${s.report.period}`).slice(0, 5);
    throw new DataError(
      `the series of ${path} have different periods (${byPeriod.join(', ')}); pass the period or resample`,
      { path, periods: [...periods] },
    );
  }
  const period = config.pipeline.period ?? panel.series[0]!.report.period;
  if (!config.pipeline.period) log.info(`period ${period} inferred from the data`);
  const pipelineConfig = parseWith(
    PipelineConfigSchema,
    { ...config.pipeline, idColumn, period },
    'pipeline config',
    'pipeline',
  );
  const series: FleetSeries[] = [];
  for (const s of panel.series) {
    const split = splitRows(s.frame, config.train.split);
    const why = unusable(s.frame, split, pipelineConfig);
    if (why) {
      panel.report.skipped.push({ id: s.id, rows: s.frame.time.length, reason: why });
      delete panel.report.series[s.id];
    } else {
      series.push({ id: s.id, frame: s.frame, split });
    }
  }
  for (const line of panelActions(panel.report)) log.info(line);
  if (series.length === 0) {
    throw new DataError(`no series of ${path} is long enough to train and test`, {
      path,
      skipped: panel.report.skipped,
    });
  }
  const models = config.models ?? defaultModels(pipelineConfig.lookback, pipelineConfig.periodMs);
  const out: FleetData = { config, path, idColumn, pipelineConfig, models, series, report: panel.report };
  if (config.data.static) {
    const statics = await readStaticTable(config.data.static, idColumn);
    for (const s of series) {
      if (!statics.values[s.id]) {
        throw new DataError(`static table ${config.data.static} has no row for series "${s.id}"`, {
          path: config.data.static,
          series: s.id,
        });
      }
    }
    out.statics = statics;
  }
  return out;
}
