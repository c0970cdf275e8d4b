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
        reportPrefix: 'reports/',
        corsOrigins: [],
      },
      drift: { dataPrefix: 'data/recent/', maxRows: 10_000 },
    });
  });

  it('reads strings as Workers vars and process.env give them; an empty key means no key', () => {
    const s = settingsFromEnv({
      TWIGA_SERVE_API_KEY: 's3cret',
      TWIGA_SERVE_POLL_SECONDS: '2.5',
      TWIGA_SERVE_CHECKPOINT: 'models/load',
    });
    expect(s.serve).toMatchObject({ apiKey: 's3cret', pollSeconds: 2.5, checkpoint: 'models/load' });
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
