/** Arrow IPC (stream or file format) bytes → columns of plain values, for `frameFromColumns`. */
import { tableFromIPC } from 'apache-arrow';
import { DataError } from '../errors.js';
import type { ColumnsInput } from './frame-input.js';

/** Media types accepted for Arrow IPC request bodies. */
export const ARROW_MEDIA_TYPES = [
  'application/vnd.apache.arrow.stream',
  'application/vnd.apache.arrow.file',
] as const;

/**
 * Decodes an Arrow IPC message into columns (nulls kept as `null`, timestamps as epoch ms or `Date`s,
 * which `frameFromColumns` accepts).
 * @throws DataError FORMAT_UNSUPPORTED when the bytes are not Arrow IPC.
 */
export function columnsFromArrowIpc(bytes: Uint8Array): ColumnsInput {
  let table: ReturnType<typeof tableFromIPC>;
  try {
    table = tableFromIPC(bytes);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new DataError(
      `body: not an Arrow IPC stream or file (${reason})`,
      { path: 'body' },
      cause,
      'FORMAT_UNSUPPORTED',
    );
  }
  if (table.schema.fields.length === 0) {
    throw new DataError(
      'body: not an Arrow IPC stream or file with columns (none found)',
      { path: 'body' },
      undefined,
      'FORMAT_UNSUPPORTED',
    );
  }
  const out: Record<string, unknown[]> = {};
  for (const field of table.schema.fields) {
    const vector = table.getChild(field.name);
    if (!vector) continue;
    try {
      out[field.name] = Array.from(vector as Iterable<unknown>);
    } catch (cause) {
      // apache-arrow refuses 64-bit values (timestamps, Int64) beyond 2^53, and damaged buffers fail here.
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new DataError(
        `${field.name}: cannot read the column's values (${reason})`,
        { path: field.name, type: String(field.type) },
        cause,
      );
    }
  }
  return out;
}
