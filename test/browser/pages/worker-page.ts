/** Test harness page: the forecast worker's client on `window.harness`, for test/browser/worker.test.ts. */
import {
  CheckpointError,
  ConfigError,
  DataError,
  ModelError,
  TwigaError,
} from '../../../src/runtime/errors.js';
import { createForecastWorker } from '../../../src/worker/client.js';
import type { Harness, LongTask, Outcome, PageError, WindowsRun } from '../harness-api.js';

const CLASSES = { TwigaError, ConfigError, DataError, CheckpointError, ModelError } as const;

function describeError(error: unknown): PageError {
  if (!(error instanceof Error)) return { name: 'thrown', message: String(error), classes: [] };
  const classes = Object.entries(CLASSES)
    .filter(([, type]) => error instanceof type)
    .map(([name]) => name);
  const out: PageError = { name: error.name, message: error.message, classes };
  if (error instanceof TwigaError) {
    out.code = error.code;
    out.issues = error.issues;
    out.context = error.context;
  }
  return out;
}

async function outcome<T>(run: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    return { ok: false, error: describeError(error) };
  }
}

// Every main-thread task over 50 ms since the page started (buffered: those before this line too).
const longTasks: LongTask[] = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) longTasks.push({ startTime: e.startTime, duration: e.duration });
}).observe({ type: 'longtask', buffered: true });

/** Long-task entries are delivered after the task, asynchronously: wait, then pick those overlapping. */
async function longTasksBetween(start: number, end: number): Promise<LongTask[]> {
  await new Promise((resolve) => setTimeout(resolve, 250));
  return longTasks.filter((t) => t.startTime + t.duration >= start && t.startTime <= end);
}

const bytes = (columns: Record<string, Float64Array>) =>
  Object.values(columns).reduce((n, c) => n + c.byteLength, 0);

const forecaster = createForecastWorker();

const harness: Harness = {
  load: (source) =>
    outcome(() =>
      forecaster.load('url' in source ? { ...source, url: new URL(source.url, location.href).href } : source),
    ),
  predict: (input) => outcome(() => forecaster.predict(input)),
  predictInterval: (input, options) => outcome(() => forecaster.predictInterval(input, options)),
  detectDrift: (input) => outcome(() => forecaster.detectDrift(input)),
  health: () => outcome(() => forecaster.health()),
  async predictWindows(payload, options, values = true): Promise<WindowsRun> {
    const columns = Object.fromEntries(
      Object.entries(payload).map(([name, values]) => [name, Float64Array.from(values)]),
    );
    const bytesBefore = bytes(columns);
    const start = performance.now();
    const result = await outcome(() => forecaster.predictWindows({ columns }, options));
    const end = performance.now();
    const bytesAfter = bytes(columns);
    const during = await longTasksBetween(start, end);
    const predictions = result.ok ? result.value.predictions : {};
    return {
      sizes: Object.fromEntries(Object.entries(predictions).map(([label, p]) => [label, p.length])),
      result: result.ok
        ? {
            ok: true,
            value: {
              ...result.value,
              originTimes: Array.from(result.value.originTimes),
              predictions: Object.fromEntries(
                Object.entries(predictions).map(([label, p]) => [label, values ? Array.from(p) : []]),
              ),
            },
          }
        : result,
      ms: end - start,
      longTasks: during,
      bytesBefore,
      bytesAfter,
    };
  },
  async busy(ms) {
    // In a task of its own: code run by the DevTools protocol (page.evaluate) is not a task the recorder sees.
    const [start, end] = await new Promise<[number, number]>((resolve) =>
      setTimeout(() => {
        const t0 = performance.now();
        while (performance.now() - t0 < ms) {
          // the main thread is blocked on purpose
        }
        resolve([t0, performance.now()]);
      }),
    );
    return longTasksBetween(start, end);
  },
};

declare global {
  interface Window {
    harness: Harness;
  }
}

window.harness = harness;
document.getElementById('state')!.textContent = 'ready';
