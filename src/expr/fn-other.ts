// Conditional, math, date/time and collection functions, plus the type-named cast shorthands (int(x) ...).
import type { DataType } from '../core/schema.ts';
import { castFunction } from './cast.ts';
import { parseTimestampText, truncateToDay } from './timestamps.ts';
import { compileFormatter, compileParser } from './datetime.ts';
import { LocalError, atRuntime } from './errors.ts';
import { type FnDef, fixed, strict1, strict2, asStr, asInt } from './fn-helpers.ts';
import { roundHalfUp } from './numbers.ts';
import { type Eval, type Part, boolEval } from './part.ts';
import { coerceTo } from './predicates.ts';
import { type ExprType, INTEGRAL, compare, equals, toNumber, widen } from './values.ts';
import { getKeyValue } from './access.ts';

const widest = (args: readonly Part[]): ExprType => args.reduce<ExprType>((t, p) => widen(t, p.type), 'unknown');

function coalesceBuild(args: readonly Part[]): Eval {
  const t = widest(args);
  const fns = args.map((a) => coerceTo(a, t));
  const [f0, f1] = fns;
  if (fns.length === 2 && f0 !== undefined && f1 !== undefined) {
    return (row) => {
      const a = f0(row);
      return a === null || a === undefined ? f1(row) : a;
    };
  }
  return (row) => {
    for (let i = 0; i < fns.length; i++) {
      const v = (fns[i] as Eval)(row);
      if (v !== null && v !== undefined) return v;
    }
    return null;
  };
}

function extreme(sign: 1 | -1): FnDef {
  return {
    min: 2, max: Infinity, returns: widest,
    build: (args) => {
      const fns = args.map((a) => coerceTo(a, widest(args)));
      // NULL arguments are skipped; only all-NULL gives NULL.
      return (row) => {
        let best: unknown = null;
        for (let i = 0; i < fns.length; i++) {
          const v = (fns[i] as Eval)(row);
          if (v === null || v === undefined) continue;
          if (best === null || (compare(v, best) ?? 0) * sign > 0) best = v;
        }
        return best;
      };
    },
  };
}

const numType = (p: Part | undefined): ExprType => (p === undefined ? 'unknown' : p.type === 'string' ? 'double' : p.type);

function math1(f: (x: number) => number, returns: (args: readonly Part[]) => ExprType): FnDef {
  return {
    min: 1, max: 1, returns,
    build: ([a]) => strict1(a as Part, (v) => {
      if (typeof v === 'bigint') return f === Math.abs && v < 0n ? -v : v;
      const n = toNumber(v);
      return n === null ? null : f(n);
    }),
  };
}

/** floor/ceil give BIGINT in Spark; the value stays a JS number (exact up to 2^53). */
const toLongType = fixed('long');

