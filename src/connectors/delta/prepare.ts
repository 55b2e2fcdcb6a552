// Turns a batch's rows into the Arrow tables and statistics of its data files, before any file is
// written (the prepare phase of a Delta append). Rows reach here in the value model's form for their
// batch schema; when that schema is not the table's, or a row holds a value its column cannot take,
// each row is conformed to the table schema (src/schema/conform.ts) and the ones that do not fit are
// set aside as SINK_WRITE dead letters, so one bad row never fails the batch.
import type { Table as ArrowTable } from 'apache-arrow';
import { SluiceError, ErrorCodes } from '../../core/errors.ts';
import { originOf, type Rejected, type Row } from '../../core/record.ts';
import { sameType, struct, type StructType } from '../../core/schema.ts';
import { conformerFor, inputKindOf } from '../../schema/conform.ts';
import { rowToJson } from '../../schema/values/format.ts';
import { rowsToArrow } from '../../formats/parquet/arrow.ts';
import { groupByPartition } from './partition.ts';
import { computeStats } from './stats.ts';

export interface PreparedFile {
  /** Partition folder relative to the table root ('' when unpartitioned). */
  readonly dir: string;
  readonly values: Record<string, string | null>;
  /** The rows in Arrow form until encoded; then null, and `parquet` holds the file's bytes (a few
   * times smaller) in case the commit is retried. */
  table: ArrowTable | null;
  parquet: Uint8Array | null;
  readonly stats: string;
  /** Columns written with dictionary encoding (the strings). */
  readonly dictionaryColumns: readonly string[];
}

export interface FileLayout {
  readonly schema: StructType;
  readonly partitionBy: readonly string[];
  /** Rows per data file at most (Infinity: one file per partition). */
  readonly chunk: number;
  /** `delta.dataSkippingNumIndexedCols`. */
  readonly numIndexedCols: number;
}

export interface PreparedFiles {
  readonly files: PreparedFile[];
  readonly numRows: number;
  readonly rejected: Rejected[];
}

/** Splits rows by partition and into files of at most `chunk` rows, each as Arrow plus its stats.
 * `batchSchema` is the schema the rows' values follow (null: values as JSON gave them). */
export function prepareFiles(rows: readonly Row[], l: FileLayout, batchSchema: StructType | null): PreparedFiles {
  if (rows.length === 0) return { files: [], numRows: 0, rejected: [] };
  if (batchSchema !== null && sameType(batchSchema, l.schema)) {
    try {
      return { files: buildFiles(rows, l), numRows: rows.length, rejected: [] };
    } catch (err) {
      // A value that does not fit its column (from a function step, say): sort the rows out below.
      if (!(err instanceof SluiceError) || err.code !== ErrorCodes.RECORD_INVALID) throw err;
    }
  }
  const conform = conformerFor(l.schema, { input: inputKindOf(batchSchema) });
  const good: Row[] = [];
  const rejected: Rejected[] = [];
  for (const row of rows) {
    const r = conform(row);
    if (r.ok) good.push(r.row);
    else rejected.push({ errorType: 'SINK_WRITE', stage: 'sink:delta', message: `the table cannot hold this row: ${r.message}`, payload: rowToJson(row, batchSchema), origin: originOf(row) ?? {} });
  }
  return { files: buildFiles(good, l), numRows: good.length, rejected };
}

function buildFiles(rows: readonly Row[], l: FileLayout): PreparedFile[] {
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
