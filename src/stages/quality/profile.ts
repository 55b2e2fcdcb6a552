// Per-column profile of a batch: count, nulls, null rate, approximate distinct count, min, max and mean.
// Values are in the value model's forms, so the column type says how one orders and prints: a
// timestamp's bigint is an instant, a date's number a day, a decimal's text an exact number.
import type { JsonValue } from '../../core/component.ts';
import type { DataType } from '../../core/schema.ts';
import { compareDec, decOf } from '../../expr/decimal.ts';
import { valueToString } from '../../schema/values/index.ts';
import { HyperLogLog } from './hll.ts';

type ColumnType = DataType | 'unknown';

/** How a column's values are ranged: as numbers, as text, or in their own order and printed in
 * their string form (dates, timestamps, decimals). */
type RangeKind = 'plain' | 'temporal' | 'decimal';

function rangeKind(t: ColumnType): RangeKind {
  if (t === 'date' || t === 'timestamp' || t === 'timestamp_ntz') return 'temporal';
  return typeof t === 'string' && t.startsWith('decimal(') ? 'decimal' : 'plain';
}

function before(kind: RangeKind, a: unknown, b: unknown): boolean {
  if (kind === 'decimal') {
    const x = decOf(a);
    const y = decOf(b);
    return x !== undefined && y !== undefined && compareDec(x, y) < 0;
  }
  return (a as number) < (b as number);
}

export interface ColumnProfileJson {
  [key: string]: JsonValue;
  count: number;
  nulls: number;
  null_rate: number;
  distinct_approx: number;
  min: JsonValue;
  max: JsonValue;
  mean: number | null;
}

/** The text a value is counted under for distinct counts; the prefix keeps 1 and '1' apart. */
function distinctKey(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return 's' + v;
    case 'number':
    case 'bigint':
      return 'n' + String(v);
    case 'boolean':
      return v ? 'bt' : 'bf';
    default:
      try {
        return 'j' + JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
      } catch {
        return 'x';
      }
  }
}

export class ColumnProfile {
  count = 0;
  nulls = 0;
  private readonly hll: HyperLogLog;
  private readonly kind: RangeKind;
  private numN = 0;
  private numSum = 0;
  private numMin = Infinity;
  private numMax = -Infinity;
  private textMin: string | undefined;
  private textMax: string | undefined;
  /** Smallest and largest value of a temporal or decimal column, in the value model's form. */
  private lo: unknown = undefined;
  private hi: unknown = undefined;

  constructor(
    precision = 12,
    private readonly type: ColumnType = 'unknown',
  ) {
    this.hll = new HyperLogLog(precision);
    this.kind = rangeKind(type);
  }

  add(v: unknown): void {
    this.count++;
    if (v === null || v === undefined) {
      this.nulls++;
      return;
    }
    this.hll.add(distinctKey(v));
    if (this.kind !== 'plain') {
      this.range(v);
      if (this.kind === 'decimal') this.addNumber(Number(v));
    } else if (typeof v === 'number' || typeof v === 'bigint') {
      this.addNumber(Number(v));
    } else if (typeof v === 'string') {
      if (this.textMin === undefined || v < this.textMin) this.textMin = v;
      if (this.textMax === undefined || v > this.textMax) this.textMax = v;
    }
  }

  private addNumber(x: number): void {
    if (Number.isNaN(x)) return;
    this.numN++;
    this.numSum += x;
    if (x < this.numMin) this.numMin = x;
    if (x > this.numMax) this.numMax = x;
  }

  private range(v: unknown): void {
    if (this.lo === undefined || before(this.kind, v, this.lo)) this.lo = v;
    if (this.hi === undefined || before(this.kind, this.hi, v)) this.hi = v;
  }

  merge(o: ColumnProfile): void {
    this.count += o.count;
    this.nulls += o.nulls;
    this.hll.merge(o.hll);
    this.numN += o.numN;
    this.numSum += o.numSum;
    this.numMin = Math.min(this.numMin, o.numMin);
    this.numMax = Math.max(this.numMax, o.numMax);
    if (o.textMin !== undefined && (this.textMin === undefined || o.textMin < this.textMin)) this.textMin = o.textMin;
    if (o.textMax !== undefined && (this.textMax === undefined || o.textMax > this.textMax)) this.textMax = o.textMax;
    if (o.lo !== undefined) this.range(o.lo);
    if (o.hi !== undefined) this.range(o.hi);
  }

  toJSON(): ColumnProfileJson {
    let min: JsonValue = null;
    let max: JsonValue = null;
    if (this.lo !== undefined && this.hi !== undefined) {
      min = valueToString(this.lo, this.type);
      max = valueToString(this.hi, this.type);
    } else if (this.numN > 0) {
      min = this.numMin;
      max = this.numMax;
    } else if (this.textMin !== undefined && this.textMax !== undefined) {
      min = this.textMin;
      max = this.textMax;
    }
    return {
      count: this.count,
      nulls: this.nulls,
      null_rate: this.count === 0 ? 0 : round(this.nulls / this.count),
      distinct_approx: this.count === this.nulls ? 0 : this.hll.estimate(),
      min,
      max,
      mean: this.numN === 0 ? null : round(this.numSum / this.numN),
    };
  }
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
