/** Worker thread: decodes the Parquet columns it is sent and posts them back (see parquet-decode.ts). */
import { parentPort } from 'node:worker_threads';
import { decodeColumns } from './parquet-decode.js';

parentPort!.once('message', async ({ bytes, names }: { bytes: ArrayBuffer; names: string[] }) => {
  try {
    parentPort!.postMessage({ ok: true, data: await decodeColumns(bytes, names) });
  } catch (error) {
    parentPort!.postMessage({ ok: false, message: error instanceof Error ? error.message : String(error) });
  }
});
