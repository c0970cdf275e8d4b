/**
 * The demo page: loads the demo checkpoint into the forecast Web Worker after first paint and forecasts the
 * bundled sample at once (chart and drift panel, no click); a picked CSV is read with duckdb-wasm on first use
 * and replaces it. When the checkpoint root is a fleet (`_models.json` lists several models), a series picker
 * chooses the model.
 */
import type { ModelInfo } from '../../runtime/serving/model-info.js';
import type { ForecastWorkerClient } from '../api.js';
import { renderChart } from './chart.js';
import { afterPaint, byId } from './dom.js';
import { renderDrift } from './drift-panel.js';
import { renderForecastTable } from './forecast-table.js';
import { formatTime } from './format.js';
import { renderModelInfo } from './model-info.js';
import { allRecords, type LoadedData, originBounds, windowRecords } from './rows.js';
import { showSeriesPicker } from './series-picker.js';
import { clearError, setStatus, showError } from './status.js';
import { forecastView } from './view.js';
import { createWindowControl, selectedLevel } from './window-control.js';

/**
 * Where the demo's checkpoints and sample CSV are served, next to this page; `?checkpoints=<path>` points
 * at another checkpoint root on this origin (e.g. a fleet).
 */
const CHECKPOINTS = checkpointRoot(new URLSearchParams(location.search).get('checkpoints'));
const CHECKPOINT_NAME = 'net-load';
const SAMPLE = new URL('demo/sample.csv', document.baseURI).href;

interface Model {
  client: ForecastWorkerClient;
  info: ModelInfo;
  periodMs: number;
  name: string;
}

/** Loaded models by name (the worker keeps each), and the one the picker chose. */
const models = new Map<string, Promise<Model>>();
let selected: Promise<string> | undefined;
let clientReady: Promise<ForecastWorkerClient> | undefined;
let data: LoadedData | undefined;
let forecastSeq = 0;
/** The newest CSV asked for: a slower older read (e.g. the sample) never replaces it. */
let loadSeq = 0;
const control = createWindowControl(() => void forecast());

/** `?checkpoints=` resolved on this page's origin; anything pointing elsewhere falls back to the default. */
function checkpointRoot(param: string | null): string {
  const fallback = new URL('demo/checkpoints', document.baseURI);
  const wanted = param ? new URL(param, document.baseURI) : fallback;
  return (wanted.origin === fallback.origin ? wanted : fallback).href.replace(/\/$/, '');
}

async function client(): Promise<ForecastWorkerClient> {
  clientReady ??= (async () => {
    await afterPaint();
    setStatus('Starting the forecast worker and loading the demo checkpoint…', true);
    const { createForecastWorker } = await import('../client.js');
    return createForecastWorker();
  })();
  return clientReady;
}

/** The model to serve first: `net-load`, or a fleet's first series (the picker then offers the others). */
function selection(): Promise<string> {
  selected ??= (async () => {
    const names = await (await client()).listModels({ url: CHECKPOINTS });
    const first = names.includes(CHECKPOINT_NAME) || names.length === 0 ? CHECKPOINT_NAME : names[0]!;
    showSeriesPicker(names, first, (name) => void pickSeries(name));
    return first;
  })().catch((error: unknown) => {
    selected = undefined;
    throw error;
  });
  return selected;
}

async function loadModel(name: string): Promise<Model> {
  const [worker, { parsePeriod }] = await Promise.all([client(), import('../../runtime/period.js')]);
  setStatus(`Loading ${name}…`, true);
  const started = performance.now();
  const info = await worker.load({ url: CHECKPOINTS, name });
  const periodMs = parsePeriod(info.period);
  const engines = [...new Set(Object.values(info.engines))].join(' + ');
  setStatus(
    `Checkpoint version ${info.version} loaded and verified in ${Math.round(performance.now() - started)} ms (${engines} engine). Forecasting the sample…`,
  );
  return { client: worker, info, periodMs, name };
}

/** The chosen model, loaded once; its panel shows it. */
async function model(): Promise<Model> {
  const name = await selection();
  let ready = models.get(name);
  if (!ready) {
    ready = loadModel(name);
    models.set(name, ready);
    ready.catch(() => {
      models.delete(name);
      byId('model-info').dataset['state'] = 'error';
    });
  }
  const m = await ready;
  renderModelInfo(m.info, m.periodMs, `${CHECKPOINTS}/${name}`);
  return m;
}

type CsvSource = { name: string; file: File } | { name: string; url: string };

/** The bundled sample through the small parser; anything else through duckdb-wasm (loaded on first use). */
async function readSource(
  source: CsvSource,
  info: ModelInfo,
): Promise<{ loaded: LoadedData; reader: string }> {
  if ('url' in source && source.url === SAMPLE) {
    const { readSampleCsv } = await import('./sample-csv.js');
    const text = new TextDecoder().decode(await fetchBytes(source.url));
    return { loaded: readSampleCsv(source.name, text, info.time_column, info.columns), reader: 'd3-dsv' };
  }
  setStatus(`Reading ${source.name} with DuckDB…`, true);
  const [{ readCsv }, bytes] = await Promise.all([
    import('./duckdb.js'),
    'url' in source ? fetchBytes(source.url) : undefined,
  ]);
  const loaded = await readCsv(
    bytes ? { name: source.name, bytes } : { name: source.name, file: (source as { file: File }).file },
    info.time_column,
    info.columns,
  );
  return { loaded, reader: 'DuckDB' };
}

