// Reads Parquet files into Arrow tables (via parquet-wasm); rows.ts turns them into rows.
import { readFile } from 'node:fs/promises';
import { parquetWasm } from './wasm.ts';
import { tableFromIPC, type Table } from 'apache-arrow';

export async function readParquetFile(file: string, columns?: readonly string[]): Promise<Table> {
  const buf = await readFile(file);
  return readParquetBytes(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), columns);
}

export function readParquetBytes(bytes: Uint8Array, columns?: readonly string[]): Table {
  const wasmTable = parquetWasm().readParquet(bytes, columns === undefined ? null : { columns: [...columns] });
  return tableFromIPC(wasmTable.intoIPCStream());
}

export { tableRows, vectorValues } from './rows.ts';
