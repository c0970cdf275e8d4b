/** CheckpointStore over R2's S3-compatible API: SigV4 (aws4fetch), path-style URLs, conditional PUTs. */
import { createHash } from 'node:crypto';
import { AwsClient } from 'aws4fetch';
import { XMLParser } from 'fast-xml-parser';
import { z } from 'zod';
import { assertSafeKey } from '../runtime/checkpoint/keys.js';
import type { CheckpointStore, ObjectInfo, PutOptions } from '../runtime/checkpoint/store.js';
import { CheckpointError, ConfigError } from '../runtime/errors.js';

/** Bucket, endpoint and credentials of an S3-API store (R2). */
export interface S3StoreOptions {
  /** Bucket name, e.g. `twiga-checkpoints`. */
  bucket: string;
  /** Service origin without the bucket, e.g. `https://<account id>.r2.cloudflarestorage.com`. */
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Folder inside the bucket holding the checkpoints; a missing trailing `/` is added. Default none. */
  prefix?: string;
  /** SigV4 region. Default `auto` (what R2 expects). */
  region?: string;
  /** Retries of a request answered 5xx or 429, with jittered backoff. Default 3. */
  retries?: number;
}

const BODY_EXCERPT = 300;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/**
 * ListObjectsV2 answers are XML. A parser rather than regexes: keys arrive entity-encoded (`&amp;`,
 * `&#x…;`), a page with one `<Contents>` and one with many must read alike, and values must stay strings
 * (`parseTagValue: false`, or a key `0001` would become the number 1).
 */
const xml = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: false,
  isArray: (name) => name === 'Contents',
});

const ListPage = z.object({
  ListBucketResult: z.object({
    Contents: z.array(z.object({ Key: z.string() })).default([]),
    IsTruncated: z.enum(['true', 'false']).default('false'),
    NextContinuationToken: z.string().optional(),
  }),
});

const unquote = (etag: string): string => etag.replace(/^(W\/)?"(.*)"$/, '$2');
const encodePath = (key: string): string =>
  key
    .split('/')
    .map((s) =>
      encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
    )
    .join('/');

/** `<Error><Code>…</Code><Message>…</Message></Error>` → "Code: Message", when the body is one. */
function s3ErrorText(body: string): string | undefined {
  try {
    const parsed = xml.parse(body) as { Error?: { Code?: unknown; Message?: unknown } };
    const { Code, Message } = parsed.Error ?? {};
    if (typeof Code !== 'string') return undefined;
    return typeof Message === 'string' && Message !== '' ? `${Code}: ${Message}` : Code;
  } catch {
    return undefined;
  }
}

/**
 * A CheckpointStore over any S3-compatible endpoint; made for Cloudflare R2's
 * (`https://<account id>.r2.cloudflarestorage.com`), used by `twiga-edge publish --bucket`.
 *
 * Requests are signed with SigV4 (service `s3`, region `auto`) and address objects path-style,
 * `<endpoint>/<bucket>/<key>`. Etags are returned unquoted, so they equal the R2 binding's (`R2Object.etag`,
 * the MD5 of a single-part upload). `put` with `ifMatch` sends `If-Match: "<etag>"`, or `If-None-Match: *`
 * for `null`; the service checks it atomically with the write, and a 412 (or S3's 409
 * `ConditionalRequestConflict`) resolves to `undefined`. Payloads are signed with their sha256.
 * Failures are CheckpointError carrying `status`, `key`, the S3 error code and a body excerpt in `context`:
 * CHECKPOINT_NOT_FOUND when the service cannot be reached or refuses (403, 404 bucket, 5xx),
 * CHECKPOINT_CORRUPT when a listing cannot be read.
 * @example
 * const store = new S3CheckpointStore({
 *   bucket: 'twiga-checkpoints',
 *   endpoint: `https://${accountId}.r2.cloudflarestorage.com`,
 *   accessKeyId, secretAccessKey,
 * });
 * await loadCheckpoint(store, 'twiga');
 */
export class S3CheckpointStore implements CheckpointStore {
  readonly #client: AwsClient;
  readonly #base: string;
  readonly #prefix: string;

