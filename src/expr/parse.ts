// Parses one Spark SQL expression into the Node tree: a Pratt (top-down operator precedence) parser.
//
// Binding powers follow Spark's documented operator precedence, loosest first:
//   OR < AND < NOT < predicates (IN, BETWEEN, LIKE, RLIKE, ILIKE, IS ...) < comparisons
//   < | < ^ < & < << >> >>> < + - || < * / % DIV < unary - + ~ < postfix . [] ::
// Binary operators group to the left. NOT takes a predicate or comparison as its operand, so
// `NOT a = b` is `NOT (a = b)`, and it needs parentheses right of a comparison or an arithmetic operator.
import type { BinaryOp, Node } from './ast.ts';
import { describePosition, ExpressionError } from './errors.ts';
import { FUNCTIONS } from './functions.ts';
import { type Fail, Lexer, type Token, unexpected } from './lexer.ts';
import { binaryLiteral, numberLiteral, TYPED_LITERALS, typedLiteral } from './literals.ts';
import { readType } from './typename.ts';

const BP = { OR: 1, AND: 2, NOT: 3, PREDICATE: 4, COMPARE: 5, BIT_OR: 6, BIT_XOR: 7, BIT_AND: 8, SHIFT: 9, ADD: 10, MUL: 11, UNARY: 12, POSTFIX: 13 } as const;

const SYMBOLS: Readonly<Record<string, { readonly bp: number; readonly op: BinaryOp }>> = {
  '|': { bp: BP.BIT_OR, op: '|' }, '^': { bp: BP.BIT_XOR, op: '^' }, '&': { bp: BP.BIT_AND, op: '&' },
  '<<': { bp: BP.SHIFT, op: '<<' }, '>>': { bp: BP.SHIFT, op: '>>' }, '>>>': { bp: BP.SHIFT, op: '>>>' },
  '=': { bp: BP.COMPARE, op: '=' }, '==': { bp: BP.COMPARE, op: '=' }, '!=': { bp: BP.COMPARE, op: '!=' }, '<>': { bp: BP.COMPARE, op: '!=' },
  '<=>': { bp: BP.COMPARE, op: '<=>' }, '<': { bp: BP.COMPARE, op: '<' }, '<=': { bp: BP.COMPARE, op: '<=' }, '>': { bp: BP.COMPARE, op: '>' },
  '>=': { bp: BP.COMPARE, op: '>=' }, '+': { bp: BP.ADD, op: '+' }, '-': { bp: BP.ADD, op: '-' }, '||': { bp: BP.ADD, op: '||' },
  '*': { bp: BP.MUL, op: '*' }, '/': { bp: BP.MUL, op: '/' }, '%': { bp: BP.MUL, op: '%' },
};
const WORD_BP: Readonly<Record<string, number>> = {
  OR: BP.OR, AND: BP.AND, DIV: BP.MUL, IS: BP.PREDICATE, NOT: BP.PREDICATE, IN: BP.PREDICATE, BETWEEN: BP.PREDICATE,
  LIKE: BP.PREDICATE, ILIKE: BP.PREDICATE, RLIKE: BP.PREDICATE, REGEXP: BP.PREDICATE,
};
const PREDICATES = new Set(['IN', 'BETWEEN', 'LIKE', 'ILIKE', 'RLIKE', 'REGEXP']);
/** Words that continue or close a construct, so never start an operand (a column by such a name needs backquotes). */
const NOT_AN_OPERAND = new Set(['AND', 'OR', 'WHEN', 'THEN', 'ELSE', 'END', 'IS', 'IN', 'BETWEEN', 'LIKE', 'ILIKE', 'RLIKE', 'REGEXP', 'ESCAPE', 'DIV', 'AS', 'FROM', 'OVER']);
const AGGREGATES = new Set([
  'count', 'sum', 'avg', 'mean', 'min', 'max', 'first', 'first_value', 'last', 'last_value', 'any', 'some', 'every', 'bool_and', 'bool_or',
  'collect_list', 'collect_set', 'array_agg', 'count_if', 'approx_count_distinct', 'approx_percentile', 'percentile', 'percentile_approx',
  'median', 'mode', 'stddev', 'stddev_pop', 'stddev_samp', 'std', 'variance', 'var_pop', 'var_samp', 'covar_pop', 'covar_samp', 'corr',
  'kurtosis', 'skewness', 'max_by', 'min_by', 'bit_and', 'bit_or', 'bit_xor', 'listagg', 'string_agg', 'try_avg', 'try_sum', 'grouping', 'grouping_id',
]);
const WINDOW_FUNCTIONS = new Set(['row_number', 'rank', 'dense_rank', 'percent_rank', 'cume_dist', 'ntile', 'lag', 'lead', 'nth_value']);
const OPERAND_KINDS = 'a column, a number, a string, a function call or a parenthesised expression';
const MAX_DEPTH = 256;

