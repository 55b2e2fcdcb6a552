// Settles the schema of a batch of parsed files (declared, persisted or inferred) and conforms rows to it.
import { originOf, withLineOrigin, type Rejected, type Row } from '../../core/record.ts';
import { field, struct, type StructType } from '../../core/schema.ts';
import { conformerFor as sharedConformer, type Conformer } from '../../schema/conform.ts';
import { CsvSchemaAccumulator, inferSchema, stringSchema } from '../../schema/infer.ts';
import type { FileSourceConfig } from './config.ts';
import { rowToJson } from '../../schema/values/format.ts';
import type { CsvFile } from './readers.ts';
import type { ParquetContent } from './parquet.ts';

/** What the readers produced for one batch, before a schema is applied. */
export interface RawBatch {
  readonly jsonRows: Row[];
  readonly csvFiles: (CsvFile & { readonly file: string })[];
  readonly parquet: ParquetContent[];
  readonly rejected: Rejected[];
}

export interface DecodedBatch {
  readonly schema: StructType | null;
  readonly rows: Row[];
  readonly rejected: Rejected[];
  readonly unknownFields: string[];
}


function conformerFor(schema: StructType, fromStrings: boolean, kind: 'json' | 'typed' = 'json'): Conformer {
  // Rows reach here freshly parsed and owned by the source: each is rebuilt compactly.
  return sharedConformer(schema, { input: fromStrings ? 'text' : kind, rebuild: true });
}

type Format = FileSourceConfig['format'];

/** Infers the schema of a first batch: JSON from all its rows, CSV from its header (or `_c0 ...`) and,
 * with inferSchema, its cells, Parquet from the first file. Null when the batch has no data. */
export function inferBatchSchema(raw: RawBatch, format: Format, inferCsvTypes: boolean): StructType | null {
  if (format === 'json') return raw.jsonRows.length === 0 ? null : inferSchema(raw.jsonRows);
  if (format === 'text') return raw.jsonRows.length === 0 ? null : struct([field('value', 'string', false)]);
  if (format === 'parquet') return raw.parquet[0]?.schema ?? null;
  const first = raw.csvFiles.find((f) => f.columns !== null || f.records.length > 0);
  if (first === undefined) return null;
  const columns = first.columns ?? Array.from({ length: first.records[0]?.cells.length ?? 0 }, (_, i) => `_c${i}`);
  if (!inferCsvTypes) return stringSchema(columns);
  const acc = new CsvSchemaAccumulator(columns);
  for (const f of raw.csvFiles) for (const r of f.records) if (r.cells.length === columns.length) acc.add(r.cells);
  return acc.result();
}

export function decodeBatch(raw: RawBatch, config: FileSourceConfig, known: StructType | null): DecodedBatch {
  const schema = known ?? inferBatchSchema(raw, config.format, config.inferSchema);
  const rejected = raw.rejected;
  const rows: Row[] = [];
  const unknown = new Set<string>();
  if (schema === null) return { schema, rows, rejected, unknownFields: [] };
  const note = (names: readonly string[]): void => {
    for (const n of names) if (unknown.size < 100) unknown.add(n);
  };

  if (config.format === 'csv') {
    const conform = conformerFor(schema, true);
    const byPosition = schema.fields.map((f) => f.name);
    for (const f of raw.csvFiles) {
      const names = f.columns ?? byPosition;
      const shared = { file: f.file };
      for (const rec of f.records) {
        if (rec.cells.length !== names.length) {
          rejected.push(reject(`expected ${names.length} columns, found ${rec.cells.length}`, rec.raw, { file: f.file, line: rec.line }));
          continue;
        }
        const row: Row = {};
        for (let i = 0; i < names.length; i++) {
          const cell = rec.cells[i] ?? '';
          // Spark reads an empty cell as null.
          row[names[i] ?? `_c${i}`] = cell === '' ? null : cell;
        }
        const r = conform(withLineOrigin(row, shared, rec.line));
        if (r.ok) {
          rows.push(r.row);
          if (r.unknownFields.length > 0) note(r.unknownFields);
        } else {
          rejected.push(reject(r.message, rec.raw, { file: f.file, line: rec.line }));
        }
      }
    }
    return { schema, rows, rejected, unknownFields: [...unknown] };
  }

  const fromJson = config.format === 'json' || config.format === 'text';
  const conform = conformerFor(schema, false, fromJson ? 'json' : 'typed');
  const input = fromJson ? raw.jsonRows : raw.parquet.flatMap((p) => p.rows);
  for (const row of input) {
    const r = conform(row);
    if (r.ok) {
      rows.push(r.row);
      if (r.unknownFields.length > 0) note(r.unknownFields);
    } else {
      rejected.push(reject(r.message, safeJson(row), originOf(row) ?? {}));
    }
  }
  return { schema, rows, rejected, unknownFields: [...unknown] };
}

function reject(message: string, payload: string, origin: Rejected['origin']): Rejected {
  return { errorType: 'SCHEMA_VALIDATION', stage: 'source', message, payload, origin };
}

function safeJson(row: Row): string {
  return rowToJson(row, null);
}
