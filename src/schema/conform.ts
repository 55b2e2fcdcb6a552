// Compiles a schema once into a fast row conformer that coerces values losslessly or says why it cannot.
import type { DataType, StructType } from '../core/schema.ts';
import { typeToString } from '../core/schema.ts';
import { copyOrigin, ORIGIN, ORIGIN_LINE, type Row } from '../core/record.ts';
import { generateStructConformer } from './conform-struct.ts';
import { setOwn } from '../core/own.ts';
import { expectedOf, inputRules, scalarConverter, type InputKind, type InputRules } from './values/convert.ts';
import { NumberText } from './values/numbers.ts';

export interface ConformOptions {
  /** What produced the values (see values/convert.ts): a JSON reader, CSV cells, or values already
   * in the value model (the default). */
  readonly input?: InputKind;
  /** Also read strings as CSV cells are read (numbers, booleans and dates written as text). */
  readonly coerceStrings?: boolean;
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
  const rules = inputRules(options.input ?? 'typed', options.coerceStrings === true);
  const top = compileStruct(schema, rules, '', options.rebuild === true);
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

function compileStruct(t: StructType, rules: InputRules, prefix: string, rebuild = false): Convert {
  const fields = t.fields.map((f) => ({
    name: f.name,
    nullable: f.nullable,
    type: f.type,
    convert: compileType(f.type, rules, prefix === '' ? f.name : `${prefix}.${f.name}`),
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
      for (const f of fields) setOwn(copy, f.name, (Object.hasOwn(v, f.name) ? v[f.name] : null) ?? null);
      return copy;
    },
  }, rebuild ? ORIGIN_KEYS : []);
}

/** The origin tags a rebuilt row carries in its own slots. */
const ORIGIN_KEYS = [ORIGIN, ORIGIN_LINE];

function compileType(t: DataType, rules: InputRules, path: string): Convert {
  if (typeof t === 'string') {
    const convert = scalarConverter(t, rules);
    const expected = expectedOf(t);
    return (v, st) => {
      const y = convert(v);
      return y === undefined ? fail(st, expected, v) : y;
    };
  }
  switch (t.type) {
    case 'struct': return compileStruct(t, rules, path);
    case 'array': return array(compileType(t.elementType, rules, `${path}[]`), t.containsNull, typeToString(t.elementType));
    case 'map': return map(t.keyType, compileType(t.valueType, rules, `${path}{}`), t.valueContainsNull, typeToString(t));
  }
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
  const key = keyType === 'string' ? null : compileType(keyType, { numbers: 'typed', strings: 'text' }, '');
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
      if (out !== null) setOwn(out, k, y);
    }
    return out ?? entries;
  };
}

function describe(v: unknown): string {
  if (v === MISSING) return 'nothing (the field is missing)';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (typeof v === 'bigint') return `${v}`;
  if (v instanceof NumberText) return v.text;
  if (v === null || typeof v === 'number' || typeof v === 'boolean' || v === undefined) return String(v);
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? 'an invalid date' : `the date-time ${v.toISOString()}`;
  if (v instanceof Uint8Array) return `${v.length} bytes`;
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'object') return 'an object';
  return typeof v;
}

const cache = new WeakMap<StructType, Map<string, Conformer>>();

/** A conformer compiled once per schema and options, and reused. */
export function conformerFor(schema: StructType, options: ConformOptions = {}): Conformer {
  let bySchema = cache.get(schema);
  if (bySchema === undefined) cache.set(schema, (bySchema = new Map<string, Conformer>()));
  const key = `${options.input ?? 'typed'}|${options.coerceStrings === true}|${options.rebuild === true}`;
  let c = bySchema.get(key);
  if (c === undefined) bySchema.set(key, (c = compileConformer(schema, options)));
  return c;
}

/** The kind of values a batch holds: raw JSON values until some component gave it a schema, values
 * in the value model of that schema after. */
export function inputKindOf(batchSchema: StructType | null): InputKind {
  return batchSchema === null ? 'json' : 'typed';
}
