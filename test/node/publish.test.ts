/** `twiga-edge publish`: to the local R2 state wrangler dev reads (through the real CLI), and the S3 store. */
import { createHash } from 'node:crypto';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fitForecaster } from '../../src/node/fit.js';
import { FsCheckpointStore } from '../../src/node/fs-store.js';
import { memoryLogger } from '../../src/node/log.js';
import { openLocalR2, type PublishSummary, publish, publishCheckpoint } from '../../src/node/publish.js';
import { S3CheckpointStore, s3StoreFromEnv } from '../../src/node/s3-store.js';
import { loadCheckpoint, saveCheckpoint } from '../../src/runtime/checkpoint/checkpoint.js';
import { MemoryCheckpointStore } from '../../src/runtime/checkpoint/memory-store.js';
import { CheckpointError, ConfigError } from '../../src/runtime/errors.js';
import { PIPELINE_FILE } from '../../src/runtime/forecaster-files.js';
import { createOnnxEngine } from '../../src/runtime/onnx/engine.js';
import { PipelineConfigSchema } from '../../src/runtime/schemas/pipeline-config.js';
import { syntheticFrame, syntheticNetLoad } from '../../src/runtime/synthetic.js';
import { type CliResult, runCli } from './cli-run.js';
import { tempFiles } from './data/fixtures.js';

const tmp = tempFiles();
const root = join(tmp.dir, 'checkpoints');
const checkpoint = join(root, 'twiga');
const state = join(tmp.dir, 'state');

/** A real, small checkpoint: a ridge model on 20 days of synthetic net load, saved like `train` saves. */
async function saveLinearVersion(alpha: number): Promise<number> {
  const frame = syntheticFrame(syntheticNetLoad({ days: 20 }));
  const pipelineConfig = PipelineConfigSchema.parse({
    target: 'net_load',
    period: '30min',
    horizon: '6h',
    lookback: '1D',
  });
  const fit = await fitForecaster({
    frame,
    pipelineConfig,
    models: [{ name: 'linear', alpha }],
    trainEnd: 16 * 48,
    valFraction: 0.25,
    ensemble: 'mean',
    engine: createOnnxEngine(),
    logger: memoryLogger(),
  });
  const saved = await saveCheckpoint(new FsCheckpointStore(root), 'twiga', fit.files, {
    modelType: 'ensemble[linear]',
    checkpointFile: PIPELINE_FILE,
  });
  return saved.version;
}

const summaryOf = (r: CliResult): PublishSummary => {
  if (r.code !== 0) throw new Error(`publish exited ${r.code}:\n${r.stderr}`);
  return JSON.parse(r.stdout) as PublishSummary;
};

/** Open the persisted local bucket in a fresh Miniflare, as `wrangler dev --persist-to` would. */
async function withLocal<T>(fn: (store: Awaited<ReturnType<typeof openLocalR2>>['store']) => Promise<T>) {
  const local = await openLocalR2(state);
  try {
    return await fn(local.store);
  } finally {
    await local.dispose();
  }
}

/** A copy of the checkpoint with one byte of its model flipped. */
function corruptCopy(): string {
  const bad = join(tmp.dir, 'bad', 'broken');
  cpSync(checkpoint, bad, { recursive: true });
  const onnx = join(bad, 'v0001', 'linear.onnx');
  const bytes = readFileSync(onnx);
  bytes[bytes.length - 1] ^= 0xff;
  writeFileSync(onnx, bytes);
  return bad;
}

let cli: CliResult;
let corrupt: CliResult;
beforeAll(async () => {
  await saveLinearVersion(1);
  // The two CLI runs are independent (separate state folders): run them side by side.
  [cli, corrupt] = await Promise.all([
    runCli(['publish', '--checkpoint', checkpoint, '--local', '--persist-to', state]),
    runCli(['publish', '--checkpoint', corruptCopy(), '--local', '--persist-to', `${state}-bad`]),
  ]);
});
afterAll(() => tmp.cleanup());

