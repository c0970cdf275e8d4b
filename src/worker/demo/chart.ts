/** The forecast chart (uPlot): history and actuals, each model's forecast, and the ensemble's interval band. */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { byId } from './dom.js';
import { formatTime } from './format.js';
import type { ForecastView } from './view.js';

/** Okabe–Ito colours (distinguishable with colour-vision deficiencies), dashes tell models apart too. */
const ACTUAL = '#1a1a1a';
const ENSEMBLE = '#0072b2';
const BAND = 'rgba(0, 114, 178, 0.16)';
const MODEL_STYLES: { stroke: string; dash: number[] }[] = [
  { stroke: '#009e73', dash: [8, 4] },
  { stroke: '#d55e00', dash: [2, 3] },
  { stroke: '#cc79a7', dash: [12, 4, 2, 4] },
  { stroke: '#8a6d00', dash: [4, 4] },
];

let plot: uPlot | undefined;
let layout = '';
let observer: ResizeObserver | undefined;
/** Where the current forecast starts (read by the draw hook, so `setData` moves the line too). */
let originTime = Number.NaN;

const HEIGHT = 360;

/** Series in drawing order (later on top): the interval band, each model, the band's model, the actuals. */
function options(view: ForecastView, width: number): uPlot.Options {
  const levelPct = `${Math.round(view.level * 1000) / 10} %`;
  const series: uPlot.Series[] = [{ label: 'time', value: (_u, v) => (v == null ? '—' : formatTime(v)) }];
  const bands: uPlot.Band[] = [];
  if (view.band) {
    series.push(
      { label: `${levelPct} lower`, stroke: BAND, width: 1 },
      { label: `${levelPct} upper`, stroke: BAND, width: 1 },
    );
    bands.push({ series: [2, 1], fill: BAND });
  }
  series.push(
    ...view.models.map((m, i) => {
      const style = MODEL_STYLES[i % MODEL_STYLES.length]!;
      return { label: m.label, stroke: style.stroke, dash: style.dash, width: 1.5 };
    }),
    { label: `${view.bandModel} forecast`, stroke: ENSEMBLE, width: 2.5 },
    { label: `${view.target} (actual)`, stroke: ACTUAL, width: 1.5 },
  );
  return {
    width,
    height: HEIGHT,
    ms: 1,
    tzDate: (ts) => uPlot.tzDate(new Date(ts), 'Etc/UTC'),
    series,
    bands,
    scales: { x: { time: true } },
    axes: [{}, { label: view.target, labelSize: 20 }],
    legend: { live: true },
    cursor: { drag: { x: false, y: false } },
    hooks: { draw: [(u) => drawOrigin(u, originTime)] },
  };
}

/** A dashed vertical line where the forecast starts. */
function drawOrigin(u: uPlot, time: number): void {
  const x = Math.round(u.valToPos(time, 'x', true));
  const { ctx } = u;
  ctx.save();
  ctx.strokeStyle = '#595959';
  ctx.setLineDash([4, 4]);
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(x, u.bbox.top);
  ctx.lineTo(x, u.bbox.top + u.bbox.height);
  ctx.stroke();
  ctx.restore();
}

function data(view: ForecastView): uPlot.AlignedData {
  const columns: (number | null)[][] = [
    ...(view.band ? [view.band.lower, view.band.upper] : []),
    ...view.models.map((m) => m.values),
    view.bandValues,
    view.actual,
  ];
  return [view.time, ...columns] as uPlot.AlignedData;
}

/** Draws (or redraws) the chart for a forecast view. */
export function renderChart(view: ForecastView): void {
  const container = byId('chart');
  const width = Math.max(320, container.clientWidth);
  originTime = view.originTime;
  const key = JSON.stringify([view.target, view.models.map((m) => m.label), view.bandModel, view.level]);
  if (plot && key === layout) {
    plot.setData(data(view));
  } else {
    plot?.destroy();
    plot = new uPlot(options(view, width), data(view), container);
    layout = key;
  }
  observer ??= new ResizeObserver(() =>
    plot?.setSize({ width: Math.max(320, container.clientWidth), height: HEIGHT }),
  );
  observer.observe(container);
  const models = [...view.models.map((m) => m.label), view.bandModel].join(', ');
  const band = view.band ? ` with its ${Math.round(view.level * 100)} % interval` : '';
  container.setAttribute(
    'aria-label',
    `Chart of ${view.target}: history before ${formatTime(view.originTime)}, then the forecasts of ${models}${band}. The same values are in the table below.`,
  );
  container.dataset['origin'] = formatTime(view.originTime);
  container.dataset['state'] = 'ready';
  byId('chart-caption').textContent =
    `${view.target}: the last ${view.historyLabel} of history, then ${view.horizonLabel} forecast from ${formatTime(view.originTime)} (UTC wall clock). The shaded band is the ${view.bandModel}'s ${Math.round(view.level * 100)} % conformal interval.`;
}
