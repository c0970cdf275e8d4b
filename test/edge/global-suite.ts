/**
 * Route checks for a global checkpoint served as the default model, run inside workerd and against
 * `twiga-edge serve`: one request answers for three series; an unknown series id is a 422 naming it.
 */
import { describe, expect, it } from 'vitest';
import type { PanelForecastJson } from '../../src/runtime/fleet/panel-forecast.js';
import { ROUTE_SETTINGS } from './route-settings.js';

export interface GlobalHarness {
  request(path: string, init?: RequestInit): Promise<Response>;
  records: Array<{ unique_id: string; timestamp: string; net_load: number }>;
  expected: PanelForecastJson;
}

const post = (h: GlobalHarness, path: string, body: unknown) =>
  h.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': ROUTE_SETTINGS.apiKey },
    body: JSON.stringify(body),
  });

const close = (actual: number[], expected: number[]) => {
  expect(actual).toHaveLength(expected.length);
  for (const [i, v] of actual.entries()) expect(v).toBeCloseTo(expected[i]!, 3);
};

export function describeGlobalRoutes(label: string, harness: () => GlobalHarness): void {
  describe(`global model (${label})`, () => {
    it('POST /predict answers for 3 series at once, grouped by series, as Node computes', async () => {
      const h = harness();
      const res = await post(h, '/predict', { records: h.records });
      expect(res.status).toBe(200);
      const body = (await res.json()) as PanelForecastJson;
      expect(body.id_column).toBe('unique_id');
      expect(Object.keys(body.series)).toEqual(Object.keys(h.expected.series));
      expect(Object.keys(body.series)).toHaveLength(3);
      for (const [id, forecast] of Object.entries(body.series)) {
        const want = h.expected.series[id]!;
        expect(forecast.timestamps).toEqual(want.timestamps);
        for (const model of ['seasonal_naive_1D', 'linear', 'ensemble']) {
          close(forecast.forecasts[model]!['net_load']!, want.forecasts[model]!['net_load']!);
        }
      }
      // Each series is forecast with its own scale: the levels differ, and so do the forecasts.
      const means = Object.values(body.series).map(
        (f) => f.forecasts['linear']!['net_load']!.reduce((a, b) => a + b, 0) / 24,
      );
      expect(new Set(means.map((m) => Math.round(m))).size).toBe(3);
    });

    it('POST /predict-interval gives each series its own conformal interval', async () => {
      const h = harness();
      const res = await post(h, '/predict-interval', { records: h.records, levels: [0.9] });
      expect(res.status).toBe(200);
      const body = (await res.json()) as PanelForecastJson;
      for (const [id, forecast] of Object.entries(body.series)) {
        const want = h.expected.series[id]!.intervals!['linear']!['net_load']!['0.9']!;
        const got = forecast.intervals!['linear']!['net_load']!['0.9']!;
        close(got.lower, want.lower);
        close(got.upper, want.upper);
      }
    });

    it('an unknown series id is a 422 naming it and where it appeared', async () => {
      const h = harness();
      const first = h.records[0]!.unique_id;
      const records = h.records.map((r) => (r.unique_id === first ? { ...r, unique_id: 'feeder-9999' } : r));
      const res = await post(h, '/predict', { records });
      expect(res.status).toBe(422);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.message).toMatch(/records\[0\]\.unique_id: unknown series "feeder-9999"/);
    });

    it('a record without the id column is a 422 naming the field', async () => {
      const h = harness();
      const { unique_id: _id, ...rest } = h.records[5]!;
      const records = [...h.records.slice(0, 5), rest, ...h.records.slice(6)];
      const res = await post(h, '/predict', { records });
      expect(res.status).toBe(422);
      const body = (await res.json()) as { error: { message: string } };
      expect(body.error.message).toMatch(/records\[5\]\.unique_id: expected a series id/);
    });
  });
}
