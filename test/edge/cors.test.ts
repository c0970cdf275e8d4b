/** CORS is off by default and, when configured, answers a browser's preflight without a key. */
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/edge/app.js';
import { inProcessPredictors } from '../../src/edge/predictor.js';
import { MemoryCheckpointStore } from '../../src/runtime/checkpoint/memory-store.js';
import { createOnnxEngine } from '../../src/runtime/onnx/engine.js';
import { settingsFromEnv } from '../../src/runtime/settings.js';

const app = (env: Record<string, string>) =>
  createApp({
    store: new MemoryCheckpointStore(),
    settings: settingsFromEnv({ TWIGA_SERVE_API_KEY: 'k', ...env }),
    predictors: inProcessPredictors(createOnnxEngine()),
    log: () => undefined,
  });

const preflight = {
  method: 'OPTIONS',
  headers: {
    origin: 'https://app.example',
    'access-control-request-method': 'POST',
    'access-control-request-headers': 'content-type, x-api-key',
  },
};

describe('CORS', () => {
  it('sends no CORS headers unless TWIGA_SERVE_CORS_ORIGINS is set', async () => {
    const res = await app({}).request('/predict', preflight);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers the preflight of a listed origin without a key, and refuses other origins', async () => {
    const a = app({ TWIGA_SERVE_CORS_ORIGINS: 'https://app.example' });
    const res = await a.request('/predict', preflight);
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(res.headers.get('access-control-allow-headers')).toMatch(/x-api-key/);
    const other = await a.request('/predict', {
      ...preflight,
      headers: { ...preflight.headers, origin: 'https://evil.example' },
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const keyed = await a.request('/monitor/performance', { headers: { origin: 'https://app.example' } });
    expect(keyed.status).toBe(401);
    expect(keyed.headers.get('access-control-allow-origin')).toBe('https://app.example');
  });
});