describe('twiga-edge publish --local', () => {
  let first: PublishSummary;

  it('copies every file and then the manifest into the local R2 state, byte for byte', async () => {
    expect(cli.stderr).toBe('');
    first = summaryOf(cli);
    expect(first).toMatchObject({
      name: 'twiga',
      source: checkpoint,
      destination: 'r2://twiga-checkpoints/twiga',
      version: 1,
      versions: [1],
      objects_skipped: 0,
      manifest: 'written',
      previous_version: null,
      persist_to: state,
    });
    const source = new FsCheckpointStore(root);
    const sourceKeys = await source.list('twiga/');
    expect(first.objects_written).toBe(sourceKeys.length);
    const expected = await loadCheckpoint(source, 'twiga');
    await withLocal(async (store) => {
      expect(await store.list('twiga/')).toEqual(sourceKeys);
      const loaded = await loadCheckpoint(store, 'twiga');
      expect(loaded.fallback).toBeUndefined();
      expect(loaded.manifest).toEqual(expected.manifest);
      expect(Object.keys(loaded.files)).toEqual(Object.keys(expected.files));
      for (const [file, bytes] of Object.entries(expected.files)) {
        expect(createHash('sha256').update(loaded.files[file]!).digest('hex')).toBe(
          expected.manifest.files[file]!.sha256,
        );
        expect(Buffer.from(loaded.files[file]!).equals(Buffer.from(bytes))).toBe(true);
      }
      const manifest = await store.get('twiga/_checkpoint_manifest.json');
      expect(
        Buffer.from(manifest!.bytes).equals(readFileSync(join(checkpoint, '_checkpoint_manifest.json'))),
      ).toBe(true);
    });
  });

  it('skips everything when published again', async () => {
    expect(await publish({ checkpoint, local: true, persistTo: state })).toMatchObject({
      objects_written: 0,
      objects_skipped: first.objects_written,
      bytes_written: 0,
      manifest: 'unchanged',
      previous_version: 1,
    });
  });

  it('refuses a corrupted source, naming the file, and writes nothing', async () => {
    const r = corrupt;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/CheckpointError: .*failed verification/);
    expect(r.stderr).toContain('linear.onnx: sha256 mismatch');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const local = await openLocalR2(`${state}-bad`);
    expect(await local.store.list('')).toEqual([]);
    await local.dispose();
  });

  it('publishes a later version: manifest updated, the old version still complete', async () => {
    expect(await saveLinearVersion(10)).toBe(2);
    const second = await publish({ checkpoint, local: true, persistTo: state });
    expect(second).toMatchObject({ version: 2, versions: [1, 2], manifest: 'written', previous_version: 1 });
    expect(second.objects_skipped).toBe(first.objects_written - 1);
    await withLocal(async (store) => {
      const loaded = await loadCheckpoint(store, 'twiga');
      expect(loaded.version).toBe(2);
      expect(loaded.manifest.history.map((h) => h.version)).toEqual([1, 2]);
      expect((await loadCheckpoint(store, 'twiga', { version: 1 })).version).toBe(1);
    });
  });

  it('never overwrites a differing immutable file, and says which', async () => {
    const dest = new MemoryCheckpointStore('dest');
    await dest.put('other/v0001/linear.onnx', new Uint8Array([1, 2, 3]));
    const error = await publishCheckpoint({ checkpoint, destination: dest, name: 'other' }).catch((e) => e);
    expect(error).toMatchObject({ name: 'CheckpointConflictError', code: 'CHECKPOINT_CONFLICT' });
    expect(error.message).toContain('memory://dest/other/v0001/linear.onnx');
    expect(await dest.list('other/')).toEqual(['other/v0001/linear.onnx']);
  });

  it('asks for exactly one destination', async () => {
    await expect(publish({ checkpoint })).rejects.toThrow(/expected --local or --bucket <name>/);
    await expect(publish({ checkpoint, local: true, bucket: 'b' })).rejects.toBeInstanceOf(ConfigError);
  });
});

interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

const s3Error = (status: number, code: string): Reply => ({
  status,
  headers: { 'content-type': 'application/xml' },
  body: `<?xml version="1.0"?><Error><Code>${code}</Code><Message>fake</Message></Error>`,
});

/**
 * A fake standing in for R2's S3-compatible endpoint, for the protocol only: path-style
 * `/<bucket>/<key>`, GET/HEAD/PUT/DELETE, `If-Match` / `If-None-Match: *` answered 412, ListObjectsV2
 * with continuation tokens (two keys a page), XML bodies. It checks the shape of the SigV4 Authorization
 * header and that host, x-amz-date and x-amz-content-sha256 are signed, but not the signature itself.
 */
