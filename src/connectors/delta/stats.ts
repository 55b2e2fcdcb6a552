// Per-file Delta statistics (numRecords, minValues, maxValues, nullCount) computed from built Arrow columns.
import { formatDate, formatTimestamp, ISO_INSTANT, ISO_LOCAL } from '../../schema/values/temporal.ts';
import type { Data, Table } from 'apache-arrow';
import { setOwn } from '../../core/own.ts';
import type { DataType, StructType } from '../../core/schema.ts';
import { isDecimal } from '../../core/schema.ts';
import { asciiBounds, decimalParams } from '../../formats/parquet/arrow.ts';

export interface StatsOptions {
  /** `delta.dataSkippingNumIndexedCols`: leaf columns that get stats (default 32; -1 means all). */
  readonly numIndexedCols?: number;
  /** Characters kept of string min/max values (default 32). */
  readonly stringPrefixLength?: number;
}

type Obj = Record<string, unknown>;
const ASCII_MAX = '\u007f';
const UTF8_MAX = String.fromCodePoint(0x10ffff);

/** The `add.stats` JSON for one data file holding `table` (written with `schema`). */
export function computeStats(table: Table, schema: StructType, opts: StatsOptions = {}): string {
  const n = opts.numIndexedCols ?? 32;
  const budget = { left: n < 0 ? Infinity : n };
  const prefix = opts.stringPrefixLength ?? 32;
  const batch = table.batches[0];
  const minValues: Obj = {};
  const maxValues: Obj = {};
  const nullCount: Obj = {};
  if (batch !== undefined && table.batches.length === 1) {
    schema.fields.forEach((f, i) => {
      const d = batch.data.children[i];
      if (d !== undefined) collect(f.name, f.type, d, budget, prefix, minValues, maxValues, nullCount);
    });
  }
  return statsJson({ numRecords: table.numRows, minValues, maxValues, nullCount });
}

function collect(name: string, t: DataType, d: Data, budget: { left: number }, prefix: number, mins: Obj, maxs: Obj, nulls: Obj): void {
  if (budget.left <= 0) return;
  if (typeof t === 'object' && t.type === 'struct') {
    const m: Obj = {}, x: Obj = {}, n: Obj = {};
    t.fields.forEach((f, i) => {
      const c = d.children[i];
      if (c !== undefined) collect(f.name, f.type, c, budget, prefix, m, x, n);
    });
    if (Object.keys(m).length > 0) setOwn(mins, name, m);
    if (Object.keys(x).length > 0) setOwn(maxs, name, x);
    if (Object.keys(n).length > 0) setOwn(nulls, name, n);
    return;
  }
  budget.left--;
  setOwn(nulls, name, d.nullCount);
  const mm = minMax(t, d, prefix);
  if (mm !== null) {
    setOwn(mins, name, mm[0]);
    setOwn(maxs, name, mm[1]);
  }
}

function valid(d: Data, i: number): boolean {
  const bm = d.nullBitmap;
  if (bm === undefined || bm === null || bm.length === 0 || d.nullCount === 0) return true;
  const j = i + d.offset;
  return ((bm[j >> 3] as number) & (1 << (j & 7))) !== 0;
}

