/** The API a forecast thread exposes through comlink; replies carry typed errors as plain data. */

import type { EngineName } from '../../runtime/engine/contract.js';
import type { PanelForecastJson, SeriesFrame } from '../../runtime/fleet/panel-forecast.js';
import type { ForecastJson, ForecastOptions } from '../../runtime/forecast-json.js';
import type { Frame } from '../../runtime/frame.js';
import type { Reply } from '../../runtime/serving/error-wire.js';

export interface ForecastThreadApi {
  /** Builds generation `id` from a checkpoint version's verified files; answers the engine running each model. */
  load(
    id: number,
    files: Record<string, Uint8Array>,
    version: number,
  ): Promise<Reply<Record<string, EngineName>>>;
  forecast(id: number, frame: Frame, options: ForecastOptions): Promise<Reply<ForecastJson>>;
  forecastSeries(
    id: number,
    frames: SeriesFrame[],
    options: ForecastOptions,
  ): Promise<Reply<PanelForecastJson>>;
  release(id: number): Promise<Reply<null>>;
}
