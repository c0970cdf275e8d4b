/**
 * The slice of Cloudflare's `R2Bucket` binding the edge uses, mirrored as structural types so the
 * R2 store also runs over Miniflare's bucket in Node (local publish) without Workers type packages.
 */

/** Metadata of a stored object (`R2Object`). */
export interface R2ObjectLike {
  readonly key: string;
  /** Unquoted etag; `httpEtag` is the quoted form. */
  readonly etag: string;
  readonly size: number;
  readonly uploaded: Date;
}

/** An object with its body (`R2ObjectBody`). */
export interface R2ObjectBodyLike extends R2ObjectLike {
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** `R2Conditional`: the write or read happens only when these hold. */
export interface R2ConditionalLike {
  etagMatches?: string;
  etagDoesNotMatch?: string;
}

export interface R2PutOptionsLike {
  onlyIf?: R2ConditionalLike;
  httpMetadata?: { contentType?: string };
}

export interface R2ListOptionsLike {
  prefix?: string;
  cursor?: string;
  limit?: number;
}

export interface R2ObjectsLike {
  objects: R2ObjectLike[];
  truncated: boolean;
  cursor?: string;
}

/** `R2Bucket` as the Workers runtime (and Miniflare's `getR2Bucket`) provides it. */
export interface R2BucketLike {
  get(key: string): Promise<R2ObjectBodyLike | null>;
  head(key: string): Promise<R2ObjectLike | null>;
  /** Resolves to `null` when `onlyIf` did not hold. */
  put(
    key: string,
    value: ArrayBuffer | ArrayBufferView | string,
    options?: R2PutOptionsLike,
  ): Promise<R2ObjectLike | null>;
  list(options?: R2ListOptionsLike): Promise<R2ObjectsLike>;
  delete(keys: string | string[]): Promise<void>;
}