/** [min, max] as JSON-ready values, or null when the type gets none or every value is null. */
function minMax(t: DataType, d: Data, prefix: number): [unknown, unknown] | null {
  if (typeof t !== 'string') return null;
  const n = d.length;
  // Most columns have no nulls: skip the per-value validity test for them.
  const dense = d.nullCount === 0;
  switch (t) {
    case 'integer': case 'short': case 'byte': case 'date': {
      const a = d.values as Int32Array | Int16Array | Int8Array;
      let lo = Infinity, hi = -Infinity, any = false;
      for (let i = 0; i < n; i++) {
        if (!dense && !valid(d, i)) continue;
        const v = a[i] as number;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
        any = true;
      }
      if (!any) return null;
      if (t === 'date') return [isoDate(lo), isoDate(hi)];
      return [lo, hi];
    }
    case 'double': case 'float': {
      // Spark's order, which its data skipping assumes: NaN above every number. So a file holding a
      // NaN has max NaN (a predicate such as x > 5 must still read it) and min is the least number.
      const a = d.values as Float64Array | Float32Array;
      let lo = Infinity, hi = -Infinity, any = false, nan = false;
      for (let i = 0; i < n; i++) {
        if (!dense && !valid(d, i)) continue;
        const v = a[i] as number;
        if (v !== v) {
          nan = true;
          continue;
        }
        if (v < lo) lo = v;
        if (v > hi) hi = v;
        any = true;
      }
      if (!any) return nan ? [floatJson(NaN), floatJson(NaN)] : null;
      return [floatJson(lo), floatJson(nan ? NaN : hi)];
    }
    case 'long': case 'timestamp': case 'timestamp_ntz': {
      const a = d.values as BigInt64Array;
      const w = new Int32Array(a.buffer, a.byteOffset, a.length * 2);
      let lo = -1, hi = -1;
      for (let i = 0; i < n; i++) {
        if (!dense && !valid(d, i)) continue;
        if (lo < 0 || less64(w, i, lo)) lo = i;
        if (hi < 0 || less64(w, hi, i)) hi = i;
      }
      if (lo < 0) return null;
      const vlo = a[lo] as bigint, vhi = a[hi] as bigint;
      if (t === 'long') return [safe(vlo), safe(vhi)];
      const ntz = t === 'timestamp_ntz';
      return [isoTs(vlo, ntz), isoTs(vhi, ntz)];
    }
    case 'string': {
      const known = asciiBounds.get(d);
      if (known !== undefined) return [truncateMin(known[0], prefix), truncateMax(known[1], prefix)];
      const off = d.valueOffsets as Int32Array;
      const bytes = d.values as Uint8Array;
      let lo = -1, hi = -1;
      for (let i = 0; i < n; i++) {
        if (!dense && !valid(d, i)) continue;
        if (lo < 0 || cmpBytes(bytes, off, i, lo) < 0) lo = i;
        if (hi < 0 || cmpBytes(bytes, off, i, hi) > 0) hi = i;
      }
      if (lo < 0) return null;
      const dec = new TextDecoder();
      const smin = dec.decode(bytes.subarray(off[lo], off[lo + 1]));
      const smax = dec.decode(bytes.subarray(off[hi], off[hi + 1]));
      return [truncateMin(smin, prefix), truncateMax(smax, prefix)];
    }
    default: {
      if (!isDecimal(t)) return null;
      const scale = decimalParams(t)[1];
      const a = d.values as Uint32Array;
      let lo: bigint | null = null, hi: bigint | null = null;
      for (let i = 0; i < n; i++) {
        if (!dense && !valid(d, i)) continue;
        let x = 0n;
        for (let k = 3; k >= 0; k--) x = (x << 32n) | BigInt(a[i * 4 + k] ?? 0);
        x = BigInt.asIntN(128, x);
        if (lo === null || x < lo) lo = x;
        if (hi === null || x > hi) hi = x;
      }
      if (lo === null || hi === null) return null;
      return [new RawNumber(decimalText(lo, scale)), new RawNumber(decimalText(hi, scale))];
    }
  }
}

/** A float in the stats JSON as Spark writes it: a number, or "NaN", "Infinity" and "-Infinity" as
 * strings (JSON has no literal for them; Spark and Delta Kernel parse these strings back into doubles). */
function floatJson(v: number): number | string {
  if (Number.isFinite(v)) return v;
  return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
}

function less64(w: Int32Array, i: number, j: number): boolean {
  const hi = w[2 * i + 1] as number, hj = w[2 * j + 1] as number;
  if (hi !== hj) return hi < hj;
  return (w[2 * i] as number) >>> 0 < (w[2 * j] as number) >>> 0;
}

function cmpBytes(b: Uint8Array, off: Int32Array, i: number, j: number): number {
  let p = off[i] as number, q = off[j] as number;
  const pe = off[i + 1] as number, qe = off[j + 1] as number;
  while (p < pe && q < qe) {
    const x = b[p] as number, y = b[q] as number;
    if (x !== y) return x - y;
    p++; q++;
  }
  return (pe - p) - (qe - q);
}

function safe(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

function isoDate(days: number): string {
  return formatDate(days);
}

/** Millisecond precision, truncated toward negative infinity, as the protocol says timestamps are. */
function isoTs(micros: bigint, ntz: boolean): string {
  const ms = micros >= 0n ? micros / 1000n : -((-micros + 999n) / 1000n);
  return formatTimestamp(ms * 1000n, ntz ? ISO_LOCAL : ISO_INSTANT);
}

/** The first `n` code points; a prefix never sorts after the string it came from. */
export function truncateMin(s: string, n: number): string {
  return codePointPrefix(s, n) ?? s;
}

/** Truncated max gets a tie-breaker character so it stays >= every value with that prefix. */
export function truncateMax(s: string, n: number): string {
  const p = codePointPrefix(s, n);
  if (p === null) return s;
  const next = s.codePointAt(p.length) ?? 0;
  return p + (next < 0x7f ? ASCII_MAX : UTF8_MAX);
}

function codePointPrefix(s: string, n: number): string | null {
  if (s.length <= n) return null;
  let i = 0, count = 0;
  while (i < s.length && count < n) {
    const c = s.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
    count++;
  }
  return i >= s.length ? null : s.slice(0, i);
}

function decimalText(v: bigint, scale: number): string {
  const neg = v < 0n;
  const digits = (neg ? -v : v).toString().padStart(scale + 1, '0');
  const s = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return neg ? `-${s}` : s;
}

/** A number kept as its exact decimal text in the JSON output. */
class RawNumber {
  constructor(readonly text: string) {}
}

/** JSON with bigints and decimals written as exact numbers. */
export function statsJson(v: unknown): string {
  if (v instanceof RawNumber) return v.text;
  if (typeof v === 'bigint') return v.toString();
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(statsJson).join(',')}]`;
  return `{${Object.entries(v as Obj).map(([k, x]) => `${JSON.stringify(k)}:${statsJson(x)}`).join(',')}}`;
}
