/** Static features per series (a small table keyed by the id column), from CSV or JSON, checked with zod. */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { z } from 'zod';
import { DataError } from '../../runtime/errors.js';
import { getDuckDB, Scratch, sql, sqlString } from './duckdb.js';

/** Static feature values by series id, and the feature names in a fixed order. */
export interface StaticTable {
  features: string[];
  values: Record<string, Record<string, number>>;
}

const Row = z.record(z.string(), z.union([z.string(), z.number(), z.null()]));
const JsonTable = z.union([z.array(Row), z.record(z.string(), z.record(z.string(), z.number()))]);

function fromRows(rows: readonly z.output<typeof Row>[], idColumn: string, path: string): StaticTable {
  const features = [...new Set(rows.flatMap((r) => Object.keys(r)))].filter((k) => k !== idColumn);
  const values: StaticTable['values'] = {};
  rows.forEach((row, i) => {
    const id = row[idColumn];
    if (id === undefined || id === null || id === '') {
      throw new DataError(`static table ${path}: row ${i + 1} has no "${idColumn}"`, { path, row: i + 1 });
    }
    const out: Record<string, number> = {};
    for (const name of features) {
      const v = Number(row[name]);
      if (row[name] === null || row[name] === undefined || row[name] === '' || !Number.isFinite(v)) {
        throw new DataError(
          `static table ${path}: "${name}" of series "${id}" is not a number (${JSON.stringify(row[name] ?? null)})`,
          { path, series: String(id), column: name },
        );
      }
      out[name] = v;
    }
    values[String(id)] = out;
  });
  return { features, values };
}

/**
 * Read a static-feature table: CSV (through duckdb-wasm) with an `idColumn` column, or JSON — an array of
 * records with `idColumn`, or an object keyed by id of `{ feature: number }`. Every value must be a number.
 */
export async function readStaticTable(path: string, idColumn: string): Promise<StaticTable> {
  if (path.toLowerCase().endsWith('.json')) {
    let json: unknown;
    try {
      json = JSON.parse(await readFile(path, 'utf8'));
    } catch (error) {
      throw new DataError(
        `static table ${path} is not readable JSON: ${(error as Error).message}`,
        { path },
        error,
      );
    }
    const parsed = JsonTable.safeParse(json);
    if (!parsed.success) {
      throw new DataError(`static table ${path}: ${z.prettifyError(parsed.error)}`, { path });
    }
    const table = parsed.data;
    return Array.isArray(table)
      ? fromRows(table, idColumn, path)
      : fromRows(
          Object.entries(table).map(([id, v]) => ({ ...v, [idColumn]: id })),
          idColumn,
          path,
        );
  }
  const duck = await getDuckDB();
  const scratch = new Scratch(duck);
  const file = scratch.file('.csv');
  duck.db.registerFileURL(file, resolve(path), duck.nodeFs, false);
  try {
    const rows = sql(duck, `SELECT * FROM read_csv(${sqlString(file)}, header = true, all_varchar = true)`)
      .toArray()
      .map((r) => r.toJSON() as Record<string, string | null>);
    if (rows.length > 0 && !(idColumn in rows[0]!)) {
      throw new DataError(`static table ${path} has no column "${idColumn}"`, { path, column: idColumn });
    }
    return fromRows(rows, idColumn, path);
  } catch (error) {
    if (error instanceof DataError) throw error;
    throw new DataError(`could not read static table ${path}: ${(error as Error).message}`, { path }, error);
  } finally {
    duck.db.dropFile(file);
  }
}