  /** @param options bucket, endpoint, credentials, prefix, region (default `auto`), retries (default 3). */
  constructor(options: S3StoreOptions) {
    const folder = (options.prefix ?? '').replace(/\/+$/, '');
    if (folder !== '') assertSafeKey(folder, 'prefix');
    if (!BUCKET.test(options.bucket)) {
      const message = `expected 3-63 lowercase letters, digits, "." or "-", got "${options.bucket}"`;
      throw new ConfigError(`Invalid bucket name: ${message}`, [{ path: 'bucket', message }]);
    }
    this.#prefix = folder === '' ? '' : `${folder}/`;
    this.#base = `${options.endpoint.replace(/\/+$/, '')}/${options.bucket}`;
    this.#client = new AwsClient({
      accessKeyId: options.accessKeyId,
      secretAccessKey: options.secretAccessKey,
      service: 's3',
      region: options.region ?? 'auto',
      retries: options.retries ?? 3,
    });
  }

  async get(key: string): Promise<{ bytes: Uint8Array; etag: string } | undefined> {
    const response = await this.#send('GET', key);
    if (response.status === 404) return undefined;
    await this.#expect(response, 'GET', key);
    return { bytes: new Uint8Array(await response.arrayBuffer()), etag: this.#etag(response, 'GET', key) };
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const response = await this.#send('HEAD', key);
    if (response.status === 404) return undefined;
    await this.#expect(response, 'HEAD', key);
    const size = Number(response.headers.get('content-length') ?? Number.NaN);
    return { key, etag: this.#etag(response, 'HEAD', key), size };
  }

  async put(key: string, bytes: Uint8Array, options: PutOptions = {}): Promise<string | undefined> {
    const headers: Record<string, string> = {
      'content-type': key.endsWith('.json') ? 'application/json' : 'application/octet-stream',
      'x-amz-content-sha256': createHash('sha256').update(bytes).digest('hex'),
    };
    if (options.ifMatch === null) headers['if-none-match'] = '*';
    else if (typeof options.ifMatch === 'string') headers['if-match'] = `"${options.ifMatch}"`;
    const response = await this.#send('PUT', key, { headers, body: bytes });
    if (response.status === 412 || response.status === 409 || response.status === 404) {
      const body = await response.text();
      const code = s3ErrorText(body)?.split(':')[0];
      // A condition that did not hold: 412; S3's 409 when two conditional writes race (re-read, as after a
      // 412); and, on some implementations, 404 NoSuchKey for `If-Match` on a key that does not exist.
      if (response.status === 412 || code === 'ConditionalRequestConflict') return undefined;
      if (code === 'NoSuchKey' && typeof options.ifMatch === 'string') return undefined;
      throw this.#failure(response.status, 'PUT', key, body);
    }
    await this.#expect(response, 'PUT', key);
    await response.body?.cancel();
    return this.#etag(response, 'PUT', key);
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const url = new URL(this.#base);
      url.searchParams.set('list-type', '2');
      url.searchParams.set('prefix', this.#prefix + prefix);
      if (token !== undefined) url.searchParams.set('continuation-token', token);
      const response = await this.#fetch('GET', url, prefix);
      const body = await response.text();
      if (!response.ok) throw this.#failure(response.status, 'LIST', prefix, body);
      const page = this.#parseList(body, prefix);
      for (const { Key } of page.Contents) keys.push(Key.slice(this.#prefix.length));
      token = page.IsTruncated === 'true' ? page.NextContinuationToken : undefined;
      if (page.IsTruncated === 'true' && token === undefined) {
        throw this.#corrupt(prefix, 'IsTruncated is true but NextContinuationToken is missing', body);
      }
    } while (token !== undefined);
    return keys.sort();
  }

  async delete(key: string): Promise<void> {
    const response = await this.#send('DELETE', key);
    if (response.status === 404) return;
    await this.#expect(response, 'DELETE', key);
    await response.body?.cancel();
  }

  describe(key: string): string {
    return `${this.#base}/${this.#prefix}${key}`;
  }

  #send(
    method: string,
    key: string,
    init: { headers?: Record<string, string>; body?: Uint8Array } = {},
  ): Promise<Response> {
    assertSafeKey(key);
    return this.#fetch(method, new URL(`${this.#base}/${encodePath(this.#prefix + key)}`), key, init);
  }

  async #fetch(
    method: string,
    url: URL,
    key: string,
    init: { headers?: Record<string, string>; body?: Uint8Array } = {},
  ): Promise<Response> {
    const headers = { 'x-amz-content-sha256': EMPTY_SHA256, ...init.headers };
    try {
      return await this.#client.fetch(url, {
        method,
        headers,
        ...(init.body === undefined ? {} : { body: init.body }),
      });
    } catch (cause) {
      const reason =
        cause instanceof Error ? ((cause.cause as Error | undefined)?.message ?? cause.message) : '';
      throw new CheckpointError(
        'CHECKPOINT_NOT_FOUND',
        `${method} ${this.describe(key)} failed: could not reach ${url.origin}${reason ? ` (${reason})` : ''}`,
        { method, key, location: this.describe(key) },
        cause,
      );
    }
  }

  async #expect(response: Response, method: string, key: string): Promise<void> {
    if (response.ok) return;
    throw this.#failure(response.status, method, key, method === 'HEAD' ? '' : await response.text());
  }

  #etag(response: Response, method: string, key: string): string {
    const etag = response.headers.get('etag');
    if (etag) return unquote(etag);
    throw this.#corrupt(key, `${method} answered ${response.status} without an ETag header`, '');
  }

  #parseList(body: string, prefix: string): z.output<typeof ListPage>['ListBucketResult'] {
    let parsed: unknown;
    try {
      parsed = xml.parse(body);
    } catch (cause) {
      throw this.#corrupt(prefix, `unreadable ListObjectsV2 XML (${(cause as Error).message})`, body);
    }
    const result = ListPage.safeParse(parsed);
    if (!result.success) throw this.#corrupt(prefix, 'not a ListObjectsV2 result', body);
    return result.data.ListBucketResult;
  }

  #failure(status: number, method: string, key: string, body: string): CheckpointError {
    const excerpt = body.slice(0, BODY_EXCERPT);
    const s3 = s3ErrorText(body);
    const code = s3?.split(':')[0];
    const detail = s3 ?? (excerpt === '' ? 'no body' : excerpt.replace(/\s+/g, ' '));
    return new CheckpointError(
      'CHECKPOINT_NOT_FOUND',
      `${method} ${this.describe(key)} failed with HTTP ${status} (${detail})`,
      { status, method, key, location: this.describe(key), ...(code ? { code } : {}), body: excerpt },
    );
  }

  #corrupt(key: string, reason: string, body: string): CheckpointError {
    return new CheckpointError('CHECKPOINT_CORRUPT', `${this.describe(key)}: ${reason}`, {
      key,
      location: this.describe(key),
      body: body.slice(0, BODY_EXCERPT),
    });
  }
}

