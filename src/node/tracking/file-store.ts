/** FileStoreTracker: runs written in MLflow's file-store layout, so `mlflow ui --backend-store-uri DIR` opens them. */
import { createHash } from 'node:crypto';
import { appendFile, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ConfigError, DataError } from '../../runtime/errors.js';
import {
  assertKeys,
  keyProblem,
  MAX_DATASET_DIGEST_LENGTH,
  MAX_EXPERIMENT_NAME_LENGTH,
  MAX_PARAM_VALUE_LENGTH,
  MAX_TAG_VALUE_LENGTH,
  newExperimentId,
  newRunId,
  pythonFloat,
  pythonStr,
  RUN_STATUS,
  type RunStatus,
  SOURCE_TYPE_LOCAL,
  SYSTEM_TAGS,
  truncate,
} from './mlflow-format.js';
import { randomRunName } from './run-name.js';
import type { DatasetInput, ParamValue, StartRunOptions, TrackedRun, Tracker } from './tracker.js';
import { readYamlFile, writeYamlFile } from './yaml-io.js';

/*
 * Layout and formats follow mlflow/store/tracking/file_store.py (FileStore):
 *   <root>/<experiment_id>/meta.yaml        experiment dict less `tags` (`_create_experiment_with_id`)
 *   <root>/<experiment_id>/<run_id>/meta.yaml  `_make_persisted_run_info_dict`: status as int, tags: [],
 *                                             source_type LOCAL (4), empty source/entry point strings
 *   .../<run_id>/{metrics,params,tags,artifacts}/  one file per key (a `/` in a key nests folders);
 *   metrics append `f"{timestamp} {value} {step}\n"`, params/tags hold the value with no newline
 *   <root>/<experiment_id>/datasets/<md5(name+digest)>/meta.yaml and
 *   .../<run_id>/inputs/<md5(dataset_id+run_id)>/meta.yaml   (`log_inputs`)
 *   <root>/0 is the `Default` experiment, <root>/.trash holds deleted experiments.
 */
const META = 'meta.yaml';
const TRASH = '.trash';
const DEFAULT_EXPERIMENT = { id: '0', name: 'Default' } as const;

/** The mlruns folder, user, source name and clock of the MLflow file-store tracker. */
export interface FileStoreTrackerOptions {
  /** The store root (MLflow's `mlruns`): a path or a `file://` URI. Created when missing. */
  root: string;
  /** `user_id` and the `mlflow.user` tag. Default: the OS user name. */
  user?: string;
  /** The `mlflow.source.name` tag. Default: the running script (`process.argv[1]`). */
  sourceName?: string;
  /** Milliseconds since the epoch. Default: `Date.now`. */
  now?: () => number;
}

const md5 = (...parts: string[]) => {
  const h = createHash('md5');
  for (const p of parts) h.update(p, 'utf8');
  return h.digest('hex');
};

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

function ioError(action: string, file: string, cause: unknown): DataError {
  return new DataError(`Cannot ${action} ${file}: ${(cause as Error).message}`, { file }, cause);
}

/**
 * Tracks runs on disk exactly as MLflow's file store does.
 * @example
 * const tracker = new FileStoreTracker({ root: 'mlruns' });
 * const run = await tracker.startRun({ experiment: 'net-load', runName: 'train' });
 * await run.logParams({ horizon: 48 });
 * await run.logMetrics({ 'linear/mae': 25.3 });
 * await run.end('FINISHED');
 */
export class FileStoreTracker implements Tracker {
  readonly root: string;
  private readonly user: string;
  private readonly sourceName: string;
  readonly now: () => number;

  constructor(options: FileStoreTrackerOptions) {
    this.root = path.resolve(options.root.startsWith('file:') ? fileURLToPath(options.root) : options.root);
    this.user = options.user ?? userInfo().username;
    this.sourceName = options.sourceName ?? process.argv[1] ?? 'twiga-edge';
    this.now = options.now ?? Date.now;
  }

  /** The store's root as MLflow's `path_to_local_file_uri` writes it (`file:///abs/mlruns`). */
  get rootUri(): string {
    return pathToFileURL(this.root).href;
  }

  /** Create the root with the `Default` experiment, and `.trash`, when missing (FileStore.__init__). */
  async init(): Promise<void> {
    try {
      if (!(await exists(this.root))) {
        await mkdir(this.root, { recursive: true });
        await this.writeExperiment(DEFAULT_EXPERIMENT.id, DEFAULT_EXPERIMENT.name);
      }
      await mkdir(path.join(this.root, TRASH), { recursive: true });
    } catch (cause) {
      throw cause instanceof DataError ? cause : ioError('create the tracking store', this.root, cause);
    }
  }

