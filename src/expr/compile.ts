// Compiles an expression once into a row closure: resolves columns against the schema, infers the result type.
import type { Row } from '../core/record.ts';
import type { DataType, StructType } from '../core/schema.ts';
import type { Node, NodeOf } from './ast.ts';
import { castFunction, parseTypeName } from './cast.ts';
import { ExpressionError, LocalError } from './errors.ts';
import { FUNCTIONS } from './functions.ts';
import { getKeyValue } from './access.ts';
import { bitwiseNot } from './bitwise.ts';
import { binaryOp, negate, not } from './operators.ts';
import { type Ctx, type Eval, type Part, constant, dynamic, fold } from './part.ts';
import { parseExpression } from './parse.ts';
import { between, caseWhen, inList, isTest, like } from './predicates.ts';
import { type ExprType, toBoolean } from './values.ts';

export interface CompileOptions {
  /** Row schema; when given, column names are checked (case-insensitively, as Spark) and types inferred. */
  readonly schema?: StructType | null | undefined;
  /** Where the expression comes from (e.g. `stages[2].filter`), used in error messages. */
  readonly name?: string | undefined;
}

export interface CompiledExpression {
  readonly source: string;
  /** Evaluates the expression for one row; SQL NULL is returned as null. */
  readonly evaluate: (row: Row) => unknown;
  /** Top-level columns the expression reads, as named in the schema when one was given. */
  readonly columns: readonly string[];
  readonly type: DataType | 'unknown';
}

/**
 * A condition, callable as `(row) => boolean`: true only when the expression is TRUE, since NULL and
 * FALSE both reject, as in a SQL WHERE clause. It also carries the compiled expression's facts.
 */
export interface CompiledPredicate extends CompiledExpression {
  (row: Row): boolean;
  readonly test: (row: Row) => boolean;
}

export function compileExpression(source: string, opts: CompileOptions = {}): CompiledExpression {
  return compileTop(source, opts).expr;
}

function compileTop(source: string, opts: CompileOptions): { expr: CompiledExpression; part: Part } {
  const ctx: Ctx = {
    source,
    name: opts.name,
    schema: opts.schema ?? null,
    columns: new Set(),
    fail(pos, reason, expected) {
      throw new ExpressionError(source, pos, reason, { name: opts.name, expected });
    },
  };
  const part = compileParsed(source, opts, ctx);
  const f = part.fn;
  const evaluate = part.konst ? () => part.value : (row: Row): unknown => {
    const v = f(row);
    return v === undefined ? null : v;
  };
  return { expr: { source, evaluate, columns: [...ctx.columns], type: part.type }, part };
}

/** Parses and compiles; a tree too deep for the stack (thousands of chained ORs) is a compile error, not a crash. */
function compileParsed(source: string, opts: CompileOptions, ctx: Ctx): Part {
  try {
    return compileNode(parseExpression(source, opts.name), ctx);
  } catch (err) {
    if (!(err instanceof RangeError) || !/call stack/i.test(err.message)) throw err;
    throw new ExpressionError(source, 0, 'expression too large to compile', { name: opts.name, expected: 'fewer chained operators; a long chain of x = 1 OR x = 2 ... is x IN (1, 2, ...)', cause: err });
  }
}

export function compilePredicate(source: string, opts: CompileOptions = {}): CompiledPredicate {
  const { expr: e, part } = compileTop(source, opts);
  if (e.type !== 'boolean' && e.type !== 'unknown' && e.type !== 'string') {
    throw new ExpressionError(source, 0, `a condition must be boolean, but this expression is ${typeof e.type === 'string' ? e.type : e.type.type}`, { name: opts.name, expected: 'a boolean expression such as a comparison' });
  }
  const ev = part.fn;
  const test = e.type === 'boolean' ? (row: Row): boolean => ev(row) === true : (row: Row): boolean => toBoolean(ev(row)) === true;
  return Object.assign(test, { ...e, test });
}

