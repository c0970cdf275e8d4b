/** One lazily started, offline duckdb-wasm instance per process (Node blocking bundle). */
import { createRequire } from 'node:module';
import type { DuckDBBindings, DuckDBConnection, DuckDBDataProtocol } from '@duckdb/duckdb-wasm/blocking';
import type { Table } from 'apache-arrow';

/** The process-wide database and its single connection. */
export interface Duck {
  readonly db: DuckDBBindings;
  readonly conn: DuckDBConnection;
  /** duckdb-wasm's protocol for files read through Node's fs (its module is imported lazily, so carried here). */
  readonly nodeFs: DuckDBDataProtocol;
}

let starting: Promise<Duck> | undefined;

async function start(): Promise<Duck> {
  // Imported on first use: the module alone takes ~0.3-0.7 s to load, which small CSV loads never pay.
  const { createDuckDB, DuckDBDataProtocol, NODE_RUNTIME, VoidLogger } = await import(
    '@duckdb/duckdb-wasm/blocking'
  );
  const resolve = createRequire(import.meta.url).resolve;
  const file = (name: string) => resolve(`@duckdb/duckdb-wasm/dist/${name}`);
  const db = await createDuckDB(
    {
      mvp: { mainModule: file('duckdb-mvp.wasm'), mainWorker: file('duckdb-node-mvp.worker.cjs') },
      eh: { mainModule: file('duckdb-eh.wasm'), mainWorker: file('duckdb-node-eh.worker.cjs') },
    },
    new VoidLogger(),
    NODE_RUNTIME,
  );
  await db.instantiate(() => {});
  // BIGINT results as doubles: epoch milliseconds and counts stay well inside 2^53.
  db.open({ path: ':memory:', query: { castBigIntToDouble: true } });
  const conn = db.connect();
  // Extensions (parquet, icu, ...) would be fetched from the network on first use: never.
  conn.query('SET autoinstall_known_extensions = false; SET autoload_known_extensions = false;');
  return { db, conn, nodeFs: DuckDBDataProtocol.NODE_FS };
}

/** The shared instance, started on first call (about 1 s: it compiles ~34 MB of WASM). */
export function getDuckDB(): Promise<Duck> {
  starting ??= start().catch((error: unknown) => {
    starting = undefined;
    throw error;
  });
  return starting;
}

/** Close the connection and reset the database; the next `getDuckDB()` starts a fresh one. */
export async function closeDuckDB(): Promise<void> {
  const current = starting;
  starting = undefined;
  if (!current) return;
  const { db, conn } = await current;
  conn.close();
  db.reset();
}

/**
 * Run one SQL statement. Results are Arrow tables of the CommonJS copy of apache-arrow that
 * duckdb-wasm loads: read them structurally (`getChild`, `toArray`), never with `instanceof`.
 */
export function sql(duck: Duck, text: string): Table {
  return duck.conn.query(text);
}

/** A SQL string literal. */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** A quoted SQL identifier. */
export function sqlIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** First row of a result as a plain object. */
export function firstRow(table: Table): Record<string, unknown> {
  const row = table.get(0);
  return row ? (row.toJSON() as Record<string, unknown>) : {};
}

let scratchCounter = 0;

/** Uniquely named temporary tables for one load, dropped together when it ends. */
export class Scratch {
  readonly #duck: Duck;
  readonly #prefix = `twiga_load_${++scratchCounter}`;
  readonly #tables: string[] = [];

  constructor(duck: Duck) {
    this.#duck = duck;
  }

  /** A fresh table name, dropped by `dropAll()`. */
  table(tag: string): string {
    const name = `${this.#prefix}_${tag}`;
    this.#tables.push(name);
    return name;
  }

  /** A name for a registered file, unique to this load; the caller drops the file. */
  file(suffix: string): string {
    return `${this.#prefix}${suffix}`;
  }

  dropAll(): void {
    for (const name of this.#tables.splice(0)) sql(this.#duck, `DROP TABLE IF EXISTS ${name}`);
  }
}
