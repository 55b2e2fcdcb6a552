// Parses one Spark SQL expression with node-sql-parser (Hive dialect) and converts its AST into our Node tree.
import type * as SqlParser from 'node-sql-parser/build/hive.js';
import { lazyModule } from '../core/lazy.ts';
import { decimalFromUnscaled } from '../schema/values/index.ts';
import type { Node, BinaryOp, LiteralKind } from './ast.ts';
import { literalDecType, parseDec } from './decimal.ts';
import { ExpressionError } from './errors.ts';
import { lex, LexError, PATH_MARK, NUMBER_MARK, type Lexed } from './lexer.ts';

const PREFIX = 'SELECT ';
const sqlParser = lazyModule<typeof SqlParser>('node-sql-parser/build/hive.js');
let parser: SqlParser.Parser | undefined;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (o: Obj, k: string): string | undefined => (typeof o[k] === 'string' ? o[k] : undefined);
const obj = (o: Obj, k: string): Obj | undefined => (isObj(o[k]) ? o[k] : undefined);
const list = (o: Obj, k: string): unknown[] => (Array.isArray(o[k]) ? (o[k] as unknown[]) : []);

export function parseExpression(source: string, name?: string): Node {
  const fail = (offset: number, reason: string, expected?: string): never => {
    throw new ExpressionError(source, offset, reason, { name, expected });
  };
  if (source.trim() === '') fail(0, 'empty expression', 'an expression');
  let lexed: Lexed;
  try {
    lexed = lex(source);
  } catch (err) {
    if (err instanceof LexError) return fail(err.offset, err.message, err.expected);
    throw err;
  }
  let ast: unknown;
  try {
    ast = (parser ??= new (sqlParser().Parser)()).astify(PREFIX + lexed.text, { database: 'hive', parseOptions: { includeLocations: true } });
  } catch (err) {
    const offset = isObj(err) && isObj(err.location) && isObj(err.location.start) && typeof err.location.start.offset === 'number' ? err.location.start.offset - PREFIX.length : lexed.text.length;
    const orig = lexed.originalOffset(Math.max(0, offset));
    const end = source.trimEnd().length;
    return fail(Math.min(orig, end), orig >= end ? 'unexpected end of expression' : `unexpected ${describeAt(source, orig)}`, describeExpected(err));
  }
  const select = Array.isArray(ast) ? (ast.length === 1 ? (ast[0] as unknown) : undefined) : ast;
  const columns = isObj(select) ? list(select, 'columns') : [];
  const conv = new Converter(source, lexed, fail);
  const first = columns[0];
  if (!isObj(first) || !isObj(first.expr)) return fail(0, 'not an expression', 'an expression');
  const node = conv.node(first.expr);
  const second = columns[1];
  if (isObj(second) && isObj(second.expr)) fail(conv.node(second.expr).pos, 'unexpected second expression after a comma', 'one expression');
  if (first.as !== null && first.as !== undefined) fail(conv.aliasPos(first.as), 'unexpected name after the expression', 'an operator such as AND, = or +');
  return node;
}