export function compileNode(n: Node, ctx: Ctx): Part {
  switch (n.kind) {
    case 'literal':
      return constant(n.value, literalType(n.literal), n.pos);
    case 'column':
      return column(n, ctx);
    case 'field':
      return access(compileNode(n.base, ctx), n.name, n.pos);
    case 'subscript':
      return subscript(compileNode(n.base, ctx), compileNode(n.index, ctx), n.pos);
    case 'unary': {
      const arg = compileNode(n.arg, ctx);
      if (n.op === 'NOT') return not(arg);
      if (n.op === '~') return located(ctx, n.pos, () => bitwiseNot(arg));
      return n.op === '-' ? located(ctx, n.pos, () => negate(arg)) : arg;
    }
    case 'binary': {
      const l = compileNode(n.left, ctx);
      const r = compileNode(n.right, ctx);
      return located(ctx, n.pos, () => binaryOp(n.op, l, r));
    }
    case 'in':
      return inList(compileNode(n.arg, ctx), n.list.map((x) => compileNode(x, ctx)), n.negated, n.pos);
    case 'between':
      return between(compileNode(n.arg, ctx), compileNode(n.low, ctx), compileNode(n.high, ctx), n.negated, n.pos);
    case 'like':
      return located(ctx, n.pos, () => like(compileNode(n.arg, ctx), compileNode(n.pattern, ctx), n.regex, n.escape, n.negated, n.pos));
    case 'is':
      return isTest(compileNode(n.arg, ctx), n.test, n.negated, n.pos);
    case 'case':
      return caseWhen(
        n.subject === null ? null : compileNode(n.subject, ctx),
        n.whens.map((w) => ({ cond: compileNode(w.cond, ctx), result: compileNode(w.result, ctx) })),
        n.otherwise === null ? null : compileNode(n.otherwise, ctx),
        n.pos,
      );
    case 'cast':
      return located(ctx, n.pos, () => castPart(compileNode(n.arg, ctx), parseTypeName(n.to), n.pos));
    case 'call':
      return call(n, ctx);
  }
}

function literalType(k: NodeOf<'literal'>['literal']): ExprType {
  return k === 'null' ? 'unknown' : k;
}

/** Runs a builder and turns a LocalError into an ExpressionError at `pos`. */
function located(ctx: Ctx, pos: number, build: () => Part): Part {
  try {
    return build();
  } catch (err) {
    if (err instanceof LocalError) return ctx.fail(pos, err.message, err.expected);
    throw err;
  }
}

export function castPart(arg: Part, to: DataType, pos: number): Part {
  if (arg.type === to) return arg;
  const cast = castFunction(to, arg.type);
  const f = arg.fn;
  const fn: Eval = (row) => {
    const v = f(row);
    return v === null || v === undefined ? null : cast(v);
  };
  return arg.konst ? fold(fn, to, pos) : dynamic(fn, to, pos);
}

function findField(fields: readonly { name: string; type: DataType }[], name: string): { name: string; type: DataType } | undefined {
  const exact = fields.find((f) => f.name === name);
  if (exact !== undefined) return exact;
  const lower = name.toLowerCase();
  const matches = fields.filter((f) => f.name.toLowerCase() === lower);
  return matches.length === 1 ? matches[0] : undefined;
}