  private async writeExperiment(id: string, name: string): Promise<void> {
    const now = this.now();
    await writeYamlFile(path.join(this.root, id, META), {
      artifact_location: `${this.rootUri}/${id}`,
      creation_time: now,
      experiment_id: id,
      last_update_time: now,
      lifecycle_stage: 'active',
      name,
    });
  }

  /** The id of the active experiment called `name`, creating it (random 18-digit id) when missing. */
  async experimentId(name: string): Promise<string> {
    if (name === '' || name.length > MAX_EXPERIMENT_NAME_LENGTH)
      throw new ConfigError(`Invalid experiment name "${name.slice(0, 50)}"`, [
        { path: 'experiment', message: `must be 1 to ${MAX_EXPERIMENT_NAME_LENGTH} characters` },
      ]);
    await this.init();
    for (const entry of await readdir(this.root, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name === TRASH || entry.name === 'models') continue;
      const file = path.join(this.root, entry.name, META);
      if (!(await exists(file))) continue;
      const meta = await readYamlFile(file);
      if (meta['name'] === name && meta['lifecycle_stage'] === 'active') return String(meta['experiment_id']);
    }
    const id = newExperimentId();
    await this.writeExperiment(id, name);
    return id;
  }

  async startRun(options: StartRunOptions = {}): Promise<TrackedRun> {
    const experimentId = await this.experimentId(options.experiment ?? DEFAULT_EXPERIMENT.name);
    const tags = options.tags ?? {};
    const runName = options.runName ?? tags[SYSTEM_TAGS.runName] ?? randomRunName();
    if (tags[SYSTEM_TAGS.runName] !== undefined && tags[SYSTEM_TAGS.runName] !== runName)
      throw new ConfigError(
        `runName "${runName}" and tag mlflow.runName "${tags[SYSTEM_TAGS.runName]}" differ`,
        [{ path: 'runName', message: 'differs from the mlflow.runName tag' }],
      );
    const runId = newRunId();
    const artifactUri = `${this.rootUri}/${experimentId}/${runId}/artifacts`;
    const run = new FileStoreRun(this, path.join(this.root, experimentId, runId), {
      artifact_uri: artifactUri,
      end_time: null,
      entry_point_name: '',
      experiment_id: experimentId,
      lifecycle_stage: 'active',
      run_id: runId,
      run_name: runName,
      run_uuid: runId,
      source_name: '',
      source_type: SOURCE_TYPE_LOCAL,
      source_version: '',
      start_time: this.now(),
      status: RUN_STATUS.RUNNING,
      tags: [],
      user_id: this.user,
    });
    await run.create();
    await run.setTags({
      [SYSTEM_TAGS.user]: this.user,
      [SYSTEM_TAGS.sourceName]: this.sourceName,
      [SYSTEM_TAGS.sourceType]: 'LOCAL',
      ...tags,
      [SYSTEM_TAGS.runName]: runName,
    });
    return run;
  }
}

type RunMeta = Record<string, unknown> & { run_id: string; experiment_id: string; artifact_uri: string };

class FileStoreRun implements TrackedRun {
  private ended = false;
  constructor(
    private readonly store: FileStoreTracker,
    private readonly dir: string,
    private readonly meta: RunMeta,
  ) {}

  get runId(): string {
    return this.meta.run_id;
  }
  get experimentId(): string {
    return this.meta.experiment_id;
  }
  get artifactUri(): string {
    return this.meta.artifact_uri;
  }

  async create(): Promise<void> {
    // create_run writes `deleted_time: null` too, but setting the mlflow.runName tag right after
    // rewrites meta.yaml through `_overwrite_run_info`, which drops it: the file MLflow leaves has none.
    await this.writeMeta();
    for (const sub of ['metrics', 'params', 'artifacts'])
      await mkdir(path.join(this.dir, sub), { recursive: true }).catch((e) => {
        throw ioError('create', path.join(this.dir, sub), e);
      });
  }

  private async writeMeta(): Promise<void> {
    await writeYamlFile(path.join(this.dir, META), this.meta).catch((e) => {
      throw e instanceof DataError ? e : ioError('write', path.join(this.dir, META), e);
    });
  }

  private assertOpen(): void {
    if (this.ended)
      throw new ConfigError(
        `Run ${this.runId} has ended`,
        [{ path: 'run', message: 'logged to after end()' }],
        {
          runId: this.runId,
        },
      );
  }

  private async write(sub: string, key: string, text: string, append = false): Promise<void> {
    const file = path.join(this.dir, sub, ...key.split('/'));
    try {
      await mkdir(path.dirname(file), { recursive: true });
      await (append ? appendFile(file, text, 'utf8') : writeFile(file, text, 'utf8'));
    } catch (cause) {
      throw ioError('write', file, cause);
    }
  }

