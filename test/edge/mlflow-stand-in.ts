/**
 * A RECORDING STAND-IN for an MLflow tracking server (not MLflow itself): a node:http server on 127.0.0.1
 * answering the REST routes the retraining `track` step calls, keeping runs in memory, and exposing them at
 * `GET /__runs` so tests (in Node or inside workerd, by plain fetch) can check what arrived.
 * Faults injected on purpose, keyed by the run's `twiga.model` tag:
 * - `mlflow-down`: runs/create answers 503 every time (the server is down);
 * - `mlflow-flaky`: the first runs/log-batch of the run answers 503 (an attempt dies halfway).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One run as the stand-in holds it. */
export interface StandInRun {
  info: { run_id: string; experiment_id: string; artifact_uri: string; status: string; end_time?: number };
  tags: Record<string, string>;
  params: Record<string, string>;
  metrics: Array<{ key: string; value: number | string; step: number }>;
}

/** What `GET /__runs` answers. */
export interface StandInState {
  experiments: Record<string, string>;
  runs: StandInRun[];
  /** Every call, `METHOD /path`, in order. */
  calls: string[];
}

type Json = Record<string, unknown>;
type KV = Array<{ key: string; value: string }>;

function handle(
  state: StandInState,
  failedOnce: Set<string>,
  method: string,
  url: string,
  body: Json,
  send: (s: number, j: object) => void,
) {
  const path = url.split('?')[0];
  state.calls.push(`${method} ${path}`);
  const runOf = (id: unknown) => state.runs.find((r) => r.info.run_id === id);
  const fault = (run: StandInRun | undefined, model: string) => run?.tags['twiga.model'] === model;
  switch (`${method} ${path}`) {
    case 'GET /__runs':
      return send(200, state);
    case 'GET /api/2.0/mlflow/experiments/get-by-name': {
      const name = new URL(url, 'http://x').searchParams.get('experiment_name') ?? '';
      const id = state.experiments[name];
      if (id === undefined) return send(404, { error_code: 'RESOURCE_DOES_NOT_EXIST', message: name });
      return send(200, { experiment: { experiment_id: id, name } });
    }
    case 'POST /api/2.0/mlflow/experiments/create': {
      const id = String(Object.keys(state.experiments).length + 1);
      state.experiments[String(body['name'])] = id;
      return send(200, { experiment_id: id });
    }
    case 'POST /api/2.0/mlflow/runs/create': {
      const tags = Object.fromEntries(((body['tags'] as KV | undefined) ?? []).map((t) => [t.key, t.value]));
      if (tags['twiga.model'] === 'mlflow-down')
        return send(503, { error_code: 'TEMPORARILY_UNAVAILABLE', message: 'injected: server down' });
      const run_id = `run${String(state.runs.length).padStart(29, '0')}`;
      const experiment_id = String(body['experiment_id']);
      const run: StandInRun = {
        info: {
          run_id,
          experiment_id,
          artifact_uri: `mlflow-artifacts:/${experiment_id}/${run_id}`,
          status: 'RUNNING',
        },
        tags,
        params: {},
        metrics: [],
      };
      state.runs.push(run);
      return send(200, { run: { info: run.info } });
    }
    case 'POST /api/2.0/mlflow/runs/log-batch': {
      const run = runOf(body['run_id']);
      if (!run) return send(404, { error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'no such run' });
      if (fault(run, 'mlflow-flaky') && !failedOnce.has(run.info.run_id)) {
        failedOnce.add(run.info.run_id);
        return send(503, { error_code: 'TEMPORARILY_UNAVAILABLE', message: 'injected: attempt dies' });
      }
      for (const t of (body['tags'] as KV | undefined) ?? []) run.tags[t.key] = t.value;
      for (const p of (body['params'] as KV | undefined) ?? []) run.params[p.key] = p.value;
      for (const m of (body['metrics'] as StandInRun['metrics'] | undefined) ?? []) run.metrics.push(m);
      return send(200, {});
    }
    case 'POST /api/2.0/mlflow/runs/update': {
      const run = runOf(body['run_id']);
      if (!run) return send(404, { error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'no such run' });
      run.info.status = String(body['status']);
      run.info.end_time = Number(body['end_time']);
      return send(200, { run_info: run.info });
    }
    case 'POST /api/2.0/mlflow/runs/search': {
      // Only the filter the track step sends: tags.`<key>` = '<value>'.
      const match = /^tags\.`([^`]+)` = '(.*)'$/u.exec(String(body['filter'] ?? ''));
      if (!match) return send(400, { error_code: 'INVALID_PARAMETER_VALUE', message: 'unsupported filter' });
      const ids = (body['experiment_ids'] as string[] | undefined) ?? [];
      const runs = state.runs
        .filter((r) => ids.includes(r.info.experiment_id) && r.tags[match[1]!] === match[2])
        .reverse();
      return send(200, runs.length === 0 ? {} : { runs: runs.slice(0, 1).map((r) => ({ info: r.info })) });
    }
    default:
      return send(404, { error_code: 'ENDPOINT_NOT_FOUND', message: `${method} ${path}` });
  }
}

/**
 * Start the stand-in on 127.0.0.1 (a free port).
 * @returns its base URI and a `close`.
 */
export async function startMlflowStandIn(): Promise<{
  uri: string;
  state: StandInState;
  close(): Promise<void>;
}> {
  const state: StandInState = { experiments: {}, runs: [], calls: [] };
  const failedOnce = new Set<string>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const send = (status: number, json: object) => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(json));
      };
      handle(
        state,
        failedOnce,
        req.method ?? '',
        req.url ?? '',
        text === '' ? {} : (JSON.parse(text) as Json),
        send,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const uri = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { uri, state, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
