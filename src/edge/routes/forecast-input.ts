/** Reads a forecast request: JSON records, or an Arrow IPC body with its options in the query string. */

import type { Context } from 'hono';
import type { z } from 'zod';
import {
  type PanelForecastJson,
  type SeriesFrame,
  seriesFramesFromColumns,
  seriesFramesFromRecords,
} from '../../runtime/fleet/panel-forecast.js';
import type { ForecastJson, ForecastOptions } from '../../runtime/forecast-json.js';
import type { Frame } from '../../runtime/frame.js';
import { ARROW_MEDIA_TYPES, columnsFromArrowIpc } from '../../runtime/input/arrow.js';
import { frameFromColumns, frameFromRecords } from '../../runtime/input/frame-input.js';
import type { EnsembleStrategy } from '../../runtime/schemas/forecaster-config.js';
import type { PipelineConfig } from '../../runtime/schemas/pipeline-config.js';
import type { AppEnv } from '../context.js';
import { ApiError, validationError } from '../http-errors.js';
import type { Predictor } from '../predictor.js';
import { Levels, PredictQuerySchema, PredictRequestSchema } from '../schemas.js';

/** A JSON forecast request after the route's validation. */
interface ValidatedBody {
  records: Readonly<Record<string, unknown>>[];
  ensemble_strategy?: EnsembleStrategy | undefined;
  levels?: number[] | undefined;
}

export const isArrow = (contentType: string | undefined): boolean =>
  ARROW_MEDIA_TYPES.some((t) => contentType?.toLowerCase().startsWith(t) ?? false);

function parse<S extends z.ZodType>(schema: S, value: unknown, target: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(target, result.error);
  return result.data;
}

/** A request's data: one frame, or (for a global model, whose rows carry the id column) one frame per series. */
export type ForecastInput = (
  | { frame: Frame; frames?: undefined }
  | { frames: SeriesFrame[]; frame?: undefined }
) & {
  options: ForecastOptions;
};

/** Run a request's input on a predictor: one forecast, or for a global model one per series. */
export function forecastWith(
  predictor: Predictor,
  input: ForecastInput,
): Promise<ForecastJson | PanelForecastJson> {
  return input.frames
    ? predictor.forecastSeries(input.frames, input.options)
    : predictor.forecast(input.frame, input.options);
}

/**
 * The frame (or, for a global model, the frames per series) and options of a `/predict` (`withLevels`
 * false) or `/predict-interval` request.
 * @throws ApiError 400/415 for a malformed request; DataError (422) naming the field for unusable data.
 */
export async function readForecastInput(
  c: Context<AppEnv>,
  config: PipelineConfig,
  withLevels: boolean,
): Promise<ForecastInput> {
  const contentType = c.req.header('content-type');
  if (isArrow(contentType)) {
    const query = parse(PredictQuerySchema, c.req.query(), 'query');
    if (query.levels && !withLevels) {
      throw new ApiError(400, 'VALIDATION_ERROR', 'levels: only /predict-interval takes levels', [
        { path: 'levels', message: 'only /predict-interval takes levels' },
      ]);
    }
    const levels = withLevels
      ? parse(Levels, query.levels?.split(',').map(Number) ?? [0.9], 'query')
      : undefined;
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    const columns = columnsFromArrowIpc(bytes);
    return {
      ...(config.idColumn
        ? { frames: seriesFramesFromColumns(columns, config) }
        : { frame: frameFromColumns(columns, config, 'columns') }),
      options: {
        ...(query.ensemble_strategy ? { ensemble: query.ensemble_strategy } : {}),
        ...(levels ? { levels } : {}),
      },
    };
  }
  if (!contentType?.toLowerCase().startsWith('application/json')) {
    throw new ApiError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      `content-type: expected application/json or ${ARROW_MEDIA_TYPES.join(' / ')}, got ${contentType ?? 'none'}`,
      [
        {
          path: 'content-type',
          message: `expected application/json or an Arrow IPC type, got ${contentType ?? 'none'}`,
        },
      ],
    );
  }
  // The route's validator has already checked the JSON body against its schema (and applied defaults);
  // it skips only a request with no body at all, which parsing here turns into a 400 naming `records`.
  const validated = (c.req.valid as (t: 'json') => Partial<ValidatedBody>)('json');
  const body: ValidatedBody = validated.records
    ? (validated as ValidatedBody)
    : parse(PredictRequestSchema, validated, 'body');
  const levels = withLevels ? (body.levels ?? [0.9]) : undefined;
  return {
    ...(config.idColumn
      ? { frames: seriesFramesFromRecords(body.records, config) }
      : { frame: frameFromRecords(body.records, config) }),
    options: {
      ...(body.ensemble_strategy ? { ensemble: body.ensemble_strategy } : {}),
      ...(levels ? { levels } : {}),
    },
  };
}
