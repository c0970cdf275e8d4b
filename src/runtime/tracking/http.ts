/**
 * HttpTracker: runs recorded on an MLflow tracking server through its REST API (`/api/2.0/mlflow/...`).
 * Platform-free (fetch only), so the Worker's retraining Workflow logs runs with the same client as Node.
 */
import { ConfigError, TrackingError } from '../errors.js';
import {
  assertKeys,
  BATCH_LIMITS,
  MAX_PARAM_VALUE_LENGTH,
  MAX_TAG_VALUE_LENGTH,
  pythonStr,
  type RunStatus,
  SYSTEM_TAGS,
  truncate,
} from './mlflow-format.js';
import { randomRunName } from './run-name.js';
import type { DatasetInput, ParamValue, StartRunOptions, TrackedRun, Tracker } from './tracker.js';

/** Server URL, extra headers (a bearer token), user, source name, fetch and clock of the MLflow REST tracker. */
export interface HttpTrackerOptions {
  /** `http(s)://host:port` of the tracking server. */
  uri: string;
  /** Extra headers, e.g. `{ Authorization: 'Bearer …' }`. */
  headers?: Record<string, string>;
  /** `mlflow.user`. @default 'twiga-edge' (Node's HttpTracker defaults to the OS user). */
  user?: string;
  /** `mlflow.source.name`. @default 'twiga-edge' (Node's HttpTracker defaults to the script path). */
  sourceName?: string;
  /** The platform's HTTP client, passed in (the core uses no global): Node's or the Worker's `fetch`. */
  fetch: typeof fetch;
  now?: () => number;
}

type Json = Record<string, unknown>;
/** The request body: bytes copied onto an ArrayBuffer (DOM's BodyInit refuses a SharedArrayBuffer view). */
const wireBody = (body: Json | Uint8Array | string): string | Uint8Array<ArrayBuffer> =>
  typeof body === 'string' ? body : body instanceof Uint8Array ? new Uint8Array(body) : JSON.stringify(body);
const kv = (o: Record<string, string>) => Object.entries(o).map(([key, value]) => ({ key, value }));
/** Proto3 JSON writes non-finite doubles as strings. */
const jsonDouble = (x: number): number | string =>
  Number.isFinite(x) ? x : Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity';

/**
 * Tracks runs on an MLflow server: experiments/get-by-name + experiments/create, runs/create,
 * runs/log-batch (chunked to MLflow's 1000 metrics / 100 params / 100 tags), runs/log-inputs,
 * runs/update, and artifacts PUT to `/api/2.0/mlflow-artifacts/artifacts/<path>` (the server must
 * serve artifacts, i.e. run artifacts under `mlflow-artifacts:/`).
 * @example
 * const run = await new HttpTracker({ uri: 'http://127.0.0.1:5000', fetch }).startRun({ experiment: 'net-load' });
 * await run.logMetrics({ 'linear/mae': 25.3 });
 * await run.end();
 */
export class HttpTracker implements Tracker {
  readonly base: string;
  private readonly fetch: typeof fetch;
  readonly now: () => number;
  constructor(private readonly options: HttpTrackerOptions) {
    if (!/^https?:\/\//u.test(options.uri))
      throw new ConfigError(`Tracking URI "${options.uri}" is not http(s)`, [
        { path: 'uri', message: 'expected http:// or https://' },
      ]);
    this.base = options.uri.replace(/\/+$/u, '');
    this.fetch = options.fetch;
    this.now = options.now ?? Date.now;
  }

  /** One REST call; a non-2xx answer is a TrackingError carrying MLflow's `error_code` and message. */
  async call(
    method: 'GET' | 'POST' | 'PUT',
    route: string,
    body?: Json | Uint8Array | string,
  ): Promise<Json> {
    const url = `${this.base}${route}`;
    const binary = body instanceof Uint8Array || typeof body === 'string';
    let res: Response;
    try {
      res = await this.fetch(url, {
        method,
        headers: {
          'Content-Type': binary ? 'application/octet-stream' : 'application/json',
          ...this.options.headers,
        },
        ...(body === undefined ? {} : { body: wireBody(body) }),
      });
    } catch (cause) {
      throw new TrackingError(`MLflow server unreachable at ${url}`, { url }, cause);
    }
    const text = await res.text();
    let json: Json;
    try {
      json = (text === '' ? {} : JSON.parse(text)) as Json;
    } catch (cause) {
      // A proxy's HTML error page, or a server that is not MLflow: say so rather than a bare SyntaxError.
      if (res.ok)
        throw new TrackingError(
          `MLflow ${method} ${route} answered non-JSON`,
          { url, status: res.status },
          cause,
        );
      json = {};
    }
    if (!res.ok)
      throw new TrackingError(
        `MLflow ${method} ${route} failed (${res.status} ${String(json['error_code'] ?? '')}): ${String(json['message'] ?? text)}`,
        { url, status: res.status, errorCode: json['error_code'] },
      );
    return json;
  }

  async experimentId(name: string): Promise<string> {
    try {
      const got = await this.call(
        'GET',
        `/api/2.0/mlflow/experiments/get-by-name?experiment_name=${encodeURIComponent(name)}`,
      );
      return String((got['experiment'] as Json)['experiment_id']);
    } catch (e) {
      if (!(e instanceof TrackingError) || e.context['errorCode'] !== 'RESOURCE_DOES_NOT_EXIST') throw e;
    }
    const created = await this.call('POST', '/api/2.0/mlflow/experiments/create', { name });
    return String(created['experiment_id']);
  }

  async startRun(options: StartRunOptions = {}): Promise<TrackedRun> {
    const experimentId = await this.experimentId(options.experiment ?? 'Default');
    const runName = options.runName ?? options.tags?.[SYSTEM_TAGS.runName] ?? randomRunName();
    const user = this.options.user ?? 'twiga-edge';
    const tags = {
      [SYSTEM_TAGS.user]: user,
      [SYSTEM_TAGS.sourceName]: this.options.sourceName ?? 'twiga-edge',
      [SYSTEM_TAGS.sourceType]: 'LOCAL',
      ...options.tags,
      [SYSTEM_TAGS.runName]: runName,
    };
    assertKeys(Object.keys(tags), 'tag');
    const created = await this.call('POST', '/api/2.0/mlflow/runs/create', {
      experiment_id: experimentId,
      user_id: user,
      run_name: runName,
      start_time: this.now(),
      tags: kv(tags),
    });
    const info = (created['run'] as Json)['info'] as Json;
    return new HttpRun(this, String(info['run_id']), experimentId, String(info['artifact_uri']));
  }

  /**
   * The newest run of `experiment` whose tag `key` equals `value` (runs/search), with its status; undefined
   * when there is none. A retried step finds the run its earlier attempt created instead of making another.
   * @example
   * const found = await tracker.findRunByTag('twiga', 'twiga.instance_id', 'feeder-0001_v0_2024-03-01');
   */
  async findRunByTag(
    experiment: string,
    key: string,
    value: string,
  ): Promise<{ run: TrackedRun; status: RunStatus } | undefined> {
    assertKeys([key], 'tag');
    const experimentId = await this.experimentId(experiment);
    // MLflow's search grammar: backticks around a key with dots, a single-quoted value.
    const quoted = value.replaceAll('\\', '\\\\').replaceAll("'", "\\'");
    const found = await this.call('POST', '/api/2.0/mlflow/runs/search', {
      experiment_ids: [experimentId],
      filter: `tags.\`${key}\` = '${quoted}'`,
      max_results: 1,
      order_by: ['attributes.start_time DESC'],
    });
    const runs = (found['runs'] as Json[] | undefined) ?? [];
    const info = runs[0]?.['info'] as Json | undefined;
    if (!info) return undefined;
    return {
      run: new HttpRun(this, String(info['run_id']), experimentId, String(info['artifact_uri'])),
      status: String(info['status']) as RunStatus,
    };
  }
}

class HttpRun implements TrackedRun {
  constructor(
    private readonly tracker: HttpTracker,
    readonly runId: string,
    readonly experimentId: string,
    readonly artifactUri: string,
  ) {}

