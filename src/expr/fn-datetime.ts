// Date and time functions on the value model's forms: timestamps are microseconds since the epoch
// (bigint, UTC), dates days since 1970-01-01 (number). Arguments are cast implicitly as Spark casts
// them (a string or a timestamp where a date is wanted, a date where a timestamp is), and results
// outside years 0001-9999 are NULL.
import {
  civilFromDays, dayOfTimestamp, daysFromCivil, daysInMonth, isDateInRange, isTimestampInRange, timestampFields, timestampFromFields, timestampOfDay,
} from '../schema/values/index.ts';
import { castFunction, floorSeconds } from './cast.ts';
import { compileFormatter, compileParser } from './datetime.ts';
import { decOf, pow10 } from './decimal.ts';
import { LocalError, atRuntime } from './errors.ts';
import { type FnDef, asInt, asStr, fixed } from './fn-helpers.ts';
import type { Eval, Part } from './part.ts';

type Row = Parameters<Eval>[0];

/** The argument as a date (days), cast as Spark casts it implicitly; null for NULL or no date. */
function daysArg(p: Part): (row: Row) => number | null {
  const f = p.fn;
  const cast = castFunction('date', p.type);
  if (p.type === 'date') return (row) => {
    const v = f(row);
    return typeof v === 'number' ? v : v === null || v === undefined ? null : (cast(v) as number | null);
  };
  return (row) => {
    const v = f(row);
    return v === null || v === undefined ? null : (cast(v) as number | null);
  };
}

/** The argument as a timestamp (microseconds), cast as Spark casts it implicitly. */
function microsArg(p: Part): (row: Row) => bigint | null {
  const f = p.fn;
  const cast = castFunction('timestamp', p.type);
  if (p.type === 'timestamp' || p.type === 'timestamp_ntz') return (row) => {
    const v = f(row);
    return typeof v === 'bigint' ? v : v === null || v === undefined ? null : (cast(v) as bigint | null);
  };
  return (row) => {
    const v = f(row);
    return v === null || v === undefined ? null : (cast(v) as bigint | null);
  };
}

function intArg(p: Part): (row: Row) => number | null {
  const f = p.fn;
  return (row) => {
    const v = f(row);
    if (typeof v === 'number') return Number.isInteger(v) ? v : Math.trunc(v);
    return v === null || v === undefined ? null : asInt(v);
  };
}

/** A datetime pattern argument: compiled once when literal, otherwise per distinct value. */
function patternArg<T>(p: Part | undefined, compile: (pattern: string) => T, argIndex: number): (row: Row) => T | null {
  if (p === undefined) return () => null;
  const wrap = (s: string): T => {
    try {
      return compile(s);
    } catch (err) {
      throw err instanceof LocalError ? new LocalError(err.message, { argIndex }) : err;
    }
  };
  if (p.konst) {
    const c = p.value === null ? null : wrap(asStr(p.value, p.type));
    return () => c;
  }
  const f = p.fn;
  let last: string | null = null;
  let cached: T | null = null;
  return (row) => {
    const v = f(row);
    if (v === null || v === undefined) return null;
    const s = asStr(v, p.type);
    if (s !== last) {
      cached = atRuntime('datetime pattern', () => compile(s));
      last = s;
    }
    return cached;
  };
}

/** The instant a string means under a pattern, or what any other value casts to. */
function parsedMicros(a: Part, fmt: Part | undefined): (row: Row) => bigint | null {
  const plain = microsArg(a);
  if (fmt === undefined) return plain;
  const af = a.fn;
  const parse = patternArg(fmt, compileParser, 1);
  return (row) => {
    const v = af(row);
    if (typeof v !== 'string') return plain(row);
    const p = parse(row);
    return p === null ? null : p(v.trim());
  };
}

const nowMicros = (): bigint => BigInt(Date.now()) * 1000n;
const dateOrNull = (d: number): number | null => (isDateInRange(d) ? d : null);
const tsOrNull = (us: bigint): bigint | null => (isTimestampInRange(us) ? us : null);

/** f(date) for a function of one date argument. */
function ofDate(returns: Part['type'], f: (days: number) => unknown): FnDef {
  return { min: 1, max: 1, returns: fixed(returns), build: ([a]) => {
    const d = daysArg(a as Part);
    return (row) => {
      const x = d(row);
      return x === null ? null : f(x);
    };
  } };
}