export function parseExpression(source: string, name?: string): Node {
  return new Parser(source, name).parse();
}

class Parser {
  private readonly lx: Lexer;
  private readonly fail: Fail;
  /** The last token taken, for "an operand after +". */
  private prev: Token | undefined;
  private depth = 0;

  constructor(
    private readonly src: string,
    name: string | undefined,
  ) {
    this.fail = (offset, reason, expected) => {
      throw new ExpressionError(src, offset, reason, { name, expected });
    };
    this.lx = new Lexer(src, this.fail);
  }

  parse(): Node {
    if (this.peek().kind === 'end') this.fail(0, 'empty expression', 'an expression');
    const node = this.expr(0);
    const t = this.peek();
    if (t.kind !== 'end') this.trailing(t);
    return node;
  }

  private expr(minBp: number): Node {
    if (++this.depth > MAX_DEPTH) this.fail(this.peek().start, `expression nested more than ${MAX_DEPTH} levels deep`, 'a flatter expression');
    let left = this.prefix(minBp);
    for (;;) {
      const t = this.peek();
      if (t.kind === 'op' && t.text === '->') this.fail(t.start, 'lambda functions (x -> ...) are not supported', 'a row-level expression');
      const bp = t.kind === 'op' ? (SYMBOLS[t.text]?.bp ?? (t.text === '.' || t.text === '[' || t.text === '::' ? BP.POSTFIX : 0)) : t.kind === 'name' ? (WORD_BP[t.upper] ?? 0) : 0;
      if (bp <= minBp) break;
      left = this.infix(left, this.take(), bp);
    }
    this.depth--;
    return left;
  }

  private prefix(minBp: number): Node {
    const t = this.peek();
    switch (t.kind) {
      case 'number':
        this.take();
        return numberLiteral(t.text, t.start, false, this.fail);
      case 'string':
        this.take();
        return { kind: 'literal', value: t.text, literal: 'string', pos: t.start };
      case 'binary':
        this.take();
        return binaryLiteral(t.text, t.start);
      case 'quoted':
        this.take();
        return this.isOp(this.peek(), '(') ? this.call(t) : { kind: 'column', path: [t.text], pos: t.start };
      case 'name':
        return this.word(t, minBp);
      case 'op':
        return this.symbol(t, minBp);
      case 'end':
        return this.fail(t.start, unexpected(this.src, t), this.operandExpected());
    }
  }

  private symbol(t: Token, minBp: number): Node {
    switch (t.text) {
      case '(': {
        this.take();
        const inner = this.expr(0);
        this.close(')', `")" to close the parenthesis opened at ${this.at(t)}`);
        return inner;
      }
      case '-': {
        this.take();
        // Spark folds the sign into a number literal: -2147483648 is an INT, -9223372036854775808L a BIGINT.
        const n = this.peek();
        if (n.kind === 'number') {
          this.take();
          return numberLiteral(n.text, t.start, true, this.fail);
        }
        return { kind: 'unary', op: '-', arg: this.expr(BP.UNARY), pos: t.start };
      }
      case '+':
        this.take();
        return { kind: 'unary', op: '+', arg: this.expr(BP.UNARY), pos: t.start };
      case '!':
        return this.not(t, minBp);
      case '~':
        this.take();
        return { kind: 'unary', op: '~', arg: this.expr(BP.UNARY), pos: t.start };
      default:
        return this.fail(t.start, unexpected(this.src, t), this.operandExpected());
    }
  }

