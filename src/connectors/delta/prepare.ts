// Turns a batch's rows into the Arrow tables and statistics of its data files, before any file is
// written. The result is held until the commit: a retried batch reuses it, so the caller can release
// the rows (several times the size of their Arrow form) as soon as they are converted.
import type { Table as ArrowTable } from 'apache-arrow';
import type { Row } from '../../core/record.ts';
import { struct, type StructType } from '../../core/schema.ts';
import { rowsToArrow } from './parquet/arrow.ts';
import { groupByPartition } from './partition.ts';
import { computeStats } from './stats.ts';

export interface PreparedFile {
  /** Partition folder relative to the table root ('' when unpartitioned). */
  readonly dir: string;
  readonly values: Record<string, string | null>;
  /** The rows in Arrow form until encoded; then null, and `parquet` holds the file's bytes (a few
   * times smaller) in case the batch is retried before its commit. */
  table: ArrowTable | null;
  parquet: Uint8Array | null;
  readonly stats: string;
  /** Columns written with dictionary encoding (the strings). */
  readonly dictionaryColumns: readonly string[];
}

/** One batch in Arrow form, valid for the rows holder it was built from (`owner`: a batch object,
 * which the engine passes again only to retry that very batch) and the table layout (`layout`). */
export interface PreparedBatch {
  readonly owner: object;
  readonly layout: string;
  /** The schema the rows were written with (inferred ones included, which the rows are needed for). */
  readonly schema: StructType;
  readonly numRows: number;
  readonly files: readonly PreparedFile[];
}

export interface FileLayout {
  readonly schema: StructType;
  readonly partitionBy: readonly string[];
  /** Rows per data file at most (Infinity: one file per partition). */
  readonly chunk: number;
  /** `delta.dataSkippingNumIndexedCols`. */
  readonly numIndexedCols: number;
}

/** Identifies a layout: a prepared batch is reused only for the same one. */
export function layoutKey(l: FileLayout): string {
  return JSON.stringify([l.schema, l.partitionBy, l.chunk === Infinity ? null : l.chunk, l.numIndexedCols]);
}

/** Splits rows by partition and into files of at most `chunk` rows, each as Arrow plus its stats. */
export function prepareFiles(rows: readonly Row[], l: FileLayout): PreparedFile[] {
  if (rows.length === 0) return [];
  const dataSchema = struct(l.schema.fields.filter((f) => !l.partitionBy.includes(f.name)));
  const dictionaryColumns = dataSchema.fields.filter((f) => f.type === 'string').map((f) => f.name);
  const files: PreparedFile[] = [];
  for (const g of groupByPartition(rows, l.schema, l.partitionBy)) {
    for (let start = 0; start < g.rows.length; start += l.chunk) {
      const slice = l.chunk === Infinity ? g.rows : g.rows.slice(start, start + l.chunk);
      const table = rowsToArrow(slice, dataSchema);
      const stats = computeStats(table, dataSchema, { numIndexedCols: l.numIndexedCols });
      files.push({ dir: g.dir, values: g.values, table, parquet: null, stats, dictionaryColumns });
    }
  }
  return files;
}
