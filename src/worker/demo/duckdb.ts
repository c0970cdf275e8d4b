/**
 * duckdb-wasm on the page (its EH bundle, ~34 MB of WASM, bundled by Vite and fetched from this origin on
 * first use): registers a CSV, reads it with `read_csv_auto` and returns the model's columns ordered by time.
 * The page imports this module dynamically, on the first CSV.
 */
import { AsyncDuckDB, type AsyncDuckDBConnection, DuckDBDataProtocol, VoidLogger } from '@duckdb/duckdb-wasm';
import workerUrl from '@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js?url';
import wasmUrl from '@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url';
import { DataError } from '../../runtime/errors.js';
import type { LoadedData } from './rows.js';

interface Duck {
  db: AsyncDuckDB;
  conn: AsyncDuckDBConnection;
}

let starting: Promise<Duck> | undefined;
let files = 0;

async function start(): Promise<Duck> {
  const db = new AsyncDuckDB(new VoidLogger(), new Worker(workerUrl));
  await db.instantiate(wasmUrl);
  // BIGINT results (epoch ms) as doubles; nothing is ever fetched for an extension.
  await db.open({ query: { castBigIntToDouble: true } });
  const conn = await db.connect();
  await conn.query('SET autoinstall_known_extensions = false; SET autoload_known_extensions = false;');
  return { db, conn };
}

/** The page's database, started on first call. */
function duck(): Promise<Duck> {
  starting ??= start().catch((error: unknown) => {
    starting = undefined;
    throw error;
  });
  return starting;
}

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;
const NUMERIC =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL)/;

/** The time column as epoch ms: timestamps and ISO text read as wall clock (UTC), numbers as epoch ms. */
function timeExpr(column: string, type: string): string {
  if (type.startsWith('TIMESTAMP WITH TIME ZONE')) return `epoch_ms(${ident(column)})`;
  if (NUMERIC.test(type)) return `CAST(${ident(column)} AS DOUBLE)`;
  return `epoch_ms(CAST(${ident(column)} AS TIMESTAMP))`;
}

/**
 * Reads `timeColumn` and `columns` of a CSV (a picked `File` or fetched bytes), ordered by time; empty
 * values become NaN. Rows without a time are skipped.
 * @throws DataError naming a missing column and the columns the file has.
 */
export async function readCsv(
  source: { name: string; file: File } | { name: string; bytes: Uint8Array },
  timeColumn: string,
  columns: readonly string[],
): Promise<LoadedData> {
  const { db, conn } = await duck();
  const registered = `upload-${++files}.csv`;
  if ('file' in source)
    await db.registerFileHandle(registered, source.file, DuckDBDataProtocol.BROWSER_FILEREADER, true);
  else await db.registerFileBuffer(registered, source.bytes);
  try {
    const relation = `read_csv_auto('${registered}', header = true)`;
    const described = await conn.query(`DESCRIBE SELECT * FROM ${relation}`);
    const names = described.getChild('column_name')!.toArray() as string[];
    const types = described.getChild('column_type')!.toArray() as string[];
    const typeOf = new Map(names.map((n, i) => [n, String(types[i])]));
    const missing = [timeColumn, ...columns].filter((c) => !typeOf.has(c));
    if (missing.length > 0) {
      throw new DataError(
        `${source.name}: missing column${missing.length > 1 ? 's' : ''} ${missing.map((c) => `"${c}"`).join(', ')} (the file has ${names.map((c) => `"${c}"`).join(', ')})`,
        { file: source.name, missing, found: names },
      );
    }
    const selects = [
      `${timeExpr(timeColumn, typeOf.get(timeColumn)!)} AS t`,
      ...columns.map((c, i) => `COALESCE(CAST(${ident(c)} AS DOUBLE), 'NaN'::DOUBLE) AS c${i}`),
    ];
    const table = await conn.query(
      `SELECT ${selects.join(', ')} FROM ${relation} WHERE ${ident(timeColumn)} IS NOT NULL ORDER BY t`,
    );
    const column = (name: string) => Float64Array.from(table.getChild(name)!.toArray() as ArrayLike<number>);
    return {
      source: source.name,
      time: column('t'),
      columns: Object.fromEntries(columns.map((c, i) => [c, column(`c${i}`)])),
    };
  } finally {
    await db.dropFile(registered);
  }
}
