// Reads a Parquet file (parquet-wasm -> Arrow IPC -> apache-arrow) into rows and its Spark schema.
import { parquetWasm } from '../../formats/parquet/wasm.ts';
import { tableRows } from '../../formats/parquet/rows.ts';
import { tableFromIPC, Type, type DataType as ArrowType, type Field as ArrowField } from 'apache-arrow';
import { withLineOrigin, type Row } from '../../core/record.ts';
import type { DataType, StructField, StructType } from '../../core/schema.ts';

export interface ParquetContent {
  readonly schema: StructType;
  readonly rows: Row[];
}

/** Reads every row; the origin line is the 1-based row number within the file. */
export function readParquetFile(buf: Uint8Array, file: string): ParquetContent {
  const table = tableFromIPC(parquetWasm().readParquet(buf).intoIPCStream());
  const fields = table.schema.fields;
  const schema: StructType = { type: 'struct', fields: fields.map(toStructField) };
  const rows = tableRows(table);
  const shared = { file };
  for (let r = 0; r < rows.length; r++) withLineOrigin(rows[r] as Row, shared, r + 1);
  return { schema, rows };
}

function toStructField(f: ArrowField): StructField {
  return { name: f.name, type: toSparkType(f.type as ArrowType), nullable: f.nullable, metadata: {} };
}

/** The Spark type of an Arrow type, following Spark's Parquet reading rules (a timestamp without a
 * zone is timestamp_ntz; unsigned integers widen to the next signed type). */
export function toSparkType(t: ArrowType): DataType {
  switch (t.typeId) {
    case Type.Utf8:
    case Type.LargeUtf8:
    case Type.Null:
      return 'string';
    case Type.Dictionary:
      return toSparkType((t as unknown as { dictionary: ArrowType }).dictionary);
    case Type.Bool:
      return 'boolean';
    case Type.Int: {
      const { bitWidth, isSigned } = t as unknown as { bitWidth: number; isSigned: boolean };
      const w = isSigned ? bitWidth : bitWidth * 2;
      return w <= 8 ? 'byte' : w <= 16 ? 'short' : w <= 32 ? 'integer' : 'long';
    }
    case Type.Float: {
      const precision = (t as unknown as { precision: number }).precision;
      return precision === 2 ? 'double' : 'float';
    }
    case Type.Decimal: {
      const { precision, scale } = t as unknown as { precision: number; scale: number };
      return `decimal(${precision},${scale})`;
    }
    case Type.Binary:
    case Type.LargeBinary:
    case Type.FixedSizeBinary:
      return 'binary';
    case Type.Date:
      return 'date';
    case Type.Timestamp:
      return (t as unknown as { timezone: string | null }).timezone ? 'timestamp' : 'timestamp_ntz';
    case Type.List:
    case Type.FixedSizeList: {
      const child = (t as unknown as { children: ArrowField[] }).children[0];
      return { type: 'array', elementType: child === undefined ? 'string' : toSparkType(child.type as ArrowType), containsNull: child?.nullable ?? true };
    }
    case Type.Struct:
      return { type: 'struct', fields: (t as unknown as { children: ArrowField[] }).children.map(toStructField) };
    case Type.Map: {
      const entries = (t as unknown as { children: ArrowField[] }).children[0];
      const kv = (entries?.type as unknown as { children?: ArrowField[] } | undefined)?.children ?? [];
      return {
        type: 'map',
        keyType: kv[0] === undefined ? 'string' : toSparkType(kv[0].type as ArrowType),
        valueType: kv[1] === undefined ? 'string' : toSparkType(kv[1].type as ArrowType),
        valueContainsNull: kv[1]?.nullable ?? true,
      };
    }
    default:
      return 'string';
  }
}
