// Per-column profile of a batch: count, nulls, null rate, approximate distinct count, min, max and mean.
import type { JsonValue } from '../../core/component.ts';
import { HyperLogLog } from './hll.ts';

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
      if (v instanceof Date) return 'd' + String(v.getTime());
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
  private numN = 0;
  private numSum = 0;
  private numMin = Infinity;
  private numMax = -Infinity;
  private textMin: string | undefined;
  private textMax: string | undefined;
  private timeMin = Infinity;
  private timeMax = -Infinity;

  constructor(precision = 12) {
    this.hll = new HyperLogLog(precision);
  }

  add(v: unknown): void {
    this.count++;
    if (v === null || v === undefined) {
      this.nulls++;
      return;
    }
    this.hll.add(distinctKey(v));
    if (typeof v === 'number' || typeof v === 'bigint') {
      const x = Number(v);
      if (Number.isNaN(x)) return;
      this.numN++;
      this.numSum += x;
      if (x < this.numMin) this.numMin = x;
      if (x > this.numMax) this.numMax = x;
    } else if (typeof v === 'string') {
      if (this.textMin === undefined || v < this.textMin) this.textMin = v;
      if (this.textMax === undefined || v > this.textMax) this.textMax = v;
    } else if (v instanceof Date) {
      const t = v.getTime();
      if (Number.isNaN(t)) return;
      if (t < this.timeMin) this.timeMin = t;
      if (t > this.timeMax) this.timeMax = t;
    }
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
    this.timeMin = Math.min(this.timeMin, o.timeMin);
    this.timeMax = Math.max(this.timeMax, o.timeMax);
  }

  toJSON(): ColumnProfileJson {
    let min: JsonValue = null;
    let max: JsonValue = null;
    if (this.numN > 0) {
      min = this.numMin;
      max = this.numMax;
    } else if (this.timeMin !== Infinity) {
      min = new Date(this.timeMin).toISOString();
      max = new Date(this.timeMax).toISOString();
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
