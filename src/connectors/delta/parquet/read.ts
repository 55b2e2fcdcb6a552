// Reads Parquet files into Arrow tables (via parquet-wasm) and Arrow values into plain JS rows.
import { readFile } from 'node:fs/promises';
import { parquetWasm } from './wasm.ts';
import { DataType, Type, tableFromIPC, type Field, type Table, type Vector } from 'apache-arrow';
import { setOwn } from '../../../core/own.ts';
import type { Row } from '../../../core/record.ts';

export async function readParquetFile(file: string, columns?: readonly string[]): Promise<Table> {
  const buf = await readFile(file);
  return readParquetBytes(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), columns);
}

export function readParquetBytes(bytes: Uint8Array, columns?: readonly string[]): Table {
  const wasmTable = parquetWasm().readParquet(bytes, columns === undefined ? null : { columns: [...columns] });
  return tableFromIPC(wasmTable.intoIPCStream());
}

/** All rows of an Arrow table as plain objects (structs as objects, maps as records, lists as arrays). */
export function tableRows(table: Table): Row[] {
  const cols = table.schema.fields.map((f, i) => ({ name: f.name, values: vectorValues(table.getChildAt(i)) }));
  const out: Row[] = new Array<Row>(table.numRows);
  for (let r = 0; r < table.numRows; r++) {
    const row: Row = {};
    for (const c of cols) setOwn(row, c.name, c.values?.[r] ?? null);
    out[r] = row;
  }
  return out;
}

/** The plain values of one column. */
export function vectorValues(vec: Vector | null): unknown[] | undefined {
  if (vec === null) return undefined;
  const out = new Array<unknown>(vec.length);
  const t = vec.type as DataType;
  for (let i = 0; i < vec.length; i++) out[i] = plain(vec.get(i), t);
  return out;
}

function plain(v: unknown, t: DataType): unknown {
  if (v === null || v === undefined) return null;
  switch (t.typeId) {
    case Type.Struct: {
      const o: Record<string, unknown> = {};
      // Through its [name, value] entries: a struct row read by name answers `__proto__` (and other
      // inherited names) with its prototype, and its toJSON/toArray lose `__proto__`.
      const kids: readonly Field[] = t.children;
      let i = 0;
      for (const [, val] of v as Iterable<[string, unknown]>) {
        const f = kids[i++] as Field;
        setOwn(o, f.name, plain(val, f.type as DataType));
      }
      return o;
    }
    case Type.List:
    case Type.LargeList:
    case Type.FixedSizeList: {
      const sub = v as Vector;
      const ct = (t.children[0] as Field).type as DataType;
      const arr = new Array<unknown>(sub.length);
      for (let j = 0; j < sub.length; j++) arr[j] = plain(sub.get(j), ct);
      return arr;
    }
    case Type.Map: {
      const entry = (t.children[0] as Field).type as DataType;
      const vt = (entry.children[1] as Field).type as DataType;
      const o: Record<string, unknown> = {};
      for (const [k, val] of v as Iterable<[unknown, unknown]>) setOwn(o, String(k), plain(val, vt));
      return o;
    }
    case Type.Int:
      if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
      return v;
    case Type.Timestamp:
      return toDate(v, (t as unknown as { unit: number }).unit);
    case Type.Date:
      return typeof v === 'number' ? new Date(v) : v;
    case Type.Decimal: {
      const scale = (t as unknown as { scale: number }).scale;
      return decimalString(v, scale);
    }
    default:
      return v;
  }
}

function toDate(v: unknown, unit: number): unknown {
  if (typeof v === 'number') return new Date(v);
  if (typeof v === 'bigint') {
    // TimeUnit: 0 s, 1 ms, 2 us, 3 ns
    const ms = unit === 0 ? v * 1000n : unit === 1 ? v : unit === 2 ? v / 1000n : v / 1_000_000n;
    return new Date(Number(ms));
  }
  return v;
}

/** Arrow JS hands decimals back as 128-bit words; render them as exact decimal strings. */
function decimalString(v: unknown, scale: number): string {
  let big: bigint;
  if (v instanceof Uint32Array) {
    big = 0n;
    for (let i = v.length - 1; i >= 0; i--) big = (big << 32n) | BigInt(v[i] ?? 0);
    const bits = BigInt(v.length * 32);
    if (big >> (bits - 1n) === 1n) big -= 1n << bits;
  } else {
    big = BigInt(String(v));
  }
  const neg = big < 0n;
  const digits = (neg ? -big : big).toString().padStart(scale + 1, '0');
  const s = scale === 0 ? digits : `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
  return neg ? `-${s}` : s;
}
