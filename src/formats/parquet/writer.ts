// Arrow table -> Parquet bytes on the calling thread (checkpoints and tests; batches go through encode-pool.ts).
import { tableToIPC, type Table as ArrowTable } from 'apache-arrow';
import { ipcToParquet, type ParquetWriteOptions } from './encode.ts';

export { codecSuffix, ipcToParquet, type ParquetCompression, type ParquetWriteOptions } from './encode.ts';

/** Encodes one Arrow table as a complete Parquet file. Arrow's Timestamp(us, 'UTC') becomes
 * INT64 TIMESTAMP(MICROS, isAdjustedToUTC=true), which engines read as TIMESTAMP WITH TIME ZONE. */
export function toParquet(table: ArrowTable, opts: ParquetWriteOptions = {}): Uint8Array {
  return ipcToParquet(tableToIPC(table, 'stream'), opts);
}
