/** Parquet columns through hyparquet into an Arrow table with the loader's raw layout. */
import { Float64, makeVector, Table, Utf8, vectorFromArray } from 'apache-arrow';
import { type FileMetaData, parquetMetadata, parquetSchema } from 'hyparquet';
import { DataError } from '../../runtime/errors.js';
import { decodeColumnsInThread } from './parquet-decode.js';

/** How a raw column reaches SQL: text to parse, plain numbers, or epoch ms from a typed timestamp. */
export type RawKind = 'text' | 'number' | 'timestamp';

/** An opened Parquet file: its top-level columns and a reader for the ones needed. */
export interface ParquetFile {
  readonly columns: readonly string[];
  readonly rows: number;
  /** `__row` (1-based), `traw` and `r0..rk` as an Arrow table, with the kind of each raw column. */
  read(
    timeColumn: string,
    columns: readonly string[],
  ): Promise<{ table: Table; timeKind: RawKind; kinds: RawKind[] }>;
}

function kindOf(element: FileMetaData['schema'][number], column: string, path: string): RawKind {
  const { type, converted_type: converted, logical_type: logical } = element;
  if (logical?.type === 'TIMESTAMP' || logical?.type === 'DATE' || type === 'INT96') return 'timestamp';
  if (converted === 'TIMESTAMP_MILLIS' || converted === 'TIMESTAMP_MICROS' || converted === 'DATE')
    return 'timestamp';
  if (type === 'BYTE_ARRAY' || type === 'FIXED_LEN_BYTE_ARRAY') return 'text';
  if (type === 'INT32' || type === 'INT64' || type === 'FLOAT' || type === 'DOUBLE' || type === 'BOOLEAN')
    return 'number';
  throw new DataError(
    `column "${column}" in ${path} has Parquet type ${String(logical?.type ?? type ?? 'group')}, which is not a time, number or text`,
    { path, column, type: logical?.type ?? type },
    undefined,
    'FORMAT_UNSUPPORTED',
  );
}

function toVector(values: ArrayLike<unknown>, kind: RawKind) {
  if (kind === 'text') {
    return vectorFromArray(
      Array.from(values, (v) => (v == null ? null : String(v))),
      new Utf8(),
    );
  }
  return vectorFromArray(
    Array.from(values, (v) => (v == null ? null : Number(v))),
    new Float64(),
  );
}

/** Parse the footer of a Parquet file held in memory. */
export function openParquet(bytes: ArrayBuffer, path: string): ParquetFile {
  let metadata: FileMetaData;
  try {
    metadata = parquetMetadata(bytes);
  } catch (error) {
    throw new DataError(
      `${path} is not a readable Parquet file: ${(error as Error).message}`,
      { path },
      error,
    );
  }
  const tree = parquetSchema(metadata);
  const elements = new Map(tree.children.map((child) => [child.element.name, child]));
  return {
    columns: [...elements.keys()],
    rows: Number(metadata.num_rows),
    async read(timeColumn, columns) {
      const names = [timeColumn, ...columns];
      const kinds = names.map((name) => {
        const node = elements.get(name)!;
        if (node.children.length > 0) return kindOf({ name }, name, path);
        return kindOf(node.element, name, path);
      });
      const rows = Number(metadata.num_rows);
      const data = await decodeColumnsInThread(bytes, names, path);
      const arrays: Record<string, ReturnType<typeof toVector>> = {
        __row: makeVector(Float64Array.from({ length: rows }, (_, i) => i + 1)),
      };
      data.forEach((values, i) => {
        arrays[i === 0 ? 'traw' : `r${i - 1}`] = toVector(values, kinds[i]!);
      });
      const [timeKind, ...rest] = kinds as [RawKind, ...RawKind[]];
      return { table: new Table(arrays), timeKind, kinds: rest };
    },
  };
}
