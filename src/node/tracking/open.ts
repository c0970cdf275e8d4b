/** The tracker a tracking URI names: MLflow's REST API for http(s), its file store for anything else. */
import type { Secret } from '../../runtime/secret.js';
import { FileStoreTracker } from './file-store.js';
import { HttpTracker } from './http.js';
import type { Tracker } from './tracker.js';

/**
 * @param uri `http(s)://host:port` → {@link HttpTracker}; a folder or `file://` URI → {@link FileStoreTracker}.
 * @param options.token bearer token for an MLflow server (`TWIGA_MLFLOW_TRACKING_TOKEN`).
 * @example
 * const tracker = openTracker(settings.mlflow.trackingUri, { token: settings.mlflow.token });
 */
export function openTracker(
  uri: string,
  options: { token?: Secret | undefined; fetch?: typeof fetch } = {},
): Tracker {
  if (/^https?:\/\//iu.test(uri)) {
    return new HttpTracker({
      uri,
      ...(options.token ? { headers: { Authorization: `Bearer ${options.token.reveal()}` } } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
  }
  return new FileStoreTracker({ root: uri });
}