function ofTimestamp(returns: Part['type'], f: (us: bigint) => unknown): FnDef {
  return { min: 1, max: 1, returns: fixed(returns), build: ([a]) => {
    const t = microsArg(a as Part);
    return (row) => {
      const x = t(row);
      return x === null ? null : f(x);
    };
  } };
}

/** ISO-8601 week of the year (weeks start on Monday; week 1 holds the year's first Thursday). */
function isoWeek(days: number): number {
  const weekday = (((days + 3) % 7) + 7) % 7; // 0 = Monday
  const thursday = days - weekday + 3;
  const { y } = civilFromDays(thursday);
  return Math.floor((thursday - daysFromCivil(y, 1, 1)) / 7) + 1;
}

function addMonths(days: number, n: number): number | null {
  const { y, m, d } = civilFromDays(days);
  const total = y * 12 + (m - 1) + n;
  const ny = Math.floor(total / 12);
  const nm = total - ny * 12 + 1;
  if (ny < 1 || ny > 9999) return null;
  return daysFromCivil(ny, nm, Math.min(d, daysInMonth(ny, nm)));
}

/** The first day of the unit a date is in, for trunc and date_trunc; undefined for an unknown unit. */
function truncDays(days: number, unit: string): number | undefined {
  const { y, m } = civilFromDays(days);
  switch (unit) {
    case 'year': case 'yyyy': case 'yy': return daysFromCivil(y, 1, 1);
    case 'quarter': return daysFromCivil(y, m - ((m - 1) % 3), 1);
    case 'month': case 'mm': case 'mon': return daysFromCivil(y, m, 1);
    case 'week': return days - ((((days + 3) % 7) + 7) % 7);
    default: return undefined;
  }
}

const TIME_UNITS: Record<string, bigint> = { day: 86_400_000_000n, dd: 86_400_000_000n, hour: 3_600_000_000n, minute: 60_000_000n, second: 1_000_000n, millisecond: 1000n, microsecond: 1n };

function truncMicros(us: bigint, unit: string): bigint | null {
  const step = TIME_UNITS[unit];
  if (step !== undefined) {
    const r = us % step;
    return r < 0n ? us - r - step : us - r;
  }
  const d = truncDays(dayOfTimestamp(us), unit);
  return d === undefined ? null : timestampOfDay(d);
}

/** A unit argument (trunc, date_trunc): a literal, lower-cased, checked when the expression compiles. */
function unitArg(p: Part, argIndex: number, known: (u: string) => boolean): (row: Row) => string | null {
  if (p.konst) {
    if (p.value === null) return () => null;
    const u = asStr(p.value, p.type).toLowerCase();
    if (!known(u)) throw new LocalError(`unknown unit ${JSON.stringify(u)}`, { argIndex, expected: 'YEAR, QUARTER, MONTH, WEEK, DAY, HOUR, MINUTE, SECOND, MILLISECOND or MICROSECOND' });
    return () => u;
  }
  const f = p.fn;
  return (row) => {
    const v = f(row);
    return v === null || v === undefined ? null : asStr(v, p.type).toLowerCase();
  };
}

const DEFAULT_PATTERN = 'yyyy-MM-dd HH:mm:ss';

function unixTimestamp(min: number): FnDef {
  return {
    min, max: 2, volatile: min === 0, returns: fixed('long'),
    build: ([a, fmt]) => {
      if (a === undefined) return () => Number(floorSeconds(nowMicros()));
      // Text is read with the pattern, `yyyy-MM-dd HH:mm:ss` unless another is given.
      const us = fmt === undefined && (a.type === 'string' || a.type === 'unknown')
        ? parsedMicros(a, { fn: () => DEFAULT_PATTERN, type: 'string', konst: true, value: DEFAULT_PATTERN, pos: a.pos })
        : parsedMicros(a, fmt);
      return (row) => {
        const x = us(row);
        return x === null ? null : Number(floorSeconds(x));
      };
    },
  };
}

