// Arrow IPC -> Parquet bytes with parquet-wasm: codec choice, microsecond UTC timestamps, column statistics.
// Free of apache-arrow, so the encoder thread loads only parquet-wasm.
import type { Compression } from 'parquet-wasm';
import { ErrorCodes, SinkError } from '../../core/errors.ts';
import { parquetWasm } from './wasm.ts';

export type ParquetCompression = 'snappy' | 'zstd' | 'gzip' | 'none';

function codec(c: ParquetCompression): Compression {
  const { Compression: C } = parquetWasm();
  return c === 'snappy' ? C.SNAPPY : c === 'zstd' ? C.ZSTD : c === 'gzip' ? C.GZIP : C.UNCOMPRESSED;
}

/** The file-name infix Spark uses for each codec (`part-...-c000.snappy.parquet`). */
export function codecSuffix(c: ParquetCompression): string {
  return c === 'none' ? '' : `.${c === 'gzip' ? 'gz' : c}`;
}

export interface ParquetWriteOptions {
  readonly compression?: ParquetCompression;
  readonly createdBy?: string;
  /** Rows per row group; the default keeps one group for typical micro-batches. */
  readonly rowGroupSize?: number;
  /** Columns worth dictionary encoding (low-cardinality strings); all others are written plain. */
  readonly dictionaryColumns?: readonly string[];
  /** Float/double columns holding NaN (paths from the top, see nan.ts): written without footer
   * statistics, whose min/max leave NaN out. A nested one turns them off for the whole file, as
   * the writer can address top-level columns only. */
  readonly nanColumns?: readonly (readonly string[])[];
}

/** Encodes an Arrow IPC stream as a complete Parquet file. */
export function ipcToParquet(ipc: Uint8Array, opts: ParquetWriteOptions = {}): Uint8Array {
  const { Table: WasmTable, WriterPropertiesBuilder, WriterVersion, EnabledStatistics, writeParquet } = parquetWasm();
  let builder = new WriterPropertiesBuilder()
    .setCompression(codec(opts.compression ?? 'snappy'))
    .setWriterVersion(WriterVersion.V1)
    .setMaxRowGroupSize(opts.rowGroupSize ?? 1_048_576)
    // Measured: dictionary attempts on high-cardinality numbers and times cost 2-3x the encode time
    // and fall back to plain anyway, so dictionaries are opt-in per column.
    .setDictionaryEnabled(false);
  for (const c of opts.dictionaryColumns ?? []) builder = builder.setColumnDictionaryEnabled(c, true);
  const nan = opts.nanColumns ?? [];
  if (nan.some((p) => p.length > 1)) builder = builder.setStatisticsEnabled(EnabledStatistics.None);
  else for (const [c] of nan) if (c !== undefined) builder = builder.setColumnStatisticsEnabled(c, EnabledStatistics.None);
  if (opts.createdBy !== undefined) builder = builder.setCreatedBy(opts.createdBy);
  const props = builder.build();
  try {
    const wasm = WasmTable.fromIPCStream(ipc);
    return writeParquet(wasm, props);
  } catch (err) {
    throw new SinkError(ErrorCodes.SINK_WRITE, `cannot encode Parquet: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}
