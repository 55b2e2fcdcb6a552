// Compiles a schema once into a fast row conformer that coerces values losslessly or says why it cannot.
import type { DataType, StructType } from '../core/schema.ts';
import { isDecimal, typeToString } from '../core/schema.ts';
import { copyOrigin, ORIGIN, ORIGIN_LINE, type Row } from '../core/record.ts';
import { parseIsoDate, parseIsoTimestamp } from './temporal.ts';
import { generateStructConformer } from './conform-struct.ts';

export interface ConformOptions {
  /** Accept numbers, booleans, dates and timestamps written as strings (CSV cells). */
  readonly fromStrings?: boolean;
  /** The caller owns the input rows (freshly parsed) and drops them after conforming: every row is
   * rebuilt as a compact object holding its columns and origin (see conform-struct.ts), instead of
   * being returned as it is when nothing needs converting. */
  readonly rebuild?: boolean;
}

export interface ConformOk {
  readonly ok: true;
  /** The conformed row: every schema column present (null when absent), nothing else. */
  readonly row: Row;
  /** Columns (dotted paths for nested ones) present in the input but not in the schema; dropped. */
  readonly unknownFields: readonly string[];
}

export interface ConformFail {
  readonly ok: false;
  /** e.g. `amount: expected double, found "12,5"`. */
  readonly message: string;
  /** The dotted path of the offending field, e.g. `address.zip` or `tags[2]`. */
  readonly path: string;
}

export type ConformResult = ConformOk | ConformFail;

/** Conforms one row. To keep the hot path allocation-free the returned result object is reused by
 * the next call of the same conformer: read `row`/`message` before conforming another row. */
export type Conformer = (row: Readonly<Row>) => ConformResult;

const FAIL: unique symbol = Symbol('conform.fail');
type Convert = (v: unknown, st: State) => unknown;

/** Mutable per-conformer scratch space, written only when something is wrong or unknown. */
interface State {
  path: string;
  expected: string;
  found: unknown;
  unknown: string[] | null;
}

const NO_UNKNOWN: readonly string[] = Object.freeze([]);
const MISSING: unique symbol = Symbol('conform.missing');

/** Compiles a conformer for a schema; do it once per schema, not per batch. */
export function compileConformer(schema: StructType, options: ConformOptions = {}): Conformer {
  const fromStrings = options.fromStrings === true;
  const top = compileStruct(schema, fromStrings, '', options.rebuild === true);
  const st: State = { path: '', expected: '', found: undefined, unknown: null };
  const ok = { ok: true as const, row: {} as Row, unknownFields: NO_UNKNOWN };
  const bad = { ok: false as const, message: '', path: '' };
  return (row) => {
    st.unknown = null;
    const out = top(row, st);
    if (out === FAIL) {
      bad.path = st.path;
      bad.message = `${st.path}: expected ${st.expected}, found ${describe(st.found)}`;
      return bad;
    }
    const r = out as Row;
    if (r !== row) copyOrigin(row, r);
    ok.row = r;
    ok.unknownFields = st.unknown ?? NO_UNKNOWN;
    return ok;
  };
}

function fail(st: State, expected: string, found: unknown): typeof FAIL {
  st.path = '';
  st.expected = expected;
  st.found = found;
  return FAIL;
}

function prefixPath(st: State, prefix: string): void {
  const c = st.path[0];
  st.path = st.path === '' ? prefix : c === '[' || c === '{' ? prefix + st.path : `${prefix}.${st.path}`;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date) && !(v instanceof Uint8Array);
}

function compileStruct(t: StructType, fromStrings: boolean, prefix: string, rebuild = false): Convert {
  const fields = t.fields.map((f) => ({
    name: f.name,
    nullable: f.nullable,
    type: f.type,
    convert: compileType(f.type, fromStrings, prefix === '' ? f.name : `${prefix}.${f.name}`),
    typeName: typeToString(f.type),
  }));
  const names = new Set(t.fields.map((f) => f.name));
  const expected = typeToString(t);
  const at = (i: number): (typeof fields)[number] => fields[i] as (typeof fields)[number];
  return generateStructConformer<State>(fields, rebuild ? 'rebuild' : 'copy', {
    FAIL,
    notObject: (v, st) => fail(st, expected, v),
    missing: (i, x, st) => {
      fail(st, `a non-null ${at(i).typeName}`, x === undefined ? MISSING : null);
      st.path = at(i).name;
      return FAIL;
    },
    failedAt: (i, st) => {
      prefixPath(st, at(i).name);
      return FAIL;
    },
    extra: (v, out, st) => {
      for (const k in v) {
        if (names.has(k)) continue;
        (st.unknown ??= []).push(prefix === '' ? k : `${prefix}.${k}`);
      }
      if (out !== null) return out;
      const copy: Row = {};
      for (const f of fields) copy[f.name] = v[f.name] ?? null;
      return copy;
    },
  }, rebuild ? ORIGIN_KEYS : []);
}

