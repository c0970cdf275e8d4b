/** The MLflow REST tracker for Node: the platform-free client with Node's defaults for user and source. */
import { userInfo } from 'node:os';
import { type HttpTrackerOptions, HttpTracker as RuntimeHttpTracker } from '../../runtime/tracking/http.js';

/** The runtime tracker's options; `fetch` defaults to Node's. */
export type NodeHttpTrackerOptions = Omit<HttpTrackerOptions, 'fetch'> & { fetch?: typeof fetch };
export type { HttpTrackerOptions } from '../../runtime/tracking/http.js';

/**
 * {@link RuntimeHttpTracker} whose `mlflow.user` defaults to the OS user and `mlflow.source.name` to the
 * running script, as MLflow's Python client records them.
 * @example
 * const run = await new HttpTracker({ uri: 'http://127.0.0.1:5000' }).startRun({ experiment: 'net-load' });
 */
export class HttpTracker extends RuntimeHttpTracker {
  constructor(options: NodeHttpTrackerOptions) {
    super({
      ...options,
      fetch: options.fetch ?? fetch,
      user: options.user ?? userInfo().username,
      sourceName: options.sourceName ?? process.argv[1] ?? 'twiga-edge',
    });
  }
}