  private word(t: Token, minBp: number): Node {
    const w = t.upper;
    if (w === 'NOT') return this.not(t, minBp);
    if (NOT_AN_OPERAND.has(w)) this.fail(t.start, unexpected(this.src, t), this.operandExpected());
    if (w === 'NULL' || w === 'TRUE' || w === 'FALSE') {
      this.take();
      return w === 'NULL' ? { kind: 'literal', value: null, literal: 'null', pos: t.start } : { kind: 'literal', value: w === 'TRUE', literal: 'boolean', pos: t.start };
    }
    if (w === 'CASE') return this.caseExpr(this.take());
    // Read only now, so that a problem further on is not reported before this word's own.
    const next = this.peek(1);
    if ((w === 'CAST' || w === 'TRY_CAST') && this.isOp(next, '(')) return this.cast(this.take());
    if (TYPED_LITERALS[w] !== undefined && next.kind === 'string') {
      this.take();
      this.take();
      return typedLiteral(w, next.text, next.start, this.fail);
    }
    if (w === 'INTERVAL' && (next.kind === 'string' || next.kind === 'number')) {
      this.fail(t.start, 'INTERVAL is not supported', 'date_add, add_months, datediff or the unix_* and timestamp_* functions for date and time arithmetic');
    }
    if (w === 'SELECT' || (w === 'EXISTS' && this.isOp(next, '('))) this.fail(t.start, 'subqueries are not supported in an expression', 'a row-level expression');
    this.take();
    if (this.isOp(next, '(')) return this.call(t);
    if (w === 'CURRENT_DATE' || w === 'CURRENT_TIMESTAMP') return { kind: 'call', name: w.toLowerCase(), args: [], pos: t.start };
    return { kind: 'column', path: [t.text], pos: t.start };
  }

  /** NOT or `!`: only where a condition may stand, as in Spark (`a = NOT b` needs parentheses). */
  private not(t: Token, minBp: number): Node {
    if (minBp > BP.NOT) this.fail(t.start, unexpected(this.src, t), `${this.operandExpected()}; a NOT here needs parentheses: (NOT ...)`);
    this.take();
    return { kind: 'unary', op: 'NOT', arg: this.expr(BP.NOT), pos: t.start };
  }

  private infix(left: Node, t: Token, bp: number): Node {
    if (t.kind === 'op') {
      if (t.text === '.') return this.field(left);
      if (t.text === '[') {
        const index = this.expr(0);
        this.close(']', `"]" to close the subscript opened at ${this.at(t)}`);
        return { kind: 'subscript', base: left, index, pos: left.pos };
      }
      if (t.text === '::') {
        const type = readType(this.lx, this.src, this.fail, '::');
        return { kind: 'cast', arg: left, to: type.text, pos: type.pos };
      }
      const sym = SYMBOLS[t.text];
      if (sym === undefined) return this.fail(t.start, unexpected(this.src, t), 'an operator');
      return { kind: 'binary', op: sym.op, left, right: this.expr(bp), pos: left.pos };
    }
    switch (t.upper) {
      case 'AND':
      case 'OR':
        return { kind: 'binary', op: t.upper, left, right: this.expr(bp), pos: left.pos };
      case 'DIV':
        return { kind: 'binary', op: 'div', left, right: this.expr(bp), pos: left.pos };
      case 'IS':
        return this.isTest(left);
      case 'NOT': {
        const p = this.peek();
        if (p.kind !== 'name' || !PREDICATES.has(p.upper)) this.fail(p.start, unexpected(this.src, p), 'IN, BETWEEN, LIKE, ILIKE, RLIKE or REGEXP after NOT');
        return this.predicate(left, this.take(), true);
      }
      default:
        return this.predicate(left, t, false);
    }
  }

  /** `.name` after a column extends its path (`a.b.c`); after anything else it reads a struct field. */
  private field(left: Node): Node {
    const t = this.peek();
    if (t.kind !== 'name' && t.kind !== 'quoted') return this.fail(t.start, unexpected(this.src, t), 'a field name after "."');
    this.take();
    if (left.kind === 'column') {
      const path = [...left.path, t.text];
      if (this.isOp(this.peek(), '(')) this.fail(left.pos, `unknown function ${JSON.stringify(path.join('.'))}`, 'a built-in function, called by its name alone');
      return { kind: 'column', path, pos: left.pos };
    }
    return { kind: 'field', base: left, name: t.text, pos: left.pos };
  }