/** The origin tags a rebuilt row carries in its own slots. */
const ORIGIN_KEYS = [ORIGIN, ORIGIN_LINE];

function compileType(t: DataType, fromStrings: boolean, path: string): Convert {
  if (typeof t === 'string') {
    if (isDecimal(t)) return decimal(t);
    switch (t) {
      case 'string': return toString;
      case 'long': return integral('bigint', -(2 ** 63), 2 ** 63, fromStrings, true);
      case 'integer': return integral('int', -2147483648, 2147483647, fromStrings, false);
      case 'short': return integral('smallint', -32768, 32767, fromStrings, false);
      case 'byte': return integral('tinyint', -128, 127, fromStrings, false);
      case 'double': return floating('double', fromStrings);
      case 'float': return floating('float', fromStrings);
      case 'boolean': return fromStrings ? booleanFromString : booleanStrict;
      case 'binary': return (v, st) => (v instanceof Uint8Array ? v : fail(st, 'binary', v));
      case 'date': return date;
      case 'timestamp':
      case 'timestamp_ntz': return timestamp(t);
    }
  }
  switch (t.type) {
    case 'struct': return compileStruct(t, fromStrings, path);
    case 'array': return array(compileType(t.elementType, fromStrings, `${path}[]`), t.containsNull, typeToString(t.elementType));
    case 'map': return map(t.keyType, compileType(t.valueType, fromStrings, `${path}{}`), t.valueContainsNull, typeToString(t));
  }
}

const toString: Convert = (v, st) => {
  switch (typeof v) {
    case 'string': return v;
    case 'number':
    case 'boolean':
    case 'bigint': return String(v);
    case 'object':
      if (v instanceof Date) return Number.isNaN(v.getTime()) ? fail(st, 'string', v) : v.toISOString();
      if (v instanceof Uint8Array) return fail(st, 'string', v);
      // A nested JSON value read into a string column keeps its JSON text, as Spark's JSON reader does.
      return JSON.stringify(v);
    default: return fail(st, 'string', v);
  }
};

const INT_RE = /^[+-]?\d+$/;
const NUM_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function integral(name: string, min: number, max: number, fromStrings: boolean, isLong: boolean): Convert {
  const expected = isLong ? name : `${name} (${min} to ${max})`;
  return (v, st) => {
    if (typeof v === 'number') return Number.isInteger(v) && v >= min && v <= max ? v : fail(st, expected, v);
    if (typeof v === 'bigint') {
      if (v < BigInt(min) || v >= BigInt(max) + (isLong ? 0n : 1n)) return fail(st, expected, v);
      return Number.isSafeInteger(Number(v)) ? Number(v) : v;
    }
    if (fromStrings && typeof v === 'string' && INT_RE.test(v)) {
      const n = Number(v);
      if (Number.isSafeInteger(n)) return n >= min && n <= max ? n : fail(st, expected, v);
      if (!isLong) return fail(st, expected, v);
      const b = BigInt(v);
      return b >= -(2n ** 63n) && b < 2n ** 63n ? b : fail(st, expected, v);
    }
    return fail(st, expected, v);
  };
}

function floating(name: string, fromStrings: boolean): Convert {
  return (v, st) => {
    if (typeof v === 'number') return v;
    if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : fail(st, name, v);
    if (fromStrings && typeof v === 'string') {
      if (NUM_RE.test(v)) return Number(v);
      if (v === 'NaN') return NaN;
      if (v === 'Infinity' || v === '+Infinity') return Infinity;
      if (v === '-Infinity') return -Infinity;
    }
    return fail(st, name, v);
  };
}

