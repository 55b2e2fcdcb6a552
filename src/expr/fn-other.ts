// Conditional, math and collection functions, plus the type-named cast shorthands (int(x) ...).
import type { DataType } from '../core/schema.ts';
import { decimalFromUnscaled } from '../schema/values/index.ts';
import { getKeyValue } from './access.ts';
import { castFunction } from './cast.ts';
import { comparator, equality } from './coerce.ts';
import { type DecType, decOf, decTypeName, decTypeOf, MAX_PRECISION, pow10, rescale } from './decimal.ts';
import { LocalError } from './errors.ts';
import { type FnDef, fixed, strict1, strict2, asInt } from './fn-helpers.ts';
import { roundHalfUp } from './numbers.ts';
import { type Eval, type Part, boolEval } from './part.ts';
import { coerceTo } from './predicates.ts';
import { type ExprType, INTEGRAL, isDecimalType, toNumber, widen } from './values.ts';

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
      const t = widest(args);
      const fns = args.map((a) => coerceTo(a, t));
      const cmp = comparator(t, t);
      // NULL arguments are skipped; only all-NULL gives NULL.
      return (row) => {
        let best: unknown = null;
        for (let i = 0; i < fns.length; i++) {
          const v = (fns[i] as Eval)(row);
          if (v === null || v === undefined) continue;
          if (best === null || (cmp(v, best) ?? 0) * sign > 0) best = v;
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

/** The decimal type of a decimal argument, or null when it is something else. */
const decArg = (p: Part | undefined): DecType | null => (p !== undefined && isDecimalType(p.type) ? decTypeOf(p.type) : null);

/** floor and ceil of a decimal(p,s): decimal(p-s+1, 0), exact, as Spark types them. */
function floorCeil(up: boolean): FnDef {
  const plain = math1(up ? Math.ceil : Math.floor, fixed('long'));
  return {
    min: 1, max: 1,
    returns: (args) => {
      const d = decArg(args[0]);
      return d === null ? 'long' : decTypeName({ p: Math.min(MAX_PRECISION, d.p - d.s + 1), s: 0 });
    },
    build: (args) => {
      const a = args[0] as Part;
      if (decArg(a) === null) return plain.build(args);
      return strict1(a, (v) => {
        const d = decOf(v);
        if (d === undefined) return null;
        const q = d.unscaled / pow10(d.scale);
        const exact = q * pow10(d.scale) === d.unscaled;
        const r = exact ? q : up ? (d.unscaled > 0n ? q + 1n : q) : (d.unscaled < 0n ? q - 1n : q);
        return decimalFromUnscaled(r, 0);
      });
    },
  };
}

/** round(decimal, d) HALF_UP and exact, typed as Spark's Round: scale min(s, d), or 0 for d < 0. */
function decimalRound(x: Part, d: DecType, scale: number): { type: ExprType; fn: Eval } {
  const intDigits = d.p - d.s + 1;
  if (scale < 0) {
    // To a multiple of 10^k: the value divided by 10^k (a larger scale), rounded to a whole number.
    const k = -scale;
    return {
      type: decTypeName({ p: Math.min(MAX_PRECISION, intDigits + k), s: 0 }),
      fn: strict1(x, (v) => {
        const dv = decOf(v);
        return dv === undefined ? null : decimalFromUnscaled(rescale({ unscaled: dv.unscaled, scale: dv.scale + k }, 0) * pow10(k), 0);
      }),
    };
  }
  const s = Math.min(d.s, scale);
  return {
    type: decTypeName({ p: Math.min(MAX_PRECISION, intDigits + s), s }),
    fn: strict1(x, (v) => {
      const dv = decOf(v);
      return dv === undefined ? null : decimalFromUnscaled(rescale(dv, s), s);
    }),
  };
}

/** The scale argument of round when it is a literal integer (Spark requires one). */
const roundScale = (p: Part | undefined): number | null => (p === undefined ? 0 : p.konst && typeof p.value === 'number' && Number.isInteger(p.value) ? p.value : null);

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
    const eq = equality((a as Part).type, (b as Part).type);
    return (row) => {
      const x = af(row);
      return eq(x, bf(row)) === true ? null : x;
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
  ['abs', {
    min: 1, max: 1, returns: (a) => numType(a[0]),
    build: (args) => {
      const a = args[0] as Part;
      if (decArg(a) === null) return math1(Math.abs, fixed('unknown')).build(args);
      return strict1(a, (v) => (typeof v === 'string' ? (v.startsWith('-') ? v.slice(1) : v) : typeof v === 'number' ? Math.abs(v) : null));
    },
  }],
  ['floor', floorCeil(false)],
  ['ceil', floorCeil(true)],
  ['ceiling', floorCeil(true)],
  ['round', {
    min: 1, max: 2,
    returns: ([x, d]) => {
      const dt = decArg(x);
      const scale = roundScale(d);
      return dt !== null && scale !== null ? decimalRound(x as Part, dt, scale).type : numType(x);
    },
    build: ([x, d]) => {
      const dt = decArg(x);
      const scale = roundScale(d);
      if (dt !== null && scale !== null) return decimalRound(x as Part, dt, scale).fn;
      const xf = (x as Part).fn;
      const df = d?.fn;
      const integral = INTEGRAL.has((x as Part).type);
      return (row) => {
        const v = xf(row);
        const n = typeof v === 'number' ? v : toNumber(v);
        const sc = df === undefined ? 0 : asInt(df(row));
        if (n === null || sc === null) return null;
        // Integral inputs only round for negative scales: round(1234, -2) = 1200.
        return integral && sc >= 0 ? n : roundHalfUp(n, sc);
      };
    },
  }],
  ['size', { min: 1, max: 1, returns: fixed('integer'), build: ([a]) => {
    const af = (a as Part).fn;
    // Spark (legacy sizeOfNull, the default without ANSI mode) gives -1 for NULL.
    return (row) => {
      const v = af(row);
      if (Array.isArray(v)) return v.length;
      if (v instanceof Map) return v.size;
      if (typeof v === 'object' && v !== null && !(v instanceof Uint8Array)) return Object.keys(v).length;
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
  ['array_contains', { min: 2, max: 2, returns: fixed('boolean'), build: ([a, x]) => {
    const t = (a as Part).type;
    const eq = equality(typeof t === 'object' && t.type === 'array' ? t.elementType : 'unknown', (x as Part).type);
    return strict2(a as Part, x as Part, (arr, v) => {
      if (!Array.isArray(arr)) return null;
      let sawNull = false;
      for (const e of arr as unknown[]) {
        if (e === null || e === undefined) sawNull = true;
        else if (eq(e, v) === true) return true;
      }
      return sawNull ? null : false;
    });
  } }],
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