function column(n: NodeOf<'column'>, ctx: Ctx): Part {
  const [head = '', ...rest] = n.path;
  let name = head;
  let type: ExprType = 'unknown';
  if (ctx.schema !== null) {
    const f = findField(ctx.schema.fields, head);
    if (f === undefined) {
      const names = ctx.schema.fields.map((x) => x.name);
      return ctx.fail(n.pos, `unknown column ${JSON.stringify(head)}`, names.length === 0 ? 'no columns: the schema is empty' : `one of ${names.slice(0, 30).join(', ')}${names.length > 30 ? ', ...' : ''}`);
    }
    name = f.name;
    type = f.type;
  }
  ctx.columns.add(name);
  const top = name;
  // Names like `constructor` would read Object.prototype on rows that lack them.
  const read: Eval = top in Object.prototype ? (row) => (Object.prototype.hasOwnProperty.call(row, top) ? row[top] : null) : (row) => row[top];
  let part = dynamic(read, type, n.pos);
  let offset = n.pos + head.length + 1;
  for (const field of rest) {
    const t = part.type;
    if (typeof t === 'object' && t.type === 'struct') {
      const f = findField(t.fields, field);
      if (f === undefined) return ctx.fail(offset, `no field ${JSON.stringify(field)} in ${JSON.stringify(name)}`, `one of ${t.fields.map((x) => x.name).join(', ')}`);
      part = access(part, f.name, n.pos, f.type);
    } else if (ctx.schema !== null && t !== 'unknown' && !(typeof t === 'object' && t.type === 'map')) {
      return ctx.fail(offset, `${JSON.stringify(name)} is not a struct, so it has no field ${JSON.stringify(field)}`);
    } else {
      part = access(part, field, n.pos);
    }
    name = `${name}.${field}`;
    offset += field.length + 1;
  }
  return part;
}

function access(base: Part, name: string, pos: number, type?: DataType): Part {
  const f = base.fn;
  const t = base.type;
  const resolved: ExprType = type ?? (typeof t === 'object' && t.type === 'map' ? t.valueType : 'unknown');
  return dynamic((row) => {
    const v = f(row);
    return v === null || v === undefined ? null : getKeyValue(v, name);
  }, resolved, pos);
}

function subscript(base: Part, index: Part, pos: number): Part {
  const bf = base.fn;
  const xf = index.fn;
  const t = base.type;
  const type: ExprType = typeof t === 'object' ? (t.type === 'array' ? t.elementType : t.type === 'map' ? t.valueType : 'unknown') : 'unknown';
  // arr[i] is 0-based in Spark SQL (element_at is the 1-based one); out of range is NULL.
  const fn: Eval = (row) => {
    const v = bf(row);
    if (v === null || v === undefined) return null;
    const k = xf(row);
    if (k === null || k === undefined) return null;
    if (Array.isArray(v)) return typeof k === 'number' && Number.isInteger(k) && k >= 0 && k < v.length ? (v as unknown[])[k] : null;
    return getKeyValue(v, k);
  };
  return base.konst && index.konst ? fold(fn, type, pos) : dynamic(fn, type, pos);
}

function call(n: NodeOf<'call'>, ctx: Ctx): Part {
  const def = FUNCTIONS.get(n.name);
  if (def === undefined) {
    const near = [...FUNCTIONS.keys()].filter((k) => k.startsWith(n.name.slice(0, 3))).slice(0, 6);
    return ctx.fail(n.pos, `unknown function ${n.name}`, near.length > 0 ? `a known function such as ${near.join(', ')}` : 'a supported function');
  }
  if (n.args.length < def.min || n.args.length > def.max) {
    const want = def.min === def.max ? `${def.min}` : def.max === Infinity ? `at least ${def.min}` : `${def.min} to ${def.max}`;
    return ctx.fail(n.pos, `${n.name} takes ${want} argument${want === '1' ? '' : 's'} but was given ${n.args.length}`, `${want} argument${want === '1' ? '' : 's'}`);
  }
  const args = n.args.map((a) => compileNode(a, ctx));
  try {
    const fn = def.build(args);
    const type = def.returns(args);
    if (def.volatile !== true && args.every((a) => a.konst)) return fold(fn, type, n.pos);
    return dynamic(fn, type, n.pos);
  } catch (err) {
    if (!(err instanceof LocalError)) throw err;
    const at = err.argIndex === undefined ? n.pos : (args[err.argIndex]?.pos ?? n.pos);
    return ctx.fail(at, `${n.name}: ${err.message}`, err.expected);
  }
}