  private predicate(arg: Node, kw: Token, negated: boolean): Node {
    const pos = arg.pos;
    if (kw.upper === 'IN') {
      const open = this.peek();
      if (!this.isOp(open, '(')) this.fail(open.start, unexpected(this.src, open), '"(" and a list of values after IN');
      this.take();
      const first = this.peek();
      if (first.kind === 'name' && first.upper === 'SELECT') this.fail(first.start, 'subqueries are not supported in an expression', 'a list of values');
      const list = this.list(`"," or ")" to close the IN list opened at ${this.at(open)}`);
      return { kind: 'in', negated, arg, list, pos };
    }
    if (kw.upper === 'BETWEEN') {
      const low = this.expr(BP.PREDICATE);
      this.expectWord('AND', `"AND" and the upper bound of the BETWEEN at ${this.at(kw)}`);
      return { kind: 'between', negated, arg, low, high: this.expr(BP.PREDICATE), pos };
    }
    const isLike = kw.upper === 'LIKE' || kw.upper === 'ILIKE';
    const quantifier = this.peek();
    if (isLike && quantifier.kind === 'name' && (quantifier.upper === 'ANY' || quantifier.upper === 'SOME' || quantifier.upper === 'ALL') && this.isOp(this.peek(1), '(')) {
      return this.likeQuantified(arg, kw, negated, this.take());
    }
    const pattern = this.expr(BP.PREDICATE);
    let escape = '\\';
    if (isLike && this.acceptWord('ESCAPE')) {
      const e = this.peek();
      if (e.kind !== 'string') this.fail(e.start, 'ESCAPE needs a quoted character', "a single character such as '!'");
      this.take();
      if ([...e.text].length !== 1) this.fail(e.start, 'the escape must be a single character', "a single character such as '!'");
      escape = e.text;
    }
    return this.like(arg, pattern, kw, negated, escape, pos);
  }

  /** ILIKE is LIKE over lower-cased text and pattern, as Spark rewrites it. */
  private like(arg: Node, pattern: Node, kw: Token, negated: boolean, escape: string, pos: number): Node {
    const lower = (n: Node): Node => ({ kind: 'call', name: 'lower', args: [n], pos: n.pos });
    const ci = kw.upper === 'ILIKE';
    return { kind: 'like', negated, regex: kw.upper === 'RLIKE' || kw.upper === 'REGEXP', arg: ci ? lower(arg) : arg, pattern: ci ? lower(pattern) : pattern, escape, pos };
  }

  /** `LIKE ANY|SOME|ALL (p1, p2)`: any (all) of the patterns matches; with NOT, any (all) of them does not. */
  private likeQuantified(arg: Node, kw: Token, negated: boolean, quantifier: Token): Node {
    const open = this.take();
    const patterns = this.list(`"," or ")" to close the ${kw.upper} ${quantifier.upper} list opened at ${this.at(open)}`);
    const op = quantifier.upper === 'ALL' ? 'AND' : 'OR';
    const likes = patterns.map((p) => this.like(arg, p, kw, negated, '\\', arg.pos));
    return likes.reduce((acc, n) => ({ kind: 'binary', op, left: acc, right: n, pos: arg.pos }));
  }

  private isTest(arg: Node): Node {
    const negated = this.acceptWord('NOT');
    const t = this.peek();
    const pos = arg.pos;
    if (t.kind === 'name') {
      if (t.upper === 'NULL' || t.upper === 'UNKNOWN' || t.upper === 'TRUE' || t.upper === 'FALSE') {
        this.take();
        const test = t.upper === 'TRUE' ? 'true' : t.upper === 'FALSE' ? 'false' : 'null';
        return { kind: 'is', negated, arg, test, pos };
      }
      if (t.upper === 'DISTINCT') {
        this.take();
        this.expectWord('FROM', '"FROM" after IS DISTINCT');
        const same: Node = { kind: 'binary', op: '<=>', left: arg, right: this.expr(BP.PREDICATE), pos };
        return negated ? same : { kind: 'unary', op: 'NOT', arg: same, pos };
      }
    }
    return this.fail(t.start, unexpected(this.src, t), `NULL, TRUE, FALSE, UNKNOWN or DISTINCT FROM after IS${negated ? ' NOT' : ''}`);
  }

  private caseExpr(kw: Token): Node {
    const opened = `the CASE at ${this.at(kw)}`;
    const subject = this.isWord(this.peek(), 'WHEN') ? null : this.expr(0);
    const whens: { cond: Node; result: Node }[] = [];
    while (this.acceptWord('WHEN')) {
      const cond = this.expr(0);
      this.expectWord('THEN', `"THEN" after the WHEN condition in ${opened}`);
      whens.push({ cond, result: this.expr(0) });
    }
    if (whens.length === 0) {
      const t = this.peek();
      this.fail(t.start, unexpected(this.src, t), `"WHEN" to start the first branch of ${opened}`);
    }
    const otherwise = this.acceptWord('ELSE') ? this.expr(0) : null;
    this.expectWord('END', otherwise === null ? `"WHEN", "ELSE" or "END" to close ${opened}` : `"END" to close ${opened}`);
    return { kind: 'case', subject, whens, otherwise, pos: kw.start };
  }