  private async batch(kind: 'metrics' | 'params' | 'tags', items: Json[]): Promise<void> {
    const size = BATCH_LIMITS[kind];
    for (let i = 0; i < items.length; i += size)
      await this.tracker.call('POST', '/api/2.0/mlflow/runs/log-batch', {
        run_id: this.runId,
        [kind]: items.slice(i, i + size),
      });
  }

  async logParams(params: Record<string, ParamValue>): Promise<void> {
    assertKeys(Object.keys(params), 'param');
    const items = Object.entries(params).map(([key, v]) => ({
      key,
      value: truncate(v === null ? '' : pythonStr(v), MAX_PARAM_VALUE_LENGTH),
    }));
    await this.batch('params', items);
  }

  async logMetrics(metrics: Record<string, number>, step = 0): Promise<void> {
    assertKeys(Object.keys(metrics), 'metric');
    const timestamp = Math.trunc(this.tracker.now());
    await this.batch(
      'metrics',
      Object.entries(metrics).map(([key, value]) => ({ key, value: jsonDouble(value), timestamp, step })),
    );
  }

  async setTags(tags: Record<string, string>): Promise<void> {
    assertKeys(Object.keys(tags), 'tag');
    await this.batch(
      'tags',
      Object.entries(tags).map(([key, value]) => ({ key, value: truncate(value, MAX_TAG_VALUE_LENGTH) })),
    );
  }

  async logArtifact(name: string, content: Uint8Array | string): Promise<void> {
    if (name.split('/').some((s) => s === '' || s === '.' || s === '..'))
      throw new ConfigError(`Invalid artifact path "${name}"`, [
        { path: name, message: 'must be a relative path' },
      ]);
    const match = /^mlflow-artifacts:(?:\/\/[^/]*)?\/(.*)$/u.exec(this.artifactUri);
    if (!match)
      throw new ConfigError(`Run artifact URI "${this.artifactUri}" is not served by the tracking server`, [
        {
          path: 'artifact_uri',
          message: 'expected mlflow-artifacts:/… (start the server with artifact serving)',
        },
      ]);
    const route = `${match[1]}/${name}`.split('/').map(encodeURIComponent).join('/');
    await this.tracker.call('PUT', `/api/2.0/mlflow-artifacts/artifacts/${route}`, content);
  }

  async logInput(dataset: DatasetInput): Promise<void> {
    await this.tracker.call('POST', '/api/2.0/mlflow/runs/log-inputs', {
      run_id: this.runId,
      datasets: [
        {
          dataset: {
            name: dataset.name,
            digest: dataset.digest,
            source_type: dataset.sourceType,
            source: dataset.source,
            ...(dataset.schema === undefined ? {} : { schema: dataset.schema }),
            ...(dataset.profile === undefined ? {} : { profile: dataset.profile }),
          },
          tags: kv(dataset.tags ?? {}),
        },
      ],
    });
  }

  async end(status: Exclude<RunStatus, 'RUNNING' | 'SCHEDULED'> = 'FINISHED'): Promise<void> {
    await this.tracker.call('POST', '/api/2.0/mlflow/runs/update', {
      run_id: this.runId,
      status,
      end_time: this.tracker.now(),
    });
  }
}
