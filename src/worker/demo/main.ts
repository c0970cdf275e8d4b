/**
 * The demo page: loads the demo checkpoint into the forecast Web Worker after first paint and forecasts the
 * bundled sample at once (chart and drift panel, no click); a picked CSV is read with duckdb-wasm on first use
 * and replaces it.
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
import { clearError, setStatus, showError } from './status.js';
import { forecastView } from './view.js';
import { createWindowControl, selectedLevel } from './window-control.js';

/** Where the demo's checkpoint and sample CSV are served, next to this page. */
const CHECKPOINTS = new URL('demo/checkpoints', document.baseURI).href;
const CHECKPOINT_NAME = 'net-load';
const SAMPLE = new URL('demo/sample.csv', document.baseURI).href;

interface Model {
  client: ForecastWorkerClient;
  info: ModelInfo;
  periodMs: number;
}

let modelReady: Promise<Model> | undefined;
let data: LoadedData | undefined;
let forecastSeq = 0;
/** The newest CSV asked for: a slower older read (e.g. the sample) never replaces it. */
let loadSeq = 0;
const control = createWindowControl(() => void forecast());

async function loadModel(): Promise<Model> {
  await afterPaint();
  setStatus('Starting the forecast worker and loading the demo checkpoint…', true);
  const [{ createForecastWorker }, { parsePeriod }] = await Promise.all([
    import('../client.js'),
    import('../../runtime/period.js'),
  ]);
  const client = createForecastWorker();
  const started = performance.now();
  const info = await client.load({ url: CHECKPOINTS, name: CHECKPOINT_NAME });
  const periodMs = parsePeriod(info.period);
  renderModelInfo(info, periodMs, `${CHECKPOINTS}/${CHECKPOINT_NAME}`);
  const engines = [...new Set(Object.values(info.engines))].join(' + ');
  setStatus(
    `Checkpoint version ${info.version} loaded and verified in ${Math.round(performance.now() - started)} ms (${engines} engine). Forecasting the sample…`,
  );
  return { client, info, periodMs };
}

function model(): Promise<Model> {
  modelReady ??= loadModel().catch((error: unknown) => {
    modelReady = undefined;
    byId('model-info').dataset['state'] = 'error';
    throw error;
  });
  return modelReady;
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
    const bounds = originBounds(loaded, info);
    data = loaded;
    const n = loaded.time.length;
    byId('data-summary').textContent =
      `${source.name}: ${n} rows from ${formatTime(loaded.time[0]!)} to ${formatTime(loaded.time[n - 1]!)}, read with ${reader} in ${ms} ms.`;
    void drift();
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
    await forecast();
  } catch (error) {
    showError(`Reading ${source.name}`, error);
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
    const { client, info, periodMs } = await model();
    const origin = control.value;
    const level = selectedLevel(info.max_interval_level);
    setStatus(`Forecasting from ${formatTime(rowTime(current, origin, periodMs))}…`, true);
    for (const id of ['chart', 'forecast-table']) byId(id).dataset['state'] = 'loading';
    const records = windowRecords(current, info, origin);
    const started = performance.now();
    const result =
      level === undefined
        ? await client.predict({ records })
        : await client.predictInterval({ records }, { levels: [level] });
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
    const { client, info } = await model();
    const summary = await client.detectDrift({ records: allRecords(current, info) });
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