function describeAt(source: string, offset: number): string {
  const tok = /^(`[^`]*`?|'[^']*'?|"[^"]*"?|[\p{L}\p{N}_.]+|<=>|[<>!=|]=?|\S)/u.exec(source.slice(offset))?.[0] ?? source.charAt(offset);
  return JSON.stringify(tok.length > 40 ? `${tok.slice(0, 37)}...` : tok);
}

const NOISE = new Set(['#', '--', '/*', ';', 'AS', 'FROM', 'WHERE', 'GROUP', 'HAVING', 'LIMIT', 'ORDER', 'UNION', 'COLLATE', '&&', '"', '`', "'", '$', '@', '@@', ':', 'AT TIME ZONE', 'ON', 'OVER', 'SELECT', 'WITH', 'EXISTS', 'AVG', 'COUNT', 'MAX', 'MIN', 'SUM', 'CURRENT_TIME', 'CURRENT_USER', 'SESSION_USER', 'SYSTEM_USER', 'USER', 'DATETIME', 'TIME', 'INTERVAL', '~']);

function describeExpected(err: unknown): string | undefined {
  if (!isObj(err) || !Array.isArray(err.expected)) return undefined;
  const out = new Set<string>();
  for (const e of err.expected as unknown[]) {
    if (!isObj(e)) continue;
    if (e.type === 'end') out.add('end of expression');
    else if (e.type === 'literal' && typeof e.text === 'string' && !NOISE.has(e.text.toUpperCase())) out.add(e.text === '==' ? '<=>' : e.text);
    else if (e.type === 'class' && Array.isArray(e.parts) && e.parts.some((p) => Array.isArray(p) && p[0] === '0')) out.add('a number');
    else if (e.type === 'class' && Array.isArray(e.parts) && e.parts.some((p) => Array.isArray(p) && p[0] === 'A')) out.add('a name');
  }
  return out.size === 0 ? undefined : [...out].slice(0, 20).join(', ');
}

const BINARY: Record<string, BinaryOp> = {
  '+': '+', '-': '-', '*': '*', '/': '/', '%': '%', '||': '||', '=': '=', '==': '<=>', '!=': '!=', '<>': '!=',
  '<': '<', '<=': '<=', '>': '>', '>=': '>=', AND: 'AND', OR: 'OR',
};

class Converter {
  constructor(
    private readonly source: string,
    private readonly lx: Lexed,
    private readonly fail: (offset: number, reason: string, expected?: string) => never,
  ) {}

  aliasPos(alias: unknown): number {
    const s = typeof alias === 'string' ? alias : '';
    const idx = Number(s.slice(1));
    if (s.startsWith(PATH_MARK)) return this.lx.paths[idx]?.offset ?? 0;
    if (s.startsWith(NUMBER_MARK)) return this.lx.numbers[idx]?.offset ?? 0;
    return this.lx.strings[Number(s)]?.offset ?? 0;
  }

  node(n: Obj): Node {
    const base = this.plain(n);
    let out = base;
    for (const ix of list(n, 'array_index')) {
      if (!isObj(ix) || !isObj(ix.index)) continue;
      out = { kind: 'subscript', base: out, index: this.plain(ix.index), pos: base.pos };
      const prop = obj(ix, 'property');
      const pname = prop === undefined ? undefined : str(prop, 'value');
      if (pname !== undefined) {
        const path = pname.startsWith(PATH_MARK) ? this.lx.paths[Number(pname.slice(1))] : undefined;
        for (const part of path?.parts ?? [pname]) out = { kind: 'field', base: out, name: part, pos: path?.offset ?? base.pos };
      }
    }
    return out;
  }

  private string(n: Obj): { value: string; pos: number; escape: string | undefined } {
    const s = this.lx.strings[Number(str(n, 'value'))];
    if (s === undefined) return this.fail(0, 'internal: unknown string literal');
    return { value: s.value, pos: s.offset, escape: s.escape };
  }

  private plain(n: Obj): Node {
    switch (n.type) {
      case 'column_ref':
        return this.column(n);
      case 'single_quote_string':
      case 'double_quote_string': {
        const s = this.string(n);
        return { kind: 'literal', value: s.value, literal: 'string', pos: s.pos };
      }
      case 'date':
      case 'timestamp': {
        const s = this.string(n);
        return { kind: 'cast', arg: { kind: 'literal', value: s.value, literal: 'string', pos: s.pos }, to: n.type, pos: s.pos };
      }
      case 'number':
        return { kind: 'literal', value: Number(n.value), literal: 'integer', pos: 0 };
      case 'bool':
        return { kind: 'literal', value: n.value === true, literal: 'boolean', pos: 0 };
      case 'null':
        return { kind: 'literal', value: null, literal: 'null', pos: 0 };
      case 'unary_expr': {
        const arg = this.node(obj(n, 'expr') ?? {});
        const op = str(n, 'operator')?.toUpperCase();
        if (op === '-' || op === '+') return { kind: 'unary', op, arg, pos: arg.pos };
        if (op === 'NOT' || op === '!') return { kind: 'unary', op: 'NOT', arg, pos: arg.pos };
        return this.fail(arg.pos, `operator ${op ?? '?'} is not supported`);
      }
      case 'binary_expr':
        return this.binary(n);
      case 'case':
        return this.caseExpr(n);
      case 'cast': {
        const arg = this.node(obj(n, 'expr') ?? {});
        const target = list(n, 'target')[0];
        const t = isObj(target) && typeof target.length === 'number' ? this.lx.types[target.length] : undefined;
        if (t === undefined) return this.fail(arg.pos, 'unsupported CAST target', 'a type such as STRING, INT, BIGINT, DOUBLE, BOOLEAN, DATE, TIMESTAMP or DECIMAL(p,s)');
        return { kind: 'cast', arg, to: t.text, pos: t.offset };
      }
      case 'function':
        return this.call(n);
      case 'aggr_func':
        return this.fail(0, `aggregate function ${str(n, 'name')?.toLowerCase() ?? ''} is not supported in a row expression`, 'a row-level function');
      default:
        return this.fail(0, `unsupported construct ${String(n.type)}`);
    }
  }

  private column(n: Obj): Node {
    const name = str(n, 'column') ?? '';
    const idx = Number(name.slice(1));
    if (name.startsWith(NUMBER_MARK)) {
      const lit = this.lx.numbers[idx];
      if (lit === undefined) return this.fail(0, 'internal: unknown number literal');
      return numberLiteral(lit.text, lit.offset, this.fail);
    }
    const path = name.startsWith(PATH_MARK) ? this.lx.paths[idx] : undefined;
    if (path === undefined || (n.table !== null && n.table !== undefined)) return this.fail(0, `unexpected name ${JSON.stringify(name)}`);
    return { kind: 'column', path: path.parts, pos: path.offset };
  }

  private binary(n: Obj): Node {
    const op = (str(n, 'operator') ?? '').toUpperCase();
    if (op === 'AND' || op === 'OR') return this.logical(n);
    const left = this.node(obj(n, 'left') ?? {});
    const rightObj = obj(n, 'right') ?? {};
    const negated = op.startsWith('NOT ') || op === 'IS NOT';
    const core = op === 'IS NOT' ? 'IS' : negated ? op.slice(4) : op;
    const items = (): Node[] => list(rightObj, 'value').map((v) => this.node(isObj(v) ? v : {}));
    switch (core) {
      case 'IN':
        return { kind: 'in', negated, arg: left, list: items(), pos: left.pos };
      case 'BETWEEN': {
        const [low, high] = items();
        if (low === undefined || high === undefined) return this.fail(left.pos, 'BETWEEN needs two bounds', 'BETWEEN low AND high');
        return { kind: 'between', negated, arg: left, low, high, pos: left.pos };
      }
      case 'LIKE':
      case 'RLIKE': {
        const isStr = rightObj.type === 'single_quote_string';
        const escape = isStr ? this.string(rightObj).escape : undefined;
        return { kind: 'like', negated, regex: core === 'RLIKE', arg: left, pattern: this.node(rightObj), escape: escape ?? '\\', pos: left.pos };
      }
      case 'IS': {
        const t = rightObj.type === 'null' ? 'null' : rightObj.type === 'bool' ? (rightObj.value === true ? 'true' : 'false') : undefined;
        if (t === undefined) return this.fail(left.pos, 'IS must be followed by NULL, TRUE or FALSE', 'IS [NOT] NULL, TRUE or FALSE');
        return { kind: 'is', negated, arg: left, test: t, pos: left.pos };
      }
    }
    // A unary plus is the lexer's marker (users' own are dropped): right after `/` it means DIV; leading
    // the right operand of `=` or `<>` it means IS [NOT] DISTINCT FROM.
    const inner = obj(rightObj, 'expr');
    if (core === '/' && rightObj.type === 'unary_expr' && rightObj.operator === '+' && inner !== undefined) {
      return { kind: 'binary', op: 'div', left, right: this.node(inner), pos: left.pos };
    }
    const unmarked = core === '=' || core === '<>' ? withoutLeadingPlus(rightObj) : undefined;
    if (unmarked !== undefined) {
      const same: Node = { kind: 'binary', op: '<=>', left, right: this.node(unmarked), pos: left.pos };
      return core === '=' ? same : { kind: 'unary', op: 'NOT', arg: same, pos: left.pos };
    }
    const bop = BINARY[core];
    if (bop === undefined) return this.fail(left.pos, `operator ${op} is not supported`);
    return { kind: 'binary', op: bop, left, right: this.node(rightObj), pos: left.pos };
  }

  /** Rebuilds AND/OR chains with SQL precedence (AND binds tighter); the parser groups some bare chains to the right. */
  private logical(n: Obj): Node {
    const operands: Node[] = [];
    const ops: ('AND' | 'OR')[] = [];
    const flatten = (m: Obj, root: boolean): void => {
      const op = (str(m, 'operator') ?? '').toUpperCase();
      if (m.type === 'binary_expr' && (op === 'AND' || op === 'OR') && (root || m.parentheses !== true) && m.array_index === undefined) {
        flatten(obj(m, 'left') ?? {}, false);
        ops.push(op);
        flatten(obj(m, 'right') ?? {}, false);
      } else {
        operands.push(this.node(m));
      }
    };
    flatten(n, true);
    const first = operands[0];
    if (first === undefined) return this.fail(0, 'internal: empty logical chain');
    let orAcc: Node | null = null;
    let andAcc: Node = first;
    for (let k = 0; k < ops.length; k++) {
      const next = operands[k + 1];
      if (next === undefined) break;
      if (ops[k] === 'AND') {
        andAcc = { kind: 'binary', op: 'AND', left: andAcc, right: next, pos: andAcc.pos };
      } else {
        orAcc = orAcc === null ? andAcc : { kind: 'binary', op: 'OR', left: orAcc, right: andAcc, pos: orAcc.pos };
        andAcc = next;
      }
    }
    return orAcc === null ? andAcc : { kind: 'binary', op: 'OR', left: orAcc, right: andAcc, pos: orAcc.pos };
  }

  private caseExpr(n: Obj): Node {
    const subjectObj = obj(n, 'expr');
    const subject = subjectObj === undefined ? null : this.node(subjectObj);
    const whens: { cond: Node; result: Node }[] = [];
    let otherwise: Node | null = null;
    for (const a of list(n, 'args')) {
      if (!isObj(a)) continue;
      const result = this.node(obj(a, 'result') ?? {});
      if (a.type === 'when') whens.push({ cond: this.node(obj(a, 'cond') ?? {}), result });
      else otherwise = result;
    }
    return { kind: 'case', subject, whens, otherwise, pos: subject?.pos ?? whens[0]?.cond.pos ?? 0 };
  }

  private call(n: Obj): Node {
    const nameParts = list(obj(n, 'name') ?? {}, 'name');
    const last = nameParts[nameParts.length - 1];
    const name = (isObj(last) ? (str(last, 'value') ?? '') : '').toLowerCase();
    const loc = obj(n, 'loc');
    const start = loc === undefined ? undefined : obj(loc, 'start');
    const pos = start !== undefined && typeof start.offset === 'number' ? this.lx.originalOffset(start.offset - PREFIX.length) : 0;
    const argsObj = obj(n, 'args');
    const args = argsObj === undefined ? [] : list(argsObj, 'value').map((v) => this.node(isObj(v) ? v : {}));
    // The parser reads `NOT (x)` as a call of a function named NOT.
    const [only] = args;
    if (name === 'not' && args.length === 1 && only !== undefined) return { kind: 'unary', op: 'NOT', arg: only, pos };
    if (nameParts.length !== 1) this.fail(pos, `unknown function ${JSON.stringify(this.source.slice(pos, pos + 40).split('(')[0] ?? name)}`);
    return { kind: 'call', name, args, pos };
  }
}

/** The operand with the unary plus on its leftmost term removed; undefined when there is none. */
function withoutLeadingPlus(o: Obj): Obj | undefined {
  if (o.type === 'unary_expr' && o.operator === '+' && isObj(o.expr)) return o.expr;
  if (o.type !== 'binary_expr' || o.parentheses === true || !isObj(o.left)) return undefined;
  const left = withoutLeadingPlus(o.left);
  return left === undefined ? undefined : { ...o, left };
}

function numberLiteral(text: string, pos: number, fail: (offset: number, reason: string, expected?: string) => never): Node {
  const suffix = /(BD|[LDFSY])$/i.exec(text)?.[0]?.toUpperCase();
  const body = suffix === undefined ? text : text.slice(0, -suffix.length);
  const fractional = /[.eE]/.test(body);
  let literal: LiteralKind;
  let value: unknown;
  const decimal = suffix === 'BD' || (suffix === undefined && fractional && !/[eE]/.test(body)) ? decimalLiteral(body) : undefined;
  if (decimal !== undefined) {
    literal = decimal.type;
    value = decimal.value;
  } else if (suffix === 'D' || suffix === 'F' || suffix === 'BD' || (fractional && suffix === undefined)) {
    literal = 'double';
    value = Number(body);
  } else if (fractional) {
    return fail(pos, `malformed number ${JSON.stringify(text)}`, 'an integer before the suffix');
  } else {
    const big = BigInt(body);
    if (suffix === 'L' || big > 2147483647n) {
      if (big > 9223372036854775807n) return fail(pos, `number ${text} is out of the BIGINT range`);
      literal = 'long';
      value = big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
    } else {
      literal = 'integer';
      value = Number(big);
    }
  }
  return { kind: 'literal', value, literal, pos };
}

/** `1.19` as Spark reads it: DECIMAL(3,2) holding the exact text; undefined past 38 digits, where
 * the literal is a double. */
function decimalLiteral(body: string): { type: LiteralKind; value: string } | undefined {
  const d = parseDec(body);
  const t = d === undefined ? null : literalDecType(d);
  if (d === undefined || t === null) return undefined;
  return { type: `decimal(${t.p},${t.s})`, value: decimalFromUnscaled(d.unscaled, t.s) };
}