const required = (name: string, what: string) =>
  z.string({ error: `missing: set ${name} to ${what}` }).min(1, `empty: set ${name} to ${what}`);

const CredentialsSchema = z.object({
  R2_ACCESS_KEY_ID: required('R2_ACCESS_KEY_ID', 'an R2 API token’s access key id'),
  R2_SECRET_ACCESS_KEY: required('R2_SECRET_ACCESS_KEY', 'that token’s secret access key'),
});
const AccountSchema = z.object({
  R2_ACCOUNT_ID: required('R2_ACCOUNT_ID', 'your Cloudflare account id (or pass --endpoint)').regex(
    /^[A-Za-z0-9-]+$/,
    'expected letters, digits and "-" only',
  ),
});
const EndpointSchema = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' });

/**
 * An {@link S3CheckpointStore} for an R2 bucket, credentials from the environment: `R2_ACCESS_KEY_ID`,
 * `R2_SECRET_ACCESS_KEY`, and `R2_ACCOUNT_ID` unless `endpoint` is given. Secret values never appear in
 * errors; a missing variable is a ConfigError naming it.
 * @param options `bucket`; `endpoint` (default `https://<R2_ACCOUNT_ID>.r2.cloudflarestorage.com`); `prefix`.
 * @param env where to read the variables. Default `process.env`.
 * @example
 * const store = s3StoreFromEnv({ bucket: 'twiga-checkpoints' });
 */
export function s3StoreFromEnv(
  options: { bucket: string; endpoint?: string; prefix?: string; retries?: number },
  env: Record<string, string | undefined> = process.env,
): S3CheckpointStore {
  const issues: Array<{ path: string; message: string }> = [];
  const collect = (result: z.ZodSafeParseResult<unknown>, prefix = '') => {
    if (result.success) return;
    for (const issue of result.error.issues) {
      const path = prefix || String(issue.path[0] ?? '(root)');
      issues.push({ path, message: issue.message });
    }
  };
  const credentials = CredentialsSchema.safeParse(env);
  collect(credentials);
  let endpoint = options.endpoint;
  if (endpoint === undefined) {
    const account = AccountSchema.safeParse(env);
    collect(account);
    if (account.success) endpoint = `https://${account.data.R2_ACCOUNT_ID}.r2.cloudflarestorage.com`;
  } else {
    collect(EndpointSchema.safeParse(endpoint), 'endpoint');
  }
  if (issues.length > 0 || !credentials.success || endpoint === undefined) {
    const lines = issues.map((i) => `  - ${i.path}: ${i.message}`).join('\n');
    throw new ConfigError(`Cannot reach R2 bucket "${options.bucket}":\n${lines}`, issues, {
      bucket: options.bucket,
    });
  }
  return new S3CheckpointStore({
    bucket: options.bucket,
    endpoint,
    accessKeyId: credentials.data.R2_ACCESS_KEY_ID,
    secretAccessKey: credentials.data.R2_SECRET_ACCESS_KEY,
    ...(options.prefix === undefined ? {} : { prefix: options.prefix }),
    ...(options.retries === undefined ? {} : { retries: options.retries }),
  });
}
