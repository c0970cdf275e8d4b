/** TwigaSettings from TWIGA_* variables: defaults, coercion, and errors naming the variable. */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/runtime/errors.js';
import { settingsFromEnv } from '../../src/runtime/settings.js';

describe('settingsFromEnv', () => {
  it('fills defaults and ignores bindings and other variables', () => {
    const s = settingsFromEnv({ CHECKPOINTS: {}, PATH: '/bin' });
    expect(s).toEqual({
      serve: {
        apiKey: undefined,
        checkpoint: 'twiga',
        pollSeconds: 10,
        maxBodyBytes: 8 * 1024 * 1024,
        maxLoadedBytes: 64 * 1024 * 1024,
        reportPrefix: 'reports/',
        corsOrigins: [],
      },
      drift: { dataPrefix: 'data/recent/', maxRows: 10_000 },
      mlflow: { trackingUri: 'mlruns', experiment: 'twiga', token: undefined },
      model: { checkpointDir: 'checkpoints' },
      reportDir: undefined,
      reloadUrl: undefined,
      retrain: { driftThreshold: 0.5, performanceThreshold: undefined, metricKey: 'mae', minimize: true },
      flow: { retries: 2, retryDelaySeconds: 1 },
      engine: 'auto',
    });
  });

  it('reads the flow settings and keeps secrets out of JSON, String() and inspect', async () => {
    const s = settingsFromEnv({
      TWIGA_MLFLOW_TRACKING_URI: 'http://127.0.0.1:5000',
      TWIGA_MLFLOW_TRACKING_TOKEN: 'tok-123',
      TWIGA_SERVE_API_KEY: 'key-456',
      TWIGA_SERVE_RELOAD_URL: 'http://127.0.0.1:8000/reload',
      TWIGA_RETRAIN_DRIFT_THRESHOLD: '0.3',
      TWIGA_RETRAIN_PERFORMANCE_THRESHOLD: '42.5',
      TWIGA_RETRAIN_METRIC_KEY: 'linear/rmse',
      TWIGA_RETRAIN_MINIMIZE: 'False',
      TWIGA_FLOW_RETRIES: '0',
    });
    expect(s.retrain).toEqual({
      driftThreshold: 0.3,
      performanceThreshold: 42.5,
      metricKey: 'linear/rmse',
      minimize: false,
    });
    expect(s.reloadUrl).toBe('http://127.0.0.1:8000/reload');
    // An empty variable is unset, not 0 (which would make every model breach it).
    expect(
      settingsFromEnv({ TWIGA_RETRAIN_PERFORMANCE_THRESHOLD: '' }).retrain.performanceThreshold,
    ).toBeUndefined();
    expect(s.flow.retries).toBe(0);
    expect(s.mlflow.token?.reveal()).toBe('tok-123');
    const printed = [
      JSON.stringify(s),
      String(s.serve.apiKey),
      (await import('node:util')).inspect(s, { depth: 9 }),
    ];
    for (const text of printed) {
      expect(text).not.toContain('tok-123');
      expect(text).not.toContain('key-456');
    }
    expect(JSON.stringify(s.serve)).toContain('"apiKey":"**********"');
  });

  it('names a bad flow variable', () => {
    expect(() =>
      settingsFromEnv({
        TWIGA_RETRAIN_MINIMIZE: 'maybe',
        TWIGA_SERVE_RELOAD_URL: 'ftp://x',
        TWIGA_RETRAIN_DRIFT_THRESHOLD: '2',
      }),
    ).toThrow(
      /TWIGA_RETRAIN_MINIMIZE[\s\S]*TWIGA_SERVE_RELOAD_URL|TWIGA_SERVE_RELOAD_URL[\s\S]*TWIGA_RETRAIN_MINIMIZE/,
    );
  });

  it('reads strings as Workers vars and process.env give them; an empty key means no key', () => {
    const s = settingsFromEnv({
      TWIGA_SERVE_API_KEY: 's3cret',
      TWIGA_SERVE_POLL_SECONDS: '2.5',
      TWIGA_SERVE_CHECKPOINT: 'models/load',
    });
    expect(s.serve).toMatchObject({ pollSeconds: 2.5, checkpoint: 'models/load' });
    expect(s.serve.apiKey?.reveal()).toBe('s3cret');
    expect(settingsFromEnv({ TWIGA_SERVE_API_KEY: '' }).serve.apiKey).toBeUndefined();
    expect(
      settingsFromEnv({ TWIGA_SERVE_CORS_ORIGINS: 'https://a.example, https://b.example' }).serve.corsOrigins,
    ).toEqual(['https://a.example', 'https://b.example']);
  });

  it('names each invalid variable', () => {
    try {
      settingsFromEnv({ TWIGA_SERVE_POLL_SECONDS: 'soon', TWIGA_SERVE_MAX_BODY_BYTES: '-1' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).issues.map((i) => i.path)).toEqual([
        'TWIGA_SERVE_POLL_SECONDS',
        'TWIGA_SERVE_MAX_BODY_BYTES',
      ]);
    }
  });
});
