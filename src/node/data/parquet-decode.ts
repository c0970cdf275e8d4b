/**
 * Decoding Parquet column data (hyparquet) in a worker thread with a time limit: a damaged file can make
 * the decoder loop for minutes (an RLE run length read from garbage), and synchronous code cannot be
 * interrupted on the thread that runs it. The thread is terminated when the limit passes.
 */
import { parquetMetadata, parquetRead } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { DataError } from '../../runtime/errors.js';
import { spawnWorker } from '../spawn-worker.js';

// Timestamps and dates arrive as epoch milliseconds (numbers), not Date objects.
const parsers = {
  timestampFromMilliseconds: (v: bigint) => Number(v),
  timestampFromMicroseconds: (v: bigint) => Number(v / 1000n),
  timestampFromNanoseconds: (v: bigint) => Number(v / 1_000_000n),
  dateFromDays: (days: number) => days * 86_400_000,
};

/** Decodes `names` of the Parquet file in `bytes` (in this thread): one array of values per name. */
export async function decodeColumns(bytes: ArrayBuffer, names: readonly string[]): Promise<unknown[][]> {
  const metadata = parquetMetadata(bytes);
  const rows = Number(metadata.num_rows);
  const data = names.map(() => new Array<unknown>(rows).fill(null));
  await parquetRead({
    file: bytes,
    metadata,
    columns: [...names],
    compressors,
    parsers,
    onChunk: ({ columnName, columnData, rowStart }) => {
      const target = data[names.indexOf(columnName)]!;
      for (let i = 0; i < columnData.length; i++) target[rowStart + i] = columnData[i];
    },
  });
  return data;
}

type Reply = { ok: true; data: unknown[][] } | { ok: false; message: string };

/** Time allowed to decode: generous for real files (a 145k-row file decodes in well under a second). */
export function decodeLimitMs(byteLength: number): number {
  return 15_000 + Math.ceil(byteLength / 1_000_000) * 1_000;
}

/**
 * {@link decodeColumns} in a worker thread, stopped after {@link decodeLimitMs}.
 * @throws DataError naming `path` when decoding fails or runs past the limit.
 */
export async function decodeColumnsInThread(
  bytes: ArrayBuffer,
  names: readonly string[],
  path: string,
  limitMs = decodeLimitMs(bytes.byteLength),
): Promise<unknown[][]> {
  const worker = spawnWorker(import.meta.url, 'parquet-thread');
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const reply = await new Promise<Reply>((resolve, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new DataError(
              `${path} could not be decoded as Parquet within ${limitMs / 1000} s (a damaged file?)`,
              { path, limitMs },
            ),
          ),
        limitMs,
      );
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the Parquet decoding thread exited (${code})`)));
      const copy = bytes.slice(0);
      worker.postMessage({ bytes: copy, names }, [copy]);
    });
    if (!reply.ok) throw new Error(reply.message);
    return reply.data;
  } catch (error) {
    if (error instanceof DataError) throw error;
    throw new DataError(
      `${path} is not a readable Parquet file: ${(error as Error).message}`,
      { path },
      error,
    );
  } finally {
    clearTimeout(timer);
    await worker.terminate();
  }
}