  async logParams(params: Record<string, ParamValue>): Promise<void> {
    this.assertOpen();
    assertKeys(Object.keys(params), 'param');
    for (const [key, raw] of Object.entries(params)) {
      const value = truncate(raw === null ? '' : pythonStr(raw), MAX_PARAM_VALUE_LENGTH);
      const file = path.join(this.dir, 'params', ...key.split('/'));
      const current = await readFile(file, 'utf8').catch(() => undefined);
      if (current !== undefined && current !== value)
        throw new ConfigError(
          `Param "${key}" was already logged with value "${current}" for run ${this.runId}; got "${value}"`,
          [{ path: key, message: 'changing param values is not allowed' }],
          { runId: this.runId },
        );
      await this.write('params', key, value);
    }
  }

  async logMetrics(metrics: Record<string, number>, step = 0): Promise<void> {
    this.assertOpen();
    assertKeys(Object.keys(metrics), 'metric');
    if (!Number.isInteger(step))
      throw new ConfigError(`Metric step must be an integer, got ${step}`, [
        { path: 'step', message: 'not an integer' },
      ]);
    const timestamp = Math.trunc(this.store.now());
    for (const [key, value] of Object.entries(metrics)) {
      if (typeof value !== 'number')
        throw new ConfigError(`Metric "${key}" must be a number, got ${typeof value}`, [
          { path: key, message: 'expected number' },
        ]);
      await this.write('metrics', key, `${timestamp} ${pythonFloat(value)} ${step}\n`, true);
    }
  }

  async setTags(tags: Record<string, string>): Promise<void> {
    this.assertOpen();
    assertKeys(Object.keys(tags), 'tag');
    for (const [key, value] of Object.entries(tags)) {
      const text = truncate(value, MAX_TAG_VALUE_LENGTH);
      await this.write('tags', key, text);
      if (key === SYSTEM_TAGS.runName && this.meta['run_name'] !== text) {
        this.meta['run_name'] = text;
        await this.writeMeta();
      }
    }
  }

  async logArtifact(name: string, content: Uint8Array | string): Promise<void> {
    this.assertOpen();
    const problem = name.split('/').some((s) => s === '' || s === '.' || s === '..') || path.isAbsolute(name);
    if (problem)
      throw new ConfigError(`Invalid artifact path "${name}"`, [
        { path: name, message: 'must be a relative path without empty, "." or ".." segments' },
      ]);
    const file = path.join(fileURLToPath(this.artifactUri), ...name.split('/'));
    try {
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, content);
    } catch (cause) {
      throw ioError('write', file, cause);
    }
  }

  async logInput(dataset: DatasetInput): Promise<void> {
    this.assertOpen();
    if (dataset.digest === '' || dataset.digest.length > MAX_DATASET_DIGEST_LENGTH)
      throw new ConfigError(
        `Dataset digest "${dataset.digest}" must be 1 to ${MAX_DATASET_DIGEST_LENGTH} characters`,
        [{ path: 'digest', message: `must be 1 to ${MAX_DATASET_DIGEST_LENGTH} characters` }],
      );
    const tagProblems = Object.keys(dataset.tags ?? {}).filter((k) => keyProblem(k) !== undefined);
    if (tagProblems.length > 0) assertKeys(tagProblems, 'input tag');
    const experimentDir = path.dirname(this.dir);
    const datasetId = md5(dataset.name, dataset.digest);
    const datasetDir = path.join(experimentDir, 'datasets', datasetId);
    if (!(await exists(datasetDir)))
      await writeYamlFile(path.join(datasetDir, META), {
        digest: dataset.digest,
        name: dataset.name,
        profile: dataset.profile ?? null,
        schema: dataset.schema ?? null,
        source: dataset.source,
        source_type: dataset.sourceType,
      });
    const inputDir = path.join(this.dir, 'inputs', md5(datasetId, this.runId));
    if (!(await exists(inputDir)))
      // `_FileStoreInput.write_yaml` stores `destination_id: self.source_id` (the dataset id) — kept as MLflow does.
      await writeYamlFile(path.join(inputDir, META), {
        destination_id: datasetId,
        destination_type: 'RUN',
        source_id: datasetId,
        source_type: 'DATASET',
        tags: dataset.tags ?? {},
      });
  }

  async end(status: Exclude<RunStatus, 'RUNNING' | 'SCHEDULED'> = 'FINISHED'): Promise<void> {
    this.assertOpen();
    this.meta['status'] = RUN_STATUS[status];
    this.meta['end_time'] = this.store.now();
    await this.writeMeta();
    this.ended = true;
  }
}