class FakeS3 {
  readonly objects = new Map<string, { bytes: Buffer; etag: string }>();
  readonly seen: Array<{ method: string; url: string; headers: IncomingMessage['headers'] }> = [];
  server!: Server;
  endpoint = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.handle(req, Buffer.concat(chunks), res));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  handle(req: IncomingMessage, body: Buffer, res: ServerResponse): void {
    const { method = 'GET', headers } = req;
    this.seen.push({ method, url: req.url ?? '', headers });
    const reply = this.answer(method, new URL(req.url ?? '/', this.endpoint), headers, body);
    res.writeHead(reply.status, reply.headers ?? {});
    res.end(method === 'HEAD' ? undefined : reply.body);
  }

  answer(method: string, url: URL, headers: IncomingMessage['headers'], body: Buffer): Reply {
    const auth =
      /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/auto\/s3\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=[0-9a-f]{64}$/.exec(
        headers.authorization ?? '',
      );
    const signed = auth?.[3]?.split(';') ?? [];
    const date = headers['x-amz-date'];
    if (!auth || !['host', 'x-amz-date', 'x-amz-content-sha256'].every((h) => signed.includes(h))) {
      return s3Error(403, 'SignatureDoesNotMatch');
    }
    if (typeof date !== 'string' || !/^\d{8}T\d{6}Z$/.test(date) || !date.startsWith(auth[2]!)) {
      return s3Error(403, 'SignatureDoesNotMatch');
    }
    if (auth[1] !== 'AKIDTEST') return s3Error(403, 'InvalidAccessKeyId');
    const [, bucket, ...rest] = url.pathname.split('/');
    if (bucket !== 'twiga-checkpoints') return s3Error(404, 'NoSuchBucket');
    const key = decodeURIComponent(rest.join('/'));
    if (method === 'GET' && key === '') return this.list(url);
    const current = this.objects.get(key);
    if (method === 'GET' || method === 'HEAD') {
      if (!current) return s3Error(404, 'NoSuchKey');
      const found = { etag: `"${current.etag}"`, 'content-length': String(current.bytes.length) };
      return { status: 200, headers: found, body: current.bytes };
    }
    if (method === 'PUT') {
      if (headers['x-amz-content-sha256'] !== createHash('sha256').update(body).digest('hex')) {
        return s3Error(400, 'XAmzContentSHA256Mismatch');
      }
      if (headers['if-none-match'] === '*' && current) return s3Error(412, 'PreconditionFailed');
      if (headers['if-match'] !== undefined && headers['if-match'] !== `"${current?.etag}"`) {
        return s3Error(412, 'PreconditionFailed');
      }
      const etag = createHash('md5').update(body).digest('hex');
      this.objects.set(key, { bytes: body, etag });
      return { status: 200, headers: { etag: `"${etag}"` } };
    }
    if (method === 'DELETE') {
      this.objects.delete(key);
      return { status: 204 };
    }
    return s3Error(405, 'MethodNotAllowed');
  }

  list(url: URL): Reply {
    if (url.searchParams.get('list-type') !== '2') return s3Error(400, 'InvalidArgument');
    const prefix = url.searchParams.get('prefix') ?? '';
    const after = Buffer.from(url.searchParams.get('continuation-token') ?? '', 'base64url').toString();
    const keys = [...this.objects.keys()].filter((k) => k.startsWith(prefix) && k > after).sort();
    const page = keys.slice(0, 2);
    const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    const truncated = keys.length > page.length;
    const token = Buffer.from(page.at(-1) ?? '').toString('base64url');
    const xml =
      '<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
      `<Name>twiga-checkpoints</Name><Prefix>${esc(prefix)}</Prefix><KeyCount>${page.length}</KeyCount>` +
      page.map((k) => `<Contents><Key>${esc(k)}</Key><Size>1</Size></Contents>`).join('') +
      `<IsTruncated>${truncated}</IsTruncated>` +
      (truncated ? `<NextContinuationToken>${token}</NextContinuationToken>` : '') +
      '</ListBucketResult>';
    return { status: 200, headers: { 'content-type': 'application/xml' }, body: xml };
  }
}

