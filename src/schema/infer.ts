// Schema inference from JSON values and CSV strings, merging row types with Spark-like widening.
import type { DataType, StructField, StructType } from '../core/schema.ts';
import type { Row } from '../core/record.ts';
import { isDecimal } from '../core/schema.ts';
import { decimalParams, NumberText } from './values/numbers.ts';
import { parseStrictDate, parseStrictTimestamp } from './values/temporal.ts';

/** The type of one JSON value, or null for null/undefined (no information). */
export function inferValueType(v: unknown): DataType | null {
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case 'boolean':
      return 'boolean';
    case 'number':
      return Number.isInteger(v) ? 'long' : 'double';
    case 'bigint':
      return integerType(v);
    case 'string':
      if (parseStrictDate(v) !== undefined) return 'date';
      if (parseStrictTimestamp(v) !== undefined) return 'timestamp';
      return 'string';
    case 'object': {
      // A number with more digits than a double holds is a double to inference, as to Spark's.
      if (v instanceof NumberText) return 'double';
      if (v instanceof Date) return 'timestamp';
      if (v instanceof Uint8Array) return 'binary';
      if (Array.isArray(v)) {
        let el: DataType | null = null;
        for (const x of v) el = mergeNullable(el, inferValueType(x));
        return { type: 'array', elementType: el ?? 'string', containsNull: true };
      }
      return inferStruct(v as Record<string, unknown>);
    }
    default:
      return 'string';
  }
}

/** An integer beyond 2^53: a long when it fits 64 bits, else a decimal wide enough (as Spark infers
 * a JSON integer too big for a long), or a double past decimal's 38 digits. */
function integerType(b: bigint): DataType {
  if (b >= -(2n ** 63n) && b < 2n ** 63n) return 'long';
  const digits = (b < 0n ? -b : b).toString().length;
  return digits <= 38 ? `decimal(${Math.max(digits, 20)},0)` : 'double';
}

function inferStruct(obj: Record<string, unknown>): StructType {
  const acc = new StructAccumulator();
  acc.add(obj);
  return acc.result();
}

function mergeNullable(a: DataType | null, b: DataType | null): DataType | null {
  if (a === null) return b;
  if (b === null) return a;
  return mergeTypes(a, b);
}

/** The narrowest type both values fit: long+double -> double, date+timestamp -> timestamp, structs
 * merge field by field, arrays merge elements, anything else that conflicts -> string. */
export function mergeTypes(a: DataType, b: DataType): DataType {
  if (a === b) return a;
  if (typeof a === 'string' && typeof b === 'string') {
    if (NUMERIC_RANK[a] !== undefined && NUMERIC_RANK[b] !== undefined) return NUMERIC_RANK[a] >= NUMERIC_RANK[b] ? a : b;
    if (isDecimal(a) || isDecimal(b)) return mergeDecimal(a, b);
    if ((a === 'date' && b === 'timestamp') || (a === 'timestamp' && b === 'date')) return 'timestamp';
    return 'string';
  }
  if (typeof a === 'object' && typeof b === 'object') {
    if (a.type === 'struct' && b.type === 'struct') return mergeStructs(a, b);
    if (a.type === 'array' && b.type === 'array') {
      return { type: 'array', elementType: mergeTypes(a.elementType, b.elementType), containsNull: a.containsNull || b.containsNull };
    }
    if (a.type === 'map' && b.type === 'map') {
      return {
        type: 'map',
        keyType: mergeTypes(a.keyType, b.keyType),
        valueType: mergeTypes(a.valueType, b.valueType),
        valueContainsNull: a.valueContainsNull || b.valueContainsNull,
      };
    }
  }
  return 'string';
}

const NUMERIC_RANK: Readonly<Partial<Record<string, number>>> = { byte: 1, short: 2, integer: 3, long: 4, float: 5, double: 6 };

/** Integer digits each integral type needs as a decimal (Spark's DecimalType.forType). */
const INTEGRAL_DIGITS: Readonly<Partial<Record<string, number>>> = { byte: 3, short: 5, integer: 10, long: 20 };

/** Spark's widening of a decimal with another number: a decimal that holds both when one exists
 * within 38 digits, else a double; with anything that is no number, a string. */
function mergeDecimal(a: DataType, b: DataType): DataType {
  const params = (t: DataType): { int: number; scale: number } | null => {
    if (typeof t !== 'string') return null;
    if (isDecimal(t)) {
      const { precision, scale } = decimalParams(t);
      return { int: precision - scale, scale };
    }
    const digits = INTEGRAL_DIGITS[t];
    return digits === undefined ? null : { int: digits, scale: 0 };
  };
  const x = params(a), y = params(b);
  if (x === null || y === null) return a === 'double' || a === 'float' || b === 'double' || b === 'float' ? 'double' : 'string';
  const scale = Math.max(x.scale, y.scale);
  const precision = Math.max(x.int, y.int) + scale;
  return precision <= 38 ? `decimal(${precision},${scale})` : 'double';
}

