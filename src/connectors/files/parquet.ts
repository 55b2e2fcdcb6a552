// Reads a Parquet file (parquet-wasm -> Arrow IPC -> apache-arrow) into rows and its Spark schema.
import { parquetWasm } from '../delta/parquet/wasm.ts';
import { tableFromIPC, Type, type DataType as ArrowType, type Field as ArrowField } from 'apache-arrow';
import { withLineOrigin, type Row } from '../../core/record.ts';
import type { DataType, StructField, StructType } from '../../core/schema.ts';

export interface ParquetContent {
  readonly schema: StructType;
  readonly rows: Row[];
}

type Convert = (v: unknown) => unknown;
const same: Convert = (v) => v;

/** Reads every row; the origin line is the 1-based row number within the file. */
export function readParquetFile(buf: Uint8Array, file: string): ParquetContent {
  const table = tableFromIPC(parquetWasm().readParquet(buf).intoIPCStream());
  const fields = table.schema.fields;
  const schema: StructType = { type: 'struct', fields: fields.map(toStructField) };
  const columns = fields.map((f, i) => ({ name: f.name, vector: table.getChildAt(i), convert: converter(f.type as ArrowType) }));
  const rows: Row[] = new Array<Row>(table.numRows);
  const shared = { file };
  for (let r = 0; r < table.numRows; r++) {
    const row: Row = {};
    for (const c of columns) {
      const v: unknown = c.vector?.get(r) ?? null;
      row[c.name] = v === null ? null : c.convert(v);
    }
    rows[r] = withLineOrigin(row, shared, r + 1);
  }
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

function converter(t: ArrowType): Convert {
  switch (t.typeId) {
    case Type.Dictionary:
      return converter((t as unknown as { dictionary: ArrowType }).dictionary);
    case Type.Int:
      return (v) => (typeof v === 'bigint' && Number.isSafeInteger(Number(v)) ? Number(v) : v);
    case Type.Date:
    case Type.Timestamp:
      // apache-arrow hands dates and timestamps over as epoch milliseconds.
      return (v) => (typeof v === 'number' ? new Date(v) : v instanceof Date ? v : new Date(Number(v)));
    case Type.Decimal: {
      const scale = (t as unknown as { scale: number }).scale;
      return (v) => decimalText(v, scale);
    }
    case Type.List:
    case Type.FixedSizeList: {
      const child = (t as unknown as { children: ArrowField[] }).children[0];
      const el = child === undefined ? same : converter(child.type as ArrowType);
      return (v) => Array.from(v as Iterable<unknown>, (x) => (x === null || x === undefined ? null : el(x)));
    }
    case Type.Struct: {
      const children = (t as unknown as { children: ArrowField[] }).children.map((f) => ({ name: f.name, convert: converter(f.type as ArrowType) }));
      return (v) => {
        const src = v as Record<string, unknown>;
        const out: Row = {};
        for (const c of children) {
          const x = src[c.name];
          out[c.name] = x === null || x === undefined ? null : c.convert(x);
        }
        return out;
      };
    }
    case Type.Map: {
      const entries = (t as unknown as { children: ArrowField[] }).children[0];
      const valueField = (entries?.type as unknown as { children?: ArrowField[] } | undefined)?.children?.[1];
      const val = valueField === undefined ? same : converter(valueField.type as ArrowType);
      return (v) => {
        const out: Record<string, unknown> = {};
        for (const [k, x] of v as Iterable<[unknown, unknown]>) out[String(k)] = x === null || x === undefined ? null : val(x);
        return out;
      };
    }
    default:
      return same;
  }
}

/** Arrow decimals arrive as unscaled integers; the conformer's canonical form is decimal text. */
function decimalText(v: unknown, scale: number): string {
  const digits = typeof v === 'bigint' ? v.toString() : String(v);
  const neg = digits.startsWith('-');
  const abs = (neg ? digits.slice(1) : digits).padStart(scale + 1, '0');
  const text = scale === 0 ? abs : `${abs.slice(0, abs.length - scale)}.${abs.slice(abs.length - scale)}`;
  return neg ? `-${text}` : text;
}
