// Column steps: select, rename, drop, cast, filter, with_column and fill_null, each compiled once per input schema.
import { ownGetter, ownSetter, setOwn } from '../../core/own.ts';
import { copyOrigin, type Row } from '../../core/record.ts';
import { field, struct, typeToString, type DataType, type StructType } from '../../core/schema.ts';
import { castFunction } from '../../expr/cast.ts';
import { compileExpression, compilePredicate, parseTypeName } from '../../expr/index.ts';
import type { ExprType } from '../../expr/index.ts';
import { configProblem, requireColumn, resolveName, withField, type CompiledStep, type StepEnv } from './step.ts';

const exprName = (env: StepEnv): string => `stage ${env.stage}: ${env.path}`;

/** Copies the record origin onto a row built from scratch, so later stages and the DLQ still know it. */
export function carryOrigin(from: Row, to: Row): Row {
  copyOrigin(from, to);
  return to;
}

export function selectStep(env: StepEnv, schema: StructType | null, names: readonly string[]): CompiledStep {
  const cols = names.map((n) => resolveName(env, schema, n));
  const dup = cols.find((c, i) => cols.indexOf(c) !== i);
  if (dup !== undefined) throw configProblem(env, `column ${JSON.stringify(dup)} is selected twice`);
  const getters = cols.map(ownGetter);
  const setters = cols.map(ownSetter);
  const build = (row: Row): Row => {
    const out: Row = {};
    for (let i = 0; i < cols.length; i++) {
      const v = (getters[i] as (r: Row) => unknown)(row);
      (setters[i] as (o: Row, v: unknown) => void)(out, v === undefined ? null : v);
    }
    return carryOrigin(row, out);
  };
  const out = schema === null ? null : struct(cols.map((c) => requireColumn(env, schema, c)));
  return { op: { kind: 'reshape', build }, schema: out };
}

export function renameStep(env: StepEnv, schema: StructType | null, mapping: Readonly<Record<string, string>>): CompiledStep {
  const renames = new Map<string, string>();
  for (const [from, to] of Object.entries(mapping)) renames.set(resolveName(env, schema, from), to);
  if (schema !== null) {
    const names = schema.fields.map((f) => renames.get(f.name) ?? f.name);
    const clash = names.find((n, i) => names.indexOf(n) !== i);
    if (clash !== undefined) throw configProblem(env, `renaming would give two columns named ${JSON.stringify(clash)}`);
  }
  const build = (row: Row): Row => {
    const out: Row = {};
    for (const k in row) setOwn(out, renames.get(k) ?? k, row[k]);
    return carryOrigin(row, out);
  };
  const out = schema === null ? null : struct(schema.fields.map((f) => ({ ...f, name: renames.get(f.name) ?? f.name })));
  return { op: { kind: 'reshape', build }, schema: out };
}

export function dropStep(schema: StructType | null, names: readonly string[]): CompiledStep {
  const lower = new Set(names.map((n) => n.toLowerCase()));
  const gone = schema === null ? new Set(names) : new Set(schema.fields.filter((f) => names.includes(f.name) || lower.has(f.name.toLowerCase())).map((f) => f.name));
  const build = (row: Row): Row => {
    const out: Row = {};
    for (const k in row) if (!gone.has(k)) setOwn(out, k, row[k]);
    return carryOrigin(row, out);
  };
  const out = schema === null ? null : struct(schema.fields.filter((f) => !gone.has(f.name)));
  return { op: { kind: 'reshape', build }, schema: out };
}

function typeOf(env: StepEnv, text: string): DataType {
  try {
    return parseTypeName(text);
  } catch (err) {
    throw configProblem(env, err instanceof Error ? err.message : String(err), text, 'a Spark type such as string, int, bigint, double, boolean, date, timestamp or decimal(p,s)');
  }
}

export function castStep(env: StepEnv, schema: StructType | null, mapping: Readonly<Record<string, string>>): CompiledStep {
  const columns: string[] = [];
  const values: ((row: Row) => unknown)[] = [];
  let out = schema;
  for (const [name, typeText] of Object.entries(mapping)) {
    const col = resolveName(env, schema, name);
    const to = typeOf(env, typeText);
    const from: ExprType = schema === null ? 'unknown' : requireColumn(env, schema, col).type;
    const cast = castFunction(to, from);
    columns.push(col);
    const get = ownGetter(col);
    values.push((row) => {
      const v = get(row);
      return v === null || v === undefined ? null : cast(v);
    });
    if (out !== null) out = withField(out, col, to);
  }
  return { op: { kind: 'set', columns, values }, schema: out };
}

export function filterStep(env: StepEnv, schema: StructType | null, expr: string): CompiledStep {
  const test = compilePredicate(expr, { schema, name: exprName(env) }).test;
  return { op: { kind: 'filter', test }, schema };
}

export function withColumnStep(env: StepEnv, schema: StructType | null, name: string, expr: string): CompiledStep {
  const c = compileExpression(expr, { schema, name: exprName(env) });
  // A new name replaces an existing column case-insensitively, as Spark's withColumn does.
  const target = schema === null ? name : (schema.fields.find((f) => f.name.toLowerCase() === name.toLowerCase())?.name ?? name);
  const untyped = c.type === 'unknown';
  const out = schema === null ? null : withField(schema, target, untyped ? 'string' : c.type);
  return { op: { kind: 'set', columns: [target], values: [c.evaluate] }, schema: out, ...(untyped && out !== null ? { untyped: [target] } : {}) };
}

export function fillNullStep(env: StepEnv, schema: StructType | null, defaults: Readonly<Record<string, string | number | boolean>>): CompiledStep {
  const columns: string[] = [];
  const values: ((row: Row) => unknown)[] = [];
  let out = schema;
  for (const [name, raw] of Object.entries(defaults)) {
    const col = resolveName(env, schema, name);
    let value: unknown = raw;
    if (schema !== null) {
      const f = requireColumn(env, schema, col);
      const from: ExprType = typeof raw === 'string' ? 'string' : typeof raw === 'boolean' ? 'boolean' : Number.isInteger(raw) ? 'long' : 'double';
      value = typeof f.type === 'object' ? null : castFunction(f.type, from)(raw);
      if (value === null) throw configProblem(env, `default for ${JSON.stringify(col)} does not convert to its type ${typeToString(f.type)}`, raw);
      out = struct((out ?? schema).fields.map((g) => (g.name === col ? field(g.name, g.type, false) : g)));
    }
    const v = value;
    columns.push(col);
    const get = ownGetter(col);
    values.push((row) => {
      const x = get(row);
      return x === null || x === undefined ? v : x;
    });
  }
  return { op: { kind: 'set', columns, values }, schema: out };
}
