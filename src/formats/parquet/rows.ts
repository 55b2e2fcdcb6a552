// Arrow columns read from Parquet to row values in the value model (src/schema/values), straight from
// the Arrow buffers: apache-arrow's own getters turn timestamps and dates into JavaScript milliseconds,
// which would drop microseconds.
import { makeVector, Type, type Data, type DataType as ArrowType, type Table, type Vector } from 'apache-arrow';
import type { Row } from '../../core/record.ts';
import { decimalFromUnscaled, longValue } from '../../schema/values/numbers.ts';
import { setOwn } from '../../core/own.ts';

const DAY_MS = 86_400_000n;
const utf8 = new TextDecoder();

/** The values of slots [0, data.length) of one Arrow Data, nulls as null. */
export function dataValues(data: Data): unknown[] {
  const n = data.length;
  const out = new Array<unknown>(n);
  const t: ArrowType = data.type;
  const read = reader(data, t);
  const bm = data.nullBitmap;
  const hasNulls = data.nullCount > 0 && bm !== undefined && bm !== null && bm.length > 0;
  for (let i = 0; i < n; i++) {
    const j = i + data.offset;
    out[i] = hasNulls && ((bm[j >> 3] as number) & (1 << (j & 7))) === 0 ? null : read(j);
  }
  return out;
}

/** The values of a whole column (all its chunks). */
export function vectorValues(vec: Vector | null): unknown[] | undefined {
  if (vec === null) return undefined;
  if (vec.data.length === 1) return dataValues(vec.data[0] as Data);
  const out: unknown[] = [];
  for (const d of vec.data as readonly Data[]) for (const v of dataValues(d)) out.push(v);
  return out;
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

/** A reader of slot j (already offset) of `data`. */
function reader(data: Data, t: ArrowType): (j: number) => unknown {
  const values = data.values as unknown;
  switch (t.typeId) {
    case Type.Int: {
      const a = values as ArrayLike<number | bigint>;
      return (j) => {
        const v = a[j] as number | bigint;
        return typeof v === 'bigint' ? longValue(v) : v;
      };
    }
    case Type.Float: {
      const a = values as ArrayLike<number>;
      // Half floats are stored as 16-bit words; others are the numbers themselves.
      if ((t as unknown as { precision: number }).precision === 0) return (j) => halfToNumber(a[j] as number);
      return (j) => a[j];
    }
    case Type.Bool: {
      const a = values as Uint8Array;
      return (j) => ((a[j >> 3] as number) & (1 << (j & 7))) !== 0;
    }
    case Type.Utf8:
    case Type.LargeUtf8:
    case Type.Binary:
    case Type.LargeBinary: {
      const off = data.valueOffsets as ArrayLike<number | bigint>;
      const bytes = values as Uint8Array;
      const text = t.typeId === Type.Utf8 || t.typeId === Type.LargeUtf8;
      return (j) => {
        const slice = bytes.subarray(Number(off[j]), Number(off[j + 1]));
        return text ? utf8.decode(slice) : slice.slice();
      };
    }
    case Type.FixedSizeBinary: {
      const w = (t as unknown as { byteWidth: number }).byteWidth;
      const bytes = values as Uint8Array;
      return (j) => bytes.slice(j * w, (j + 1) * w);
    }
    case Type.Date: {
      // DateDay holds days; DateMillisecond milliseconds (a 64-bit integer).
      if ((t as unknown as { unit: number }).unit === 0) return (j) => (values as Int32Array)[j];
      const a = values as BigInt64Array;
      return (j) => Number(floorDiv(a[j] as bigint, DAY_MS));
    }
    case Type.Timestamp: {
      const a = values as BigInt64Array;
      // TimeUnit: 0 seconds, 1 milliseconds, 2 microseconds, 3 nanoseconds (floored to microseconds).
      switch ((t as unknown as { unit: number }).unit) {
        case 0: return (j) => (a[j] as bigint) * 1_000_000n;
        case 1: return (j) => (a[j] as bigint) * 1000n;
        case 2: return (j) => a[j];
        default: return (j) => floorDiv(a[j] as bigint, 1000n);
      }
    }
    case Type.Decimal: {
      const scale = (t as unknown as { scale: number }).scale;
      const words = (t as unknown as { bitWidth: number }).bitWidth / 32;
      const a = values as Uint32Array;
      return (j) => {
        let big = 0n;
        for (let k = words - 1; k >= 0; k--) big = (big << 32n) | BigInt(a[j * words + k] ?? 0);
        return decimalFromUnscaled(BigInt.asIntN(words * 32, big), scale);
      };
    }
    case Type.Dictionary: {
      const dict = data.dictionary === undefined ? [] : (vectorValues(data.dictionary) ?? []);
      const a = values as ArrayLike<number | bigint>;
      return (j) => dict[Number(a[j])] ?? null;
    }
    case Type.Struct: {
      const kids = t.children.map((f, k) => ({ name: f.name, values: dataValues(data.children[k] as Data) }));
      return (j) => {
        const o: Record<string, unknown> = {};
        for (const c of kids) setOwn(o, c.name, c.values[j - data.offset] ?? null);
        return o;
      };
    }
    case Type.List:
    case Type.LargeList: {
      const off = data.valueOffsets as ArrayLike<number | bigint>;
      const child = data.children[0] as Data;
      const items = dataValues(child);
      return (j) => items.slice(Number(off[j]) - child.offset, Number(off[j + 1]) - child.offset);
    }
    case Type.FixedSizeList: {
      const size = (t as unknown as { listSize: number }).listSize;
      const items = dataValues(data.children[0] as Data);
      return (j) => items.slice(j * size, (j + 1) * size);
    }
    case Type.Map: {
      const off = data.valueOffsets as ArrayLike<number>;
      const entries = data.children[0] as Data;
      const keys = dataValues(entries.children[0] as Data);
      const vals = dataValues(entries.children[1] as Data);
      return (j) => {
        const o: Record<string, unknown> = {};
        for (let k = Number(off[j]) - entries.offset; k < Number(off[j + 1]) - entries.offset; k++) setOwn(o, String(keys[k]), vals[k] ?? null);
        return o;
      };
    }
    case Type.Null:
      return () => null;
    default: {
      // Types Spark has no column type for (intervals, unions, times): what apache-arrow gives.
      const vec = makeVector(data);
      return (j) => (vec.get(j - data.offset) as unknown) ?? null;
    }
  }
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac === 0 ? sign * Infinity : NaN;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}