describe('S3CheckpointStore (against a fake S3 endpoint)', () => {
  const fake = new FakeS3();
  let store: S3CheckpointStore;
  const bytes = (s: string) => new TextEncoder().encode(s);
  beforeAll(async () => {
    await fake.start();
    store = new S3CheckpointStore({
      bucket: 'twiga-checkpoints',
      endpoint: fake.endpoint,
      accessKeyId: 'AKIDTEST',
      secretAccessKey: 'sekret-value',
      prefix: 'models',
      retries: 0,
    });
  });
  afterAll(() => fake.stop());

  it('puts, gets and heads path-style with unquoted etags; conditional puts answer 412 as undefined', async () => {
    const etag = await store.put('a/x.json', bytes('{"v":1}'), { ifMatch: null });
    expect(etag).toBe(createHash('md5').update('{"v":1}').digest('hex'));
    expect(fake.seen.at(-1)).toMatchObject({ method: 'PUT', url: '/twiga-checkpoints/models/a/x.json' });
    expect(fake.seen.at(-1)!.headers['if-none-match']).toBe('*');
    expect(fake.seen.at(-1)!.headers.authorization).toMatch(
      /SignedHeaders=host;if-none-match;x-amz-content-sha256;x-amz-date,/,
    );
    expect(await store.put('a/x.json', bytes('{"v":2}'), { ifMatch: null })).toBeUndefined();
    expect(await store.put('a/x.json', bytes('{"v":2}'), { ifMatch: 'stale' })).toBeUndefined();
    const next = await store.put('a/x.json', bytes('{"v":2}'), { ifMatch: etag! });
    expect(fake.seen.at(-1)!.headers['if-match']).toBe(`"${etag}"`);
    expect(await store.get('a/x.json')).toEqual({ bytes: bytes('{"v":2}'), etag: next });
    expect(await store.head('a/x.json')).toEqual({ key: 'a/x.json', etag: next, size: 7 });
    expect(await store.get('a/missing')).toBeUndefined();
    expect(await store.head('a/missing')).toBeUndefined();
    await store.delete('a/x.json');
    await store.delete('a/x.json');
    expect(await store.get('a/x.json')).toBeUndefined();
  });

  it('lists every page by continuation token, decoding XML entities', async () => {
    const keys = ['l/1', 'l/2', 'l/a&b <c>', 'l/d', 'l/e'];
    for (const key of keys) await store.put(key, bytes(key));
    const before = fake.seen.length;
    expect(await store.list('l/')).toEqual([...keys].sort());
    const lists = fake.seen.slice(before);
    expect(lists).toHaveLength(3);
    expect(new URL(lists[0]!.url, fake.endpoint).searchParams.get('prefix')).toBe('models/l/');
    expect(new URL(lists[2]!.url, fake.endpoint).searchParams.get('continuation-token')).not.toBeNull();
  });

  it('carries a published checkpoint: publish, then load with verified hashes', async () => {
    const summary = await publishCheckpoint({ checkpoint, destination: store, name: 'edge' });
    expect(summary.destination).toBe(`${fake.endpoint}/twiga-checkpoints/models/edge`);
    const loaded = await loadCheckpoint(store, 'edge');
    const expected = await loadCheckpoint(new FsCheckpointStore(root), 'twiga');
    expect(loaded.manifest).toEqual(expected.manifest);
    expect(loaded.files).toEqual(expected.files);
    expect((await publishCheckpoint({ checkpoint, destination: store, name: 'edge' })).objects_written).toBe(
      0,
    );
  });

  it('turns HTTP failures into CheckpointError with status, key and S3 code, never the secret', async () => {
    const other = new S3CheckpointStore({
      bucket: 'no-such-bucket',
      endpoint: fake.endpoint,
      accessKeyId: 'AKIDTEST',
      secretAccessKey: 'sekret-value',
      retries: 0,
    });
    const missing = await other.list('x/').catch((e) => e);
    expect(missing).toBeInstanceOf(CheckpointError);
    expect(missing.context).toMatchObject({ status: 404, key: 'x/', code: 'NoSuchBucket' });
    const denied = await new S3CheckpointStore({
      bucket: 'twiga-checkpoints',
      endpoint: fake.endpoint,
      accessKeyId: 'WRONG',
      secretAccessKey: 'sekret-value',
      retries: 0,
    })
      .get('k')
      .catch((e) => e);
    expect(denied.message).toMatch(
      /GET .*\/twiga-checkpoints\/k failed with HTTP 403 \(InvalidAccessKeyId: fake\)/,
    );
    expect(JSON.stringify({ m: denied.message, c: denied.context })).not.toContain('sekret');
  });

  it('reads credentials from the environment, naming each missing variable', () => {
    let error: ConfigError | undefined;
    try {
      s3StoreFromEnv({ bucket: 'twiga-checkpoints' }, { R2_SECRET_ACCESS_KEY: 'sekret-value' });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.issues.map((i) => i.path)).toEqual(['R2_ACCESS_KEY_ID', 'R2_ACCOUNT_ID']);
    expect(error!.message).not.toContain('sekret');
    const env = {
      R2_ACCESS_KEY_ID: 'AKIDTEST',
      R2_SECRET_ACCESS_KEY: 'sekret-value',
      R2_ACCOUNT_ID: 'abc123',
    };
    expect(s3StoreFromEnv({ bucket: 'twiga-checkpoints' }, env).describe('k')).toBe(
      'https://abc123.r2.cloudflarestorage.com/twiga-checkpoints/k',
    );
    const { R2_ACCOUNT_ID: _, ...noAccount } = env;
    expect(s3StoreFromEnv({ bucket: 'b-1', endpoint: fake.endpoint }, noAccount).describe('k')).toBe(
      `${fake.endpoint}/b-1/k`,
    );
  });
});
