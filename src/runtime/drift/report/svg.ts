/** A tiny inline-SVG toolkit for the reports: scales, nice ticks, axes, legends, bars and lines. */
import { escapeHtml } from './html.js';

/** Chart size and the margins around its plot area. */
export interface Box {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** The default box of a report chart. */
export const CHART: Box = { width: 480, height: 260, left: 56, right: 12, top: 28, bottom: 40 };

/** A tick: where (in data units) and what it says. */
export interface Tick {
  at: number;
  label: string;
}

/** Linear map from [d0, d1] onto [r0, r1] (a zero-width domain maps to the middle). */
export function scale(d0: number, d1: number, r0: number, r1: number): (x: number) => number {
  if (d1 === d0) return () => (r0 + r1) / 2;
  const k = (r1 - r0) / (d1 - d0);
  return (x) => r0 + (x - d0) * k;
}

/** About `count` round tick values covering [min, max] (steps of 1, 2 or 5 × 10^k). */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) {
    out.push(Math.abs(v) < step * 1e-9 ? 0 : Number(v.toPrecision(12)));
  }
  return out;
}

/** Rounds a coordinate to 0.1 px to keep the markup short. */
export const px = (x: number): string => String(Math.round(x * 10) / 10);

/**
 * An accessible SVG: `role="img"` labelled by its `<title>` and described by its `<desc>`
 * (`id` must be unique in the page; title and desc are escaped here).
 */
export function svg(id: string, title: string, desc: string, box: Box, content: string): string {
  return (
    `<svg id="${id}" viewBox="0 0 ${box.width} ${box.height}" width="${box.width}" height="${box.height}" ` +
    `role="img" aria-labelledby="${id}-title" aria-describedby="${id}-desc">` +
    `<title id="${id}-title">${escapeHtml(title)}</title><desc id="${id}-desc">${escapeHtml(desc)}</desc>` +
    `${content}</svg>`
  );
}

/** Left and bottom axes with grid lines, tick labels and axis titles (labels are escaped here). */
export function axes(
  box: Box,
  x: (v: number) => number,
  y: (v: number) => number,
  xTicks: readonly Tick[],
  yTicks: readonly Tick[],
  titles: { x: string; y: string },
): string {
  const bottom = box.height - box.bottom;
  const right = box.width - box.right;
  const parts: string[] = [];
  for (const t of yTicks) {
    const at = px(y(t.at));
    parts.push(`<line class="grid" x1="${box.left}" x2="${right}" y1="${at}" y2="${at}"/>`);
    parts.push(
      `<text x="${box.left - 6}" y="${at}" text-anchor="end" dy="0.32em">${escapeHtml(t.label)}</text>`,
    );
  }
  for (const t of xTicks) {
    const at = px(x(t.at));
    parts.push(`<line class="axis" x1="${at}" x2="${at}" y1="${bottom}" y2="${bottom + 4}"/>`);
    parts.push(`<text x="${at}" y="${bottom + 16}" text-anchor="middle">${escapeHtml(t.label)}</text>`);
  }
  parts.push(`<line class="axis" x1="${box.left}" x2="${right}" y1="${bottom}" y2="${bottom}"/>`);
  parts.push(`<line class="axis" x1="${box.left}" x2="${box.left}" y1="${box.top}" y2="${bottom}"/>`);
  parts.push(
    `<text x="${px((box.left + right) / 2)}" y="${box.height - 4}" text-anchor="middle">${escapeHtml(titles.x)}</text>`,
  );
  parts.push(
    `<text transform="rotate(-90)" x="${px(-(box.top + bottom) / 2)}" y="12" text-anchor="middle">${escapeHtml(titles.y)}</text>`,
  );
  return `<g>${parts.join('')}</g>`;
}

/**
 * A legend across the top of the chart: a swatch and a label per series. Space-separated classes
 * stack translucent swatches (`ref cur`: what overlapping bars look like).
 */
export function legend(box: Box, items: readonly { label: string; className: string }[]): string {
  let at = box.left;
  const parts = items.map(({ label, className }) => {
    const classes = className.split(' ');
    const rects = classes.map((c) => `<rect class="${c}" x="${at}" y="8" width="12" height="12" rx="2"/>`);
    const swatch = classes.length > 1 ? `<g class="bars">${rects.join('')}</g>` : rects[0]!;
    const text = `<text x="${at + 16}" y="18">${escapeHtml(label)}</text>`;
    at += 28 + label.length * 6.5;
    return swatch + text;
  });
  return `<g>${parts.join('')}</g>`;
}

/** An SVG path through the points, breaking where a value is not finite. */
export function linePath(xs: ArrayLike<number>, ys: ArrayLike<number>): string {
  let d = '';
  let pen = false;
  for (let i = 0; i < xs.length; i++) {
    const ok = Number.isFinite(xs[i]!) && Number.isFinite(ys[i]!);
    if (ok) d += `${pen ? 'L' : 'M'}${px(xs[i]!)} ${px(ys[i]!)}`;
    pen = ok;
  }
  return d;
}

/** A bar with a tooltip (`<title>`, escaped). */
export function bar(x: number, y: number, w: number, h: number, className: string, tip: string): string {
  return `<rect class="${className}" x="${px(x)}" y="${px(y)}" width="${px(Math.max(w, 0.5))}" height="${px(Math.max(h, 0))}"><title>${escapeHtml(tip)}</title></rect>`;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const TIME_STEPS = [
  HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  2 * DAY,
  7 * DAY,
  14 * DAY,
  30 * DAY,
  91 * DAY,
  182 * DAY,
  365 * DAY,
];

/** At most ~`count` ticks over an epoch-ms range, on whole hours or UTC days, labelled by date (and time). */
export function timeTicks(min: number, max: number, count = 5): Tick[] {
  const step =
    TIME_STEPS.find((s) => (max - min) / s <= count) ??
    365 * DAY * Math.ceil((max - min) / (365 * DAY * count));
  const out: Tick[] = [];
  for (let t = Math.ceil(min / step) * step; t <= max; t += step) {
    const iso = new Date(t).toISOString();
    out.push({ at: t, label: step < DAY ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}` : iso.slice(0, 10) });
  }
  return out;
}
