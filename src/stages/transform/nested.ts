// Nested-data steps: flatten (struct columns to `parent_child` columns) and explode (one row per array element).
import { ownGetter, setOwn } from '../../core/own.ts';
import type { Row } from '../../core/record.ts';
import { field, isArray, isStruct, struct, typeToString, type StructField, type StructType } from '../../core/schema.ts';
import { carryOrigin } from './columns.ts';
import { configProblem, requireColumn, resolveName, type CompiledStep, type StepEnv } from './step.ts';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

interface FlatColumn {
  readonly name: string;
  readonly path: readonly string[];
  readonly field: StructField;
}

function flattenFields(fields: readonly StructField[], prefix: string, path: readonly string[], sep: string, nullableParent: boolean, out: FlatColumn[]): void {
  for (const f of fields) {
    const name = prefix === '' ? f.name : `${prefix}${sep}${f.name}`;
    const p = [...path, f.name];
    if (isStruct(f.type) && f.type.fields.length > 0) flattenFields(f.type.fields, name, p, sep, nullableParent || f.nullable, out);
    else out.push({ name, path: p, field: field(name, f.type, nullableParent || f.nullable) });
  }
}

export function flattenStep(env: StepEnv, schema: StructType | null, sep: string, only: readonly string[] | undefined): CompiledStep {
  if (schema === null) return flattenDynamic(sep, only === undefined ? undefined : new Set(only));
  const chosen = new Set((only ?? schema.fields.map((f) => f.name)).map((n) => requireColumn(env, schema, n).name));
  const cols: FlatColumn[] = [];
  for (const f of schema.fields) {
    if (chosen.has(f.name) && isStruct(f.type) && f.type.fields.length > 0) flattenFields(f.type.fields, f.name, [f.name], sep, f.nullable, cols);
    else cols.push({ name: f.name, path: [f.name], field: f });
  }
  const seen = new Set<string>();
  for (const c of cols) {
    if (seen.has(c.name)) throw configProblem(env, `flattening gives two columns named ${JSON.stringify(c.name)}`, undefined, 'a different separator or a rename first');
    seen.add(c.name);
  }
  const getters = cols.map((c) => pathGetter(c.path));
  const names = cols.map((c) => c.name);
  const build = (row: Row): Row => {
    const out: Row = {};
    for (let i = 0; i < names.length; i++) setOwn(out, names[i] as string, (getters[i] as (r: Row) => unknown)(row));
    return carryOrigin(row, out);
  };
  return { op: { kind: 'reshape', build }, schema: struct(cols.map((c) => c.field)) };
}

function pathGetter(path: readonly string[]): (row: Row) => unknown {
  const [head = '', ...rest] = path;
  const first = ownGetter(head);
  if (rest.length === 0) return (row) => first(row) ?? null;
  const getters = rest.map(ownGetter);
  return (row) => {
    let v: unknown = first(row);
    for (const get of getters) {
      if (v === null || v === undefined || typeof v !== 'object') return null;
      v = get(v as Record<string, unknown>);
    }
    return v ?? null;
  };
}

function flattenDynamic(sep: string, only: ReadonlySet<string> | undefined): CompiledStep {
  const put = (out: Row, prefix: string, obj: Record<string, unknown>): void => {
    for (const k in obj) {
      const v = obj[k];
      const name = `${prefix}${sep}${k}`;
      if (isPlainObject(v)) put(out, name, v);
      else setOwn(out, name, v ?? null);
    }
  };
  const build = (row: Row): Row => {
    const out: Row = {};
    for (const k in row) {
      const v = row[k];
      if (isPlainObject(v) && (only === undefined || only.has(k))) put(out, k, v);
      else setOwn(out, k, v);
    }
    return carryOrigin(row, out);
  };
  return { op: { kind: 'reshape', build }, schema: null };
}

export interface ExplodeOptions {
  readonly column: string;
  readonly as?: string | undefined;
  readonly outer: boolean;
  readonly position?: string | undefined;
}

export function explodeStep(env: StepEnv, schema: StructType | null, o: ExplodeOptions): CompiledStep {
  const col = resolveName(env, schema, o.column);
  const as = o.as ?? col;
  const pos = o.position;
  let out: StructType | null = null;
  if (schema !== null) {
    const f = requireColumn(env, schema, col);
    if (!isArray(f.type)) throw configProblem(env, `column ${JSON.stringify(col)} is ${typeToString(f.type)}, not an array`, undefined, 'an ARRAY column');
    const fields: StructField[] = [];
    for (const g of schema.fields) {
      if (g.name !== col) {
        if (g.name === as || g.name === pos) throw configProblem(env, `column ${JSON.stringify(g.name)} already exists`, undefined, 'a new name in `as` / `position`');
        fields.push(g);
        continue;
      }
      if (pos !== undefined) fields.push(field(pos, 'integer', o.outer));
      fields.push(field(as, f.type.elementType, true));
    }
    out = struct(fields);
  }
  // Built key by key rather than spread-and-assign: new objects then share hidden classes, which keeps wide batches fast.
  const make = (row: Row, el: unknown, i: number | null): Row => {
    const r: Row = {};
    for (const k in row) {
      if (k !== col) setOwn(r, k, row[k]);
      else {
        if (pos !== undefined) setOwn(r, pos, i);
        setOwn(r, as, el === undefined ? null : el);
      }
    }
    return carryOrigin(row, r);
  };
  const get = ownGetter(col);
  const explode = (row: Row): Row[] => {
    const v = get(row);
    if (v === null || v === undefined || (Array.isArray(v) && v.length === 0)) return o.outer ? [make(row, null, null)] : [];
    if (!Array.isArray(v)) throw new Error(`column ${JSON.stringify(col)} holds ${typeof v}, not an array`);
    const rows = new Array<Row>(v.length);
    for (let i = 0; i < v.length; i++) rows[i] = make(row, v[i], i);
    return rows;
  };
  return { op: { kind: 'explode', explode }, schema: out };
}
