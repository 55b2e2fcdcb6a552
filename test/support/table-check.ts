// Independent checks of a Delta table: our log replay names the live files, DuckDB reads them.
import { DuckDBInstance } from '@duckdb/node-api';
import { loadSnapshot, resolveDataPath } from '../../src/connectors/delta/protocol/snapshot.ts';

export interface TableContents {
  readonly version: number;
  readonly files: readonly string[];
  readonly txns: ReadonlyMap<string, number>;
  /** The rows DuckDB reads from the live files, as JSON-friendly objects. */
  readonly rows: Record<string, unknown>[];
  readonly columnTypes: Record<string, string>;
}

export async function readTableWithDuckDB(tablePath: string, orderBy?: string): Promise<TableContents> {
  const snap = await loadSnapshot(tablePath);
  if (snap === null) throw new Error(`no Delta table at ${tablePath}`);
  const files = [...snap.files.values()].map((a) => resolveDataPath(tablePath, a.path));
  const inst = await DuckDBInstance.create(':memory:');
  const conn = await inst.connect();
  try {
    await conn.run("SET TimeZone='UTC'");
    if (files.length === 0) return { version: snap.version, files, txns: snap.txns, rows: [], columnTypes: {} };
    const list = files.map((f) => `'${f.replace(/'/g, "''")}'`).join(', ');
    const from = `read_parquet([${list}], union_by_name = true)`;
    const described = (await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${from}`)).getRowObjectsJson();
    const columnTypes = Object.fromEntries(described.map((r) => [r.column_name as string, r.column_type as string]));
    const rows = (await conn.runAndReadAll(`SELECT * FROM ${from}${orderBy === undefined ? '' : ` ORDER BY ${orderBy}`}`)).getRowObjectsJson();
    return { version: snap.version, files, txns: snap.txns, rows, columnTypes };
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
}