  private cast(kw: Token): Node {
    const open = this.take();
    const opened = `the ${kw.upper} opened at ${this.at(open)}`;
    const arg = this.expr(0);
    this.expectWord('AS', `"AS" and a type in ${opened}`);
    const type = readType(this.lx, this.src, this.fail, 'AS');
    this.close(')', `")" to close ${opened}`);
    // Without ANSI mode CAST already gives NULL for what it cannot convert, so TRY_CAST is the same.
    return { kind: 'cast', arg, to: type.text, pos: type.pos };
  }

  private call(nameTok: Token): Node {
    const name = nameTok.text.toLowerCase();
    if (!FUNCTIONS.has(name)) {
      if (AGGREGATES.has(name)) this.fail(nameTok.start, `aggregate function ${name} is not supported in a row expression`, 'a row-level function');
      if (WINDOW_FUNCTIONS.has(name)) this.fail(nameTok.start, `window function ${name} is not supported in a row expression`, 'a row-level function');
    }
    const open = this.take();
    const args = this.isOp(this.peek(), ')') ? [] : undefined;
    if (args !== undefined) this.take();
    const list = args ?? this.list(`"," or ")" to close the call of ${name} opened at ${this.at(open)}`);
    const over = this.peek();
    if (this.isWord(over, 'OVER')) this.fail(over.start, 'window functions (OVER) are not supported in a row expression', 'a row-level expression');
    return { kind: 'call', name, args: list, pos: nameTok.start };
  }

  /** Comma-separated expressions up to a closing parenthesis, which is taken too. */
  private list(expected: string): Node[] {
    const items: Node[] = [];
    do items.push(this.expr(0));
    while (this.acceptOp(','));
    this.close(')', expected);
    return items;
  }

  /** What follows a complete expression at the top level. */
  private trailing(t: Token): never {
    const w = t.kind === 'name' ? t.upper : '';
    if (this.isOp(t, ',')) this.fail(t.start, 'unexpected second expression after ","', 'one expression');
    if (this.isOp(t, ')')) this.fail(t.start, 'unexpected ")" that closes no "("', 'an operator or the end of the expression');
    if (w === 'ESCAPE') this.fail(t.start, 'ESCAPE must follow LIKE and its pattern', "s LIKE 'a!%' ESCAPE '!'");
    if (w === 'OVER') this.fail(t.start, 'window functions (OVER) are not supported in a row expression', 'a row-level expression');
    if (w === 'AS') this.fail(t.start, 'unexpected "AS": an expression takes no alias here', 'the end of the expression');
    if (w === 'WHEN' || w === 'THEN' || w === 'ELSE' || w === 'END') this.fail(t.start, `unexpected "${w}" outside a CASE`, 'an operator or the end of the expression');
    return this.fail(t.start, unexpected(this.src, t), 'an operator such as AND, OR, =, + or ||, or the end of the expression');
  }

  private operandExpected(): string {
    const p = this.prev;
    if (p === undefined) return `an expression: ${OPERAND_KINDS}`;
    return `an operand after ${p.kind === 'name' ? p.upper : this.src.slice(p.start, p.end)} (${OPERAND_KINDS})`;
  }

  private at(t: Token): string {
    return describePosition(this.src, t.start);
  }

  private peek(k = 0): Token {
    return this.lx.peek(k);
  }

  private take(): Token {
    this.prev = this.lx.next();
    return this.prev;
  }

  private isOp(t: Token, op: string): boolean {
    return t.kind === 'op' && t.text === op;
  }

  private isWord(t: Token, word: string): boolean {
    return t.kind === 'name' && t.upper === word;
  }

  private acceptOp(op: string): boolean {
    if (!this.isOp(this.peek(), op)) return false;
    this.take();
    return true;
  }

  private acceptWord(word: string): boolean {
    if (!this.isWord(this.peek(), word)) return false;
    this.take();
    return true;
  }

  private close(op: string, expected: string): void {
    const t = this.peek();
    if (!this.acceptOp(op)) this.fail(t.start, unexpected(this.src, t), expected);
  }

  private expectWord(word: string, expected: string): void {
    const t = this.peek();
    if (!this.acceptWord(word)) this.fail(t.start, unexpected(this.src, t), expected);
  }
}