/** A datetime pattern argument: compiled once when literal, otherwise per distinct value. */
function patternArg<T>(p: Part | undefined, compile: (pattern: string) => T): (row: Parameters<Eval>[0]) => T | null {
  if (p === undefined) return () => null;
  const wrap = (s: string): T => {
    try {
      return compile(s);
    } catch (err) {
      throw err instanceof LocalError ? new LocalError(err.message, { argIndex: 1 }) : err;
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

function toTimestampLike(day: boolean): FnDef {
  return {
    min: 1, max: 2, returns: fixed(day ? 'date' : 'timestamp'),
    build: ([a, fmt]) => {
      const af = (a as Part).fn;
      const parse = patternArg(fmt, compileParser);
      const cast = castFunction('timestamp', (a as Part).type);
      return (row) => {
        const v = af(row);
        if (v === null || v === undefined) return null;
        let d: Date | null;
        if (v instanceof Date || fmt === undefined || typeof v !== 'string') d = cast(v) as Date | null;
        else {
          const p = parse(row);
          d = p === null ? null : p(v.trim());
        }
        return d === null ? null : day ? truncateToDay(d) : d;
      };
    },
  };
}

function castShorthand(to: DataType): FnDef {
  return { min: 1, max: 1, returns: fixed(to), build: ([a]) => strict1(a as Part, castFunction(to, (a as Part).type)) };
}

export const OTHER_FUNCTIONS: [string, FnDef][] = [
  ['coalesce', { min: 1, max: Infinity, returns: widest, build: coalesceBuild }],
  ['nvl', { min: 2, max: 2, returns: widest, build: coalesceBuild }],
  ['ifnull', { min: 2, max: 2, returns: widest, build: coalesceBuild }],
  ['nullif', { min: 2, max: 2, returns: (a) => (a[0] as Part).type, build: ([a, b]) => {
    const af = (a as Part).fn;
    const bf = (b as Part).fn;
    return (row) => {
      const x = af(row);
      return equals(x, bf(row)) === true ? null : x;
    };
  } }],
  ['if', { min: 3, max: 3, returns: (a) => widest(a.slice(1)), build: ([c, t, e]) => {
    const cf = boolEval(c as Part);
    const type = widest([t as Part, e as Part]);
    const tf = coerceTo(t as Part, type);
    const ef = coerceTo(e as Part, type);
    return (row) => (cf(row) === true ? tf(row) : ef(row));
  } }],
  ['greatest', extreme(1)],
  ['least', extreme(-1)],
  ['abs', math1(Math.abs, (a) => numType(a[0]))],
  ['floor', math1(Math.floor, toLongType)],
  ['ceil', math1(Math.ceil, toLongType)],
  ['ceiling', math1(Math.ceil, toLongType)],
  ['round', {
    min: 1, max: 2, returns: (a) => numType(a[0]),
    build: ([x, d]) => {
      const xf = (x as Part).fn;
      const df = d?.fn;
      const integral = INTEGRAL.has((x as Part).type);
      return (row) => {
        const v = xf(row);
        const n = typeof v === 'number' ? v : toNumber(v);
        const scale = df === undefined ? 0 : asInt(df(row));
        if (n === null || scale === null) return null;
        // Integral inputs only round for negative scales: round(1234, -2) = 1200.
        return integral && scale >= 0 ? n : roundHalfUp(n, scale);
      };
    },
  }],
  ['to_timestamp', toTimestampLike(false)],
  ['to_date', toTimestampLike(true)],
  ['date_format', {
    min: 2, max: 2, returns: fixed('string'),
    build: ([a, fmt]) => {
      const af = (a as Part).fn;
      const format = patternArg(fmt, compileFormatter);
      return (row) => {
        const v = af(row);
        if (v === null || v === undefined) return null;
        const d = v instanceof Date ? v : typeof v === 'string' ? parseTimestampText(v) : null;
        const f = format(row);
        return d === null || f === null || Number.isNaN(d.getTime()) ? null : f(d);
      };
    },
  }],
  ['current_timestamp', { min: 0, max: 0, volatile: true, returns: fixed('timestamp'), build: () => () => new Date() }],
  ['now', { min: 0, max: 0, volatile: true, returns: fixed('timestamp'), build: () => () => new Date() }],
  ['current_date', { min: 0, max: 0, volatile: true, returns: fixed('date'), build: () => () => truncateToDay(new Date()) }],
  ['size', { min: 1, max: 1, returns: fixed('integer'), build: ([a]) => {
    const af = (a as Part).fn;
    // Spark (legacy sizeOfNull, the default without ANSI mode) gives -1 for NULL.
    return (row) => {
      const v = af(row);
      if (Array.isArray(v)) return v.length;
      if (v instanceof Map) return v.size;
      if (typeof v === 'object' && v !== null && !(v instanceof Date) && !(v instanceof Uint8Array)) return Object.keys(v).length;
      return v === null || v === undefined ? -1 : null;
    };
  } }],
  ['cardinality', { min: 1, max: 1, returns: fixed('integer'), build: ([a]) => strict1(a as Part, (v) => (Array.isArray(v) ? v.length : v instanceof Map ? v.size : typeof v === 'object' && v !== null ? Object.keys(v).length : null)) }],
  ['element_at', {
    min: 2, max: 2,
    returns: ([a]) => { const t = a?.type; return typeof t === 'object' ? (t.type === 'array' ? t.elementType : t.type === 'map' ? t.valueType : 'unknown') : 'unknown'; },
    build: ([a, i]) => {
      if (i?.konst === true && i.value === 0 && (typeof a?.type !== 'object' || a.type.type === 'array')) throw new LocalError('SQL array indices start at 1', { argIndex: 1, expected: 'an index of 1 or more, or negative to count from the end' });
      return strict2(a as Part, i as Part, (v, k) => {
        if (!Array.isArray(v)) return getKeyValue(v, k);
        const idx = asInt(k);
        if (idx === null || idx === 0) return null;
        const at = idx > 0 ? idx - 1 : v.length + idx;
        return at >= 0 && at < v.length ? (v as unknown[])[at] : null;
      });
    },
  }],
  ['array_contains', { min: 2, max: 2, returns: fixed('boolean'), build: ([a, x]) => strict2(a as Part, x as Part, (arr, v) => {
    if (!Array.isArray(arr)) return null;
    let sawNull = false;
    for (const e of arr as unknown[]) {
      if (e === null || e === undefined) sawNull = true;
      else if (equals(e, v) === true) return true;
    }
    return sawNull ? null : false;
  }) }],
  ['int', castShorthand('integer')],
  ['bigint', castShorthand('long')],
  ['smallint', castShorthand('short')],
  ['tinyint', castShorthand('byte')],
  ['double', castShorthand('double')],
  ['float', castShorthand('float')],
  ['boolean', castShorthand('boolean')],
  ['date', castShorthand('date')],
  ['timestamp', castShorthand('timestamp')],
  ['binary', castShorthand('binary')],
];