function mergeStructs(a: StructType, b: StructType): StructType {
  const fields: StructField[] = [];
  const byName = new Map(b.fields.map((f) => [f.name, f]));
  for (const f of a.fields) {
    const g = byName.get(f.name);
    fields.push(g === undefined ? f : { ...f, type: mergeTypes(f.type, g.type), nullable: f.nullable || g.nullable });
  }
  const seen = new Set(a.fields.map((f) => f.name));
  for (const g of b.fields) if (!seen.has(g.name)) fields.push(g);
  return { type: 'struct', fields };
}

/** Accumulates rows and yields their merged schema; columns keep the order of first appearance and a
 * column seen only as null becomes string. */
export class StructAccumulator {
  private readonly types = new Map<string, DataType | null>();

  add(row: Readonly<Row>): void {
    for (const key in row) {
      const t = inferValueType(row[key]);
      const prev = this.types.get(key);
      this.types.set(key, prev === undefined ? t : mergeNullable(prev, t));
    }
  }

  get size(): number {
    return this.types.size;
  }

  result(): StructType {
    const fields: StructField[] = [];
    for (const [name, t] of this.types) fields.push({ name, type: finish(t ?? 'string'), nullable: true, metadata: {} });
    return { type: 'struct', fields };
  }
}

// Nested fields that were only ever null stay `string`, and inferred nested fields are nullable.
function finish(t: DataType): DataType {
  if (typeof t === 'string') return t;
  if (t.type === 'struct') return { type: 'struct', fields: t.fields.map((f) => ({ ...f, nullable: true, type: finish(f.type) })) };
  if (t.type === 'array') return { ...t, elementType: finish(t.elementType) };
  return { ...t, valueType: finish(t.valueType) };
}

/** Infers a schema from rows of JSON values. */
export function inferSchema(rows: Iterable<Readonly<Row>>): StructType {
  const acc = new StructAccumulator();
  for (const r of rows) acc.add(r);
  return acc.result();
}

// CSV inference, as Spark's inferSchema option: each value is tried as int, long, double, boolean,
// date, timestamp, in that order, and the column takes the widest type its values need.

const INT_RE = /^[+-]?\d+$/;
const DOUBLE_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** The type of one CSV cell, or null when it is empty (Spark reads an empty cell as null). */
export function inferCsvType(s: string): DataType | null {
  if (s === '') return null;
  if (INT_RE.test(s)) {
    const n = Number(s);
    if (n >= -2147483648 && n <= 2147483647) return 'integer';
    return Number.isSafeInteger(n) ? 'long' : integerType(BigInt(s));
  }
  if (DOUBLE_RE.test(s) || s === 'NaN' || s === 'Infinity' || s === '-Infinity') return 'double';
  const lower = s.toLowerCase();
  if (lower === 'true' || lower === 'false') return 'boolean';
  if (parseStrictDate(s) !== undefined) return 'date';
  if (parseStrictTimestamp(s) !== undefined) return 'timestamp';
  return 'string';
}

function mergeCsv(a: DataType | null, b: DataType | null): DataType | null {
  if (a === null) return b;
  if (b === null || a === b) return a;
  return mergeTypes(a, b);
}

/** Accumulates CSV records (arrays of cell strings) for a header and yields the inferred schema. */
export class CsvSchemaAccumulator {
  private readonly types: (DataType | null)[];
  constructor(private readonly columns: readonly string[]) {
    this.types = columns.map(() => null);
  }

  add(record: readonly string[]): void {
    const n = Math.min(record.length, this.types.length);
    for (let i = 0; i < n; i++) this.types[i] = mergeCsv(this.types[i] ?? null, inferCsvType(record[i] ?? ''));
  }

  result(): StructType {
    return {
      type: 'struct',
      fields: this.columns.map((name, i) => ({ name, type: this.types[i] ?? 'string', nullable: true, metadata: {} })),
    };
  }
}

/** Infers a schema from CSV records given the column names. */
export function inferCsvSchema(columns: readonly string[], records: Iterable<readonly string[]>): StructType {
  const acc = new CsvSchemaAccumulator(columns);
  for (const r of records) acc.add(r);
  return acc.result();
}

/** A schema of all-string columns, what Spark reads from CSV when inferSchema is off. */
export function stringSchema(columns: readonly string[]): StructType {
  return { type: 'struct', fields: columns.map((name) => ({ name, type: 'string', nullable: true, metadata: {} })) };
}