/** Decimals are carried as canonical decimal text (e.g. "12.30" for decimal(10,2)): exact at any precision. */
function decimal(t: `decimal(${number},${number})`): Convert {
  const m = /^decimal\((\d+),(\d+)\)$/.exec(t);
  const precision = Number(m?.[1] ?? 10);
  const scale = Number(m?.[2] ?? 0);
  const expected = `decimal(${precision},${scale})`;
  const fromText = (s: string, st: State, found: unknown): unknown => {
    const d = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(s);
    if (d === null || (d[2] === '' && (d[3] ?? '') === '')) return fail(st, expected, found);
    const intPart = (d[2] ?? '').replace(/^0+(?=\d)/, '') || '0';
    const frac = (d[3] ?? '').replace(/0+$/, '');
    if (frac.length > scale || (intPart === '0' ? 0 : intPart.length) > precision - scale) return fail(st, expected, found);
    const sign = d[1] === '-' && /[1-9]/.test(intPart + frac) ? '-' : '';
    return scale === 0 ? `${sign}${intPart}` : `${sign}${intPart}.${frac.padEnd(scale, '0')}`;
  };
  return (v, st) => {
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return fail(st, expected, v);
      const text = v.toFixed(Math.min(scale, 100));
      return Number(text) === v ? fromText(text, st, v) : fail(st, expected, v);
    }
    if (typeof v === 'bigint') return fromText(v.toString(), st, v);
    // Decimal text is the representation itself, so strings are accepted with or without fromStrings.
    if (typeof v === 'string') return fromText(v, st, v);
    return fail(st, expected, v);
  };
}

const booleanStrict: Convert = (v, st) => (typeof v === 'boolean' ? v : fail(st, 'boolean', v));
const booleanFromString: Convert = (v, st) => {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    const l = v.toLowerCase();
    if (l === 'true') return true;
    if (l === 'false') return false;
  }
  return fail(st, 'boolean', v);
};

const date: Convert = (v, st) => {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? fail(st, 'date (YYYY-MM-DD)', v) : v;
  if (typeof v === 'string') {
    const ms = parseIsoDate(v);
    if (ms !== undefined) return new Date(ms);
  }
  return fail(st, 'date (YYYY-MM-DD)', v);
};

function timestamp(name: string): Convert {
  const expected = `${name} (ISO-8601)`;
  return (v, st) => {
    if (v instanceof Date) return Number.isNaN(v.getTime()) ? fail(st, expected, v) : v;
    if (typeof v === 'string') {
      const ms = parseIsoTimestamp(v) ?? parseIsoDate(v);
      if (ms !== undefined) return new Date(ms);
    }
    return fail(st, expected, v);
  };
}

function array(el: Convert, containsNull: boolean, elName: string): Convert {
  return (v, st) => {
    if (!Array.isArray(v)) return fail(st, `array<${elName}>`, v);
    const xs = v as unknown[];
    let out: unknown[] | null = null;
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i];
      let y: unknown;
      if (x === null || x === undefined) {
        if (!containsNull) {
          fail(st, `a non-null ${elName}`, null);
          st.path = `[${i}]`;
          return FAIL;
        }
        y = null;
      } else {
        y = el(x, st);
        if (y === FAIL) {
          st.path = st.path === '' ? `[${i}]` : st.path.startsWith('[') ? `[${i}]${st.path}` : `[${i}].${st.path}`;
          return FAIL;
        }
      }
      if (out === null && y !== x) out = xs.slice(0, i);
      if (out !== null) out.push(y);
    }
    return out ?? xs;
  };
}

function map(keyType: DataType, value: Convert, valueContainsNull: boolean, expected: string): Convert {
  // Keys arrive as object keys (strings); a non-string key type only checks that each key parses.
  const key = keyType === 'string' ? null : compileType(keyType, true, '');
  return (v, st) => {
    const entries = v instanceof Map ? Object.fromEntries(v as Map<unknown, unknown>) as Record<string, unknown> : v;
    if (!isPlainObject(entries)) return fail(st, expected, v);
    let out: Record<string, unknown> | null = entries === v ? null : entries;
    for (const k in entries) {
      if (key !== null && key(k, st) === FAIL) {
        st.path = `{${k}}`;
        st.expected = `a key of ${expected}`;
        return FAIL;
      }
      const x = entries[k];
      let y: unknown;
      if (x === null || x === undefined) {
        if (!valueContainsNull) {
          fail(st, `a non-null value of ${expected}`, null);
          st.path = `{${k}}`;
          return FAIL;
        }
        y = null;
      } else {
        y = value(x, st);
        if (y === FAIL) {
          st.path = st.path === '' ? `{${k}}` : `{${k}}.${st.path}`;
          return FAIL;
        }
      }
      if (out === null && y !== x) out = { ...entries };
      if (out !== null) out[k] = y;
    }
    return out ?? entries;
  };
}

function describe(v: unknown): string {
  if (v === MISSING) return 'nothing (the field is missing)';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (typeof v === 'bigint') return `${v}`;
  if (v === null || typeof v === 'number' || typeof v === 'boolean' || v === undefined) return String(v);
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? 'an invalid date' : `the date-time ${v.toISOString()}`;
  if (v instanceof Uint8Array) return `${v.length} bytes`;
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'object') return 'an object';
  return typeof v;
}