/** A timestamp from a count of units since the epoch; fractions of seconds exact for decimals. */
function timestampFrom(usPerUnit: number): FnDef {
  return {
    min: 1, max: 1, returns: fixed('timestamp'),
    build: ([a]) => {
      const f = (a as Part).fn;
      return (row) => {
        const v = f(row);
        if (v === null || v === undefined) return null;
        if (typeof v === 'number' && !Number.isSafeInteger(v)) return Number.isFinite(v) ? tsOrNull(BigInt(Math.trunc(v * usPerUnit))) : null;
        const d = decOf(v);
        if (d === undefined) return null;
        const scaled = d.unscaled * BigInt(usPerUnit);
        return tsOrNull(scaled / pow10(d.scale));
      };
    },
  };
}

export const DATETIME_FUNCTIONS: [string, FnDef][] = [
  ['to_timestamp', { min: 1, max: 2, returns: fixed('timestamp'), build: ([a, fmt]) => parsedMicros(a as Part, fmt) }],
  ['to_date', { min: 1, max: 2, returns: fixed('date'), build: ([a, fmt]) => {
    if (fmt === undefined) return daysArg(a as Part);
    const us = parsedMicros(a as Part, fmt);
    return (row) => {
      const x = us(row);
      return x === null ? null : dayOfTimestamp(x);
    };
  } }],
  ['date_format', { min: 2, max: 2, returns: fixed('string'), build: ([a, fmt]) => {
    const us = microsArg(a as Part);
    const format = patternArg(fmt, compileFormatter, 1);
    return (row) => {
      const x = us(row);
      if (x === null) return null;
      const f = format(row);
      return f === null ? null : f(x);
    };
  } }],
  ['from_unixtime', { min: 1, max: 2, returns: fixed('string'), build: ([a, fmt]) => {
    const f = (a as Part).fn;
    const format = fmt === undefined ? ((c) => () => c)(compileFormatter(DEFAULT_PATTERN)) : patternArg(fmt, compileFormatter, 1);
    return (row) => {
      const v = f(row);
      const s = v === null || v === undefined ? null : asInt(v);
      if (s === null || !Number.isSafeInteger(s)) return null;
      const us = tsOrNull(BigInt(s) * 1_000_000n);
      const fm = format(row);
      return us === null || fm === null ? null : fm(us);
    };
  } }],
  ['current_timestamp', { min: 0, max: 0, volatile: true, returns: fixed('timestamp'), build: () => nowMicros }],
  ['now', { min: 0, max: 0, volatile: true, returns: fixed('timestamp'), build: () => nowMicros }],
  ['current_date', { min: 0, max: 0, volatile: true, returns: fixed('date'), build: () => () => dayOfTimestamp(nowMicros()) }],
  ['year', ofDate('integer', (d) => civilFromDays(d).y)],
  ['quarter', ofDate('integer', (d) => Math.floor((civilFromDays(d).m - 1) / 3) + 1)],
  ['month', ofDate('integer', (d) => civilFromDays(d).m)],
  ['day', ofDate('integer', (d) => civilFromDays(d).d)],
  ['dayofmonth', ofDate('integer', (d) => civilFromDays(d).d)],
  // Spark: dayofweek 1 = Sunday ... 7 = Saturday; weekday 0 = Monday ... 6 = Sunday.
  ['dayofweek', ofDate('integer', (d) => ((((d + 4) % 7) + 7) % 7) + 1)],
  ['weekday', ofDate('integer', (d) => (((d + 3) % 7) + 7) % 7)],
  ['dayofyear', ofDate('integer', (d) => d - daysFromCivil(civilFromDays(d).y, 1, 1) + 1)],
  ['weekofyear', ofDate('integer', isoWeek)],
  ['last_day', ofDate('date', (d) => {
    const { y, m } = civilFromDays(d);
    return daysFromCivil(y, m, daysInMonth(y, m));
  })],
  ['unix_date', ofDate('integer', (d) => d)],
  ['hour', ofTimestamp('integer', (us) => timestampFields(us).hour)],
  ['minute', ofTimestamp('integer', (us) => timestampFields(us).minute)],
  ['second', ofTimestamp('integer', (us) => timestampFields(us).second)],
  ['unix_seconds', ofTimestamp('long', (us) => Number(floorSeconds(us)))],
  ['unix_millis', ofTimestamp('long', (us) => Number(us >= 0n ? us / 1000n : -((-us + 999n) / 1000n)))],
  ['unix_micros', ofTimestamp('long', (us) => (Number.isSafeInteger(Number(us)) ? Number(us) : us))],
  ['unix_timestamp', unixTimestamp(0)],
  ['to_unix_timestamp', unixTimestamp(1)],
  ['timestamp_seconds', timestampFrom(1_000_000)],
  ['timestamp_millis', timestampFrom(1000)],
  ['timestamp_micros', timestampFrom(1)],
  ['date_from_unix_date', { min: 1, max: 1, returns: fixed('date'), build: ([a]) => {
    const n = intArg(a as Part);
    return (row) => {
      const x = n(row);
      return x === null ? null : dateOrNull(x);
    };
  } }],
  ['date_add', { min: 2, max: 2, returns: fixed('date'), build: ([a, b]) => shiftDays(a as Part, b as Part, 1) }],
  ['date_sub', { min: 2, max: 2, returns: fixed('date'), build: ([a, b]) => shiftDays(a as Part, b as Part, -1) }],
  ['datediff', { min: 2, max: 2, returns: fixed('integer'), build: ([a, b]) => {
    const end = daysArg(a as Part);
    const start = daysArg(b as Part);
    return (row) => {
      const x = end(row);
      const y = x === null ? null : start(row);
      return x === null || y === null ? null : x - y;
    };
  } }],
  ['add_months', { min: 2, max: 2, returns: fixed('date'), build: ([a, b]) => {
    const d = daysArg(a as Part);
    const n = intArg(b as Part);
    return (row) => {
      const x = d(row);
      const k = x === null ? null : n(row);
      return x === null || k === null ? null : addMonths(x, k);
    };
  } }],
  ['trunc', { min: 2, max: 2, returns: fixed('date'), build: ([a, u]) => {
    const d = daysArg(a as Part);
    const unit = unitArg(u as Part, 1, (x) => truncDays(0, x) !== undefined);
    return (row) => {
      const x = d(row);
      const k = x === null ? null : unit(row);
      return x === null || k === null ? null : (truncDays(x, k) ?? null);
    };
  } }],
  ['date_trunc', { min: 2, max: 2, returns: fixed('timestamp'), build: ([u, a]) => {
    const unit = unitArg(u as Part, 0, (x) => truncMicros(0n, x) !== null);
    const t = microsArg(a as Part);
    return (row) => {
      const k = unit(row);
      const x = k === null ? null : t(row);
      return x === null || k === null ? null : truncMicros(x, k);
    };
  } }],
  ['make_date', { min: 3, max: 3, returns: fixed('date'), build: ([y, m, d]) => {
    const [fy, fm, fd] = [intArg(y as Part), intArg(m as Part), intArg(d as Part)];
    return (row) => {
      const a = fy(row);
      const b = fm(row);
      const c = fd(row);
      if (a === null || b === null || c === null || a < 1 || a > 9999 || b < 1 || b > 12 || c < 1 || c > daysInMonth(a, b)) return null;
      return daysFromCivil(a, b, c);
    };
  } }],
  ['make_timestamp', { min: 6, max: 6, returns: fixed('timestamp'), build: (args) => {
    const ints = args.slice(0, 5).map((p) => intArg(p));
    const sf = (args[5] as Part).fn;
    return (row) => {
      const f = ints.map((g) => g(row));
      const sec = sf(row);
      const d = sec === null || sec === undefined ? undefined : decOf(sec);
      if (f.some((x) => x === null) || d === undefined) return null;
      // Seconds with up to six fraction digits, as Spark's DECIMAL(8,6) argument.
      const us = d.scale <= 6 ? d.unscaled * pow10(6 - d.scale) : d.unscaled / pow10(d.scale - 6);
      if (us < 0n || us >= 60_000_000n) return null;
      const [y, mo, dd, h, mi] = f as number[];
      return timestampFromFields(y ?? 0, mo ?? 0, dd ?? 0, h ?? 0, mi ?? 0, Number(us / 1_000_000n), Number(us % 1_000_000n), 0) ?? null;
    };
  } }],
];

function shiftDays(a: Part, b: Part, sign: 1 | -1): Eval {
  const d = daysArg(a);
  const n = intArg(b);
  return (row) => {
    const x = d(row);
    const k = x === null ? null : n(row);
    return x === null || k === null ? null : dateOrNull(x + sign * k);
  };
}