/** Reads a CSV, then forecasts its latest window and tests it for drift. */
async function loadCsv(source: CsvSource): Promise<void> {
  clearError();
  const seq = ++loadSeq;
  try {
    const { info, periodMs } = await model();
    const started = performance.now();
    const { loaded, reader } = await readSource(source, info);
    if (seq !== loadSeq) return;
    const ms = Math.round(performance.now() - started);
    data = loaded;
    const n = loaded.time.length;
    byId('data-summary').textContent =
      `${source.name}: ${n} rows from ${formatTime(loaded.time[0]!)} to ${formatTime(loaded.time[n - 1]!)}, read with ${reader} in ${ms} ms.`;
    void drift();
    setWindowBounds(loaded, info, periodMs);
    await forecast();
  } catch (error) {
    showError(`Reading ${source.name}`, error);
  }
}

/** The origin slider's range for `loaded` under the model's lookback and horizon (latest window chosen). */
function setWindowBounds(loaded: LoadedData, info: ModelInfo, periodMs: number): void {
  const bounds = originBounds(loaded, info);
  if (typeof bounds === 'string') {
    control.disable();
    throw Object.assign(new Error(bounds), { name: 'DataError', code: 'DATA_INVALID' });
  }
  control.setBounds(
    bounds.min,
    bounds.max,
    bounds.max,
    (row) => rowTime(loaded, row, periodMs),
    info.horizon,
  );
}

/** The picker chose `name`: load it (once), then forecast and test the loaded data with it. */
async function pickSeries(name: string): Promise<void> {
  selected = Promise.resolve(name);
  clearError();
  try {
    const { info, periodMs } = await model();
    if (!data) return;
    void drift();
    setWindowBounds(data, info, periodMs);
    await forecast();
  } catch (error) {
    showError(`Loading ${name}`, error);
  }
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${response.statusText}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** The time of a row, or of the step after the last row. */
function rowTime(d: LoadedData, row: number, periodMs: number): number {
  const n = d.time.length;
  return row < n ? d.time[row]! : d.time[n - 1]! + (row - n + 1) * periodMs;
}

/** Forecasts the window chosen by the origin slider; a newer request wins over an older one. */
async function forecast(): Promise<void> {
  const current = data;
  if (!current) return;
  const seq = ++forecastSeq;
  try {
    const { client, info, periodMs, name } = await model();
    const origin = control.value;
    const level = selectedLevel(info.max_interval_level);
    setStatus(`Forecasting from ${formatTime(rowTime(current, origin, periodMs))}…`, true);
    for (const id of ['chart', 'forecast-table']) byId(id).dataset['state'] = 'loading';
    const records = windowRecords(current, info, origin);
    const started = performance.now();
    const result =
      level === undefined
        ? await client.predict({ records }, { model: name })
        : await client.predictInterval({ records }, { levels: [level], model: name });
    if (seq !== forecastSeq || current !== data) return;
    const view = forecastView(current, result, origin, {
      target: info.targets[0]!,
      level: level ?? 0,
      lookback: info.lookback,
      periodMs,
    });
    renderChart(view);
    renderForecastTable(view);
    clearError();
    setStatus(
      `Forecast of ${result.horizon} steps from ${formatTime(view.originTime)} by ${Object.keys(result.forecasts).join(', ')} in ${Math.round(performance.now() - started)} ms.`,
    );
  } catch (error) {
    if (seq !== forecastSeq) return;
    for (const id of ['chart', 'forecast-table']) byId(id).dataset['state'] = 'error';
    showError('The forecast', error);
  }
}

/** Tests every loaded row against the checkpoint's drift reference. */
async function drift(): Promise<void> {
  const current = data;
  if (!current) return;
  const panel = byId('drift-panel');
  panel.dataset['state'] = 'loading';
  try {
    const { client, info, name } = await model();
    const summary = await client.detectDrift({ records: allRecords(current, info) }, { model: name });
    if (current !== data) return;
    renderDrift(summary, current.source, current.time.length);
  } catch (error) {
    panel.dataset['state'] = 'error';
    showError('The drift test', error);
  }
}

function wireInputs(): void {
  const input = byId<HTMLInputElement>('csv-input');
  input.addEventListener('change', () => {
    const file = input.files?.[0];
    if (file) void loadCsv({ name: file.name, file });
  });
  byId('sample-button').addEventListener('click', () => void loadCsv({ name: 'sample.csv', url: SAMPLE }));
  const zone = byId('drop-zone');
  zone.addEventListener('dragover', (event) => {
    event.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('over');
    const file = event.dataTransfer?.files[0];
    if (file) void loadCsv({ name: file.name, file });
  });
}

wireInputs();
// Forecast on open: the bundled sample, unless the user picked a file meanwhile.
model().then(
  () => {
    if (!data) void loadCsv({ name: 'sample.csv', url: SAMPLE });
  },
  (error: unknown) => showError('Loading the demo checkpoint', error),
);
