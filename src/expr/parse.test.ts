// The parser: Spark's operator precedence and associativity, literals and names, checked against the expected trees.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from './ast.ts';
import { parseExpression } from './parse.ts';

/** A tree as a fully parenthesised prefix form, so that a grouping is visible at a glance. */
function show(n: Node): string {
  switch (n.kind) {
    case 'literal':
      return showLiteral(n.value, n.literal);
    case 'column':
      return n.path.map((p) => (/^\w+$/.test(p) ? p : `\`${p}\``)).join('.');
    case 'subscript':
      return `(at ${show(n.base)} ${show(n.index)})`;
    case 'field':
      return `(get ${show(n.base)} ${n.name})`;
    case 'unary':
      return `(${n.op} ${show(n.arg)})`;
    case 'binary':
      return `(${n.op} ${show(n.left)} ${show(n.right)})`;
    case 'in':
      return `(${n.negated ? 'NOT-IN' : 'IN'} ${[n.arg, ...n.list].map(show).join(' ')})`;
    case 'between':
      return `(${n.negated ? 'NOT-BETWEEN' : 'BETWEEN'} ${show(n.arg)} ${show(n.low)} ${show(n.high)})`;
    case 'like':
      return `(${n.negated ? 'NOT-' : ''}${n.regex ? 'RLIKE' : 'LIKE'} ${show(n.arg)} ${show(n.pattern)}${n.escape === '\\' ? '' : ` ESCAPE '${n.escape}'`})`;
    case 'is':
      return `(IS-${n.negated ? 'NOT-' : ''}${n.test.toUpperCase()} ${show(n.arg)})`;
    case 'case': {
      const parts = [n.subject === null ? null : show(n.subject), ...n.whens.map((w) => `(WHEN ${show(w.cond)} ${show(w.result)})`), n.otherwise === null ? null : `(ELSE ${show(n.otherwise)})`];
      return `(CASE ${parts.filter((p) => p !== null).join(' ')})`;
    }
    case 'cast':
      return `(CAST ${show(n.arg)} ${n.to})`;
    case 'call':
      return `(${[n.name, ...n.args.map(show)].join(' ')})`;
  }
}

function showLiteral(v: unknown, kind: string): string {
  if (kind === 'string') return `'${String(v)}'`;
  if (kind === 'null') return 'NULL';
  if (kind === 'boolean') return v === true ? 'TRUE' : 'FALSE';
  if (kind === 'integer') return String(v);
  if (kind === 'binary') return `X'${[...(v as Uint8Array)].map((b) => b.toString(16).padStart(2, '0')).join('')}'`;
  return `${String(v)}:${kind}`;
}

const tree = (text: string): string => show(parseExpression(text));

/** Each case: the text and its tree. */
function cases(list: readonly (readonly [string, string])[]): void {
  for (const [text, want] of list) assert.equal(tree(text), want, text);
}

void test('OR binds looser than AND, and both group to the left', () => {
  cases([
    ['a OR b AND c', '(OR a (AND b c))'],
    ['a AND b OR c', '(OR (AND a b) c)'],
    ['a AND b OR c AND d', '(OR (AND a b) (AND c d))'],
    ['a OR b OR c', '(OR (OR a b) c)'],
    ['a AND b AND c', '(AND (AND a b) c)'],
    ['a and (b or c)', '(AND a (OR b c))'],
  ]);
});

void test('NOT binds tighter than AND but looser than comparisons and predicates', () => {
  cases([
    ['NOT a AND b', '(AND (NOT a) b)'],
    ['NOT a OR NOT b', '(OR (NOT a) (NOT b))'],
    ['NOT a = b', '(NOT (= a b))'],
    ['NOT a IS NULL', '(NOT (IS-NULL a))'],
    ['NOT a IN (1, 2)', '(NOT (IN a 1 2))'],
    ['NOT a BETWEEN 1 AND 2 AND b', '(AND (NOT (BETWEEN a 1 2)) b)'],
    ['NOT NOT a', '(NOT (NOT a))'],
    ['!a AND b', '(AND (NOT a) b)'],
    ['a AND NOT b', '(AND a (NOT b))'],
    ['NOT (a) AND b', '(AND (NOT a) b)'],
  ]);
});

void test('predicates take a comparison as their left operand, as in Spark', () => {
  cases([
    ['a < b IS NULL', '(IS-NULL (< a b))'],
    ['a = b IS NOT TRUE', '(IS-NOT-TRUE (= a b))'],
    ['a + 1 IN (1, 2)', '(IN (+ a 1) 1 2)'],
    ['a + 1 NOT IN (b OR c, 2)', '(NOT-IN (+ a 1) (OR b c) 2)'],
    ['a BETWEEN b + 1 AND c * 2', '(BETWEEN a (+ b 1) (* c 2))'],
    ['a NOT BETWEEN 1 AND 2 AND c', '(AND (NOT-BETWEEN a 1 2) c)'],
    ["s || 'x' LIKE 'a%'", "(LIKE (|| s 'x') 'a%')"],
    ['a IS UNKNOWN', '(IS-NULL a)'],
    ['a IS NOT FALSE', '(IS-NOT-FALSE a)'],
    ['a IS NULL IS NULL', '(IS-NULL (IS-NULL a))'],
  ]);
});

void test('IS [NOT] DISTINCT FROM is null-safe equality, and its right operand is a whole arithmetic expression', () => {
  cases([
    ['a IS NOT DISTINCT FROM b', '(<=> a b)'],
    ['a IS DISTINCT FROM b + 1 AND c', '(AND (NOT (<=> a (+ b 1))) c)'],
    ['a <=> b', '(<=> a b)'],
  ]);
});

void test('comparisons bind looser than arithmetic and group to the left', () => {
  cases([
    ['a + 1 > b * 2', '(> (+ a 1) (* b 2))'],
    ['a = b = c', '(= (= a b) c)'],
    ['a == b', '(= a b)'],
    ['a <> b', '(!= a b)'],
    ['a != b', '(!= a b)'],
    ['a <= b AND b >= c', '(AND (<= a b) (>= b c))'],
  ]);
});

void test('* / % DIV bind tighter than + - ||, each level grouping to the left', () => {
  cases([
    ['a + b * c', '(+ a (* b c))'],
    ['a * b + c', '(+ (* a b) c)'],
    ['a - b - c', '(- (- a b) c)'],
    ['a - (b - c)', '(- a (- b c))'],
    ['a * b / c % d DIV e', '(div (% (/ (* a b) c) d) e)'],
    ['a || b + c', '(+ (|| a b) c)'],
    ['a + b || c', '(|| (+ a b) c)'],
    ['a DIV b * c', '(* (div a b) c)'],
  ]);
});

void test('bitwise operators sit between comparisons and + -, as | < ^ < & < shifts, each grouping to the left', () => {
  cases([
    ['a | b ^ c & d', '(| a (^ b (& c d)))'],
    ['a & b ^ c | d', '(| (^ (& a b) c) d)'],
    ['a & b = c', '(= (& a b) c)'],
    ['a & b + c', '(& a (+ b c))'],
    ['a << b + 1', '(<< a (+ b 1))'],
    ['a << b & c', '(& (<< a b) c)'],
    ['a >> 1 >>> 2', '(>>> (>> a 1) 2)'],
    ['~a & b', '(& (~ a) b)'],
    ['~-a', '(~ (- a))'],
  ]);
});

void test('unary minus and plus bind tighter than *, and postfix access tighter still', () => {
  cases([
    ['-a * b', '(* (- a) b)'],
    ['- -a', '(- (- a))'],
    ['+a + +1', '(+ (+ a) (+ 1))'],
    ['-a.b[0]', '(- (at a.b 0))'],
    ['-a::string', '(- (CAST a string))'],
    ['a - 1', '(- a 1)'],
    ['a - -1', '(- a -1)'],
    ['a-1', '(- a 1)'],
  ]);
});

void test('a minus sign before a number is part of the literal, as in Spark', () => {
  cases([
    ['-2147483648', '-2147483648'],
    ['2147483648', '2147483648:long'],
    ['- 7', '-7'],
    ['-9223372036854775808L', '-9223372036854775808:long'],
    ['-1.50', '-1.50:decimal(3,2)'],
  ]);
});

void test('postfix operators: fields, subscripts and :: casts chain from left to right', () => {
  cases([
    ['a.b.c', 'a.b.c'],
    ['`a b`.`c`', '`a b`.c'],
    ['arr[0].city', '(get (at arr 0) city)'],
    ["m['k'][1]", "(at (at m 'k') 1)"],
    ['arr[i + 1]', '(at arr (+ i 1))'],
    ['upper(s).x', '(get (upper s) x)'],
    ['a::int::string', '(CAST (CAST a int) string)'],
    ['a::decimal(10, 2) + 1', '(+ (CAST a decimal(10,2)) 1)'],
  ]);
});

void test('CASE, CAST and calls hold whole expressions, AND and OR included', () => {
  cases([
    ['CASE WHEN a OR b THEN c AND d ELSE e END = f', '(= (CASE (WHEN (OR a b) (AND c d)) (ELSE e)) f)'],
    ["CASE x + 1 WHEN 1 THEN 'a' WHEN 2 THEN 'b' END", "(CASE (+ x 1) (WHEN 1 'a') (WHEN 2 'b'))"],
    ['CASE (x) WHEN 1 THEN 2 END', '(CASE x (WHEN 1 2))'],
    ['CAST(a OR b AS STRING)', '(CAST (OR a b) STRING)'],
    ['TRY_CAST(a AS INT)', '(CAST a INT)'],
    ['cast(a as Decimal(10, 2))', '(CAST a Decimal(10,2))'],
    ['coalesce(a AND b, NOT c, d IN (1))', '(coalesce (AND a b) (NOT c) (IN d 1))'],
    ['IF(a > 0, 1, 2)', '(if (> a 0) 1 2)'],
    ['now()', '(now)'],
    ['CURRENT_DATE', '(current_date)'],
    ['current_timestamp + 1', '(+ (current_timestamp) 1)'],
  ]);
});

void test('LIKE takes an ESCAPE; ILIKE compares lower-cased text; LIKE ANY and ALL try several patterns', () => {
  cases([
    ["s LIKE 'a!%' ESCAPE '!'", "(LIKE s 'a!%' ESCAPE '!')"],
    ["s NOT LIKE 'a%'", "(NOT-LIKE s 'a%')"],
    ["s RLIKE '^a' OR s REGEXP 'b$'", "(OR (RLIKE s '^a') (RLIKE s 'b$'))"],
    ["s NOT RLIKE 'x'", "(NOT-RLIKE s 'x')"],
    ["s ILIKE 'A%'", "(LIKE (lower s) (lower 'A%'))"],
    ["s LIKE ANY ('a%', 'b%')", "(OR (LIKE s 'a%') (LIKE s 'b%'))"],
    ["s NOT LIKE ALL ('a%', 'b%', 'c%')", "(AND (AND (NOT-LIKE s 'a%') (NOT-LIKE s 'b%')) (NOT-LIKE s 'c%'))"],
    ["s LIKE SOME ('a%')", "(LIKE s 'a%')"],
  ]);
});

void test('literals: numbers with Spark suffixes, strings, typed literals and bytes', () => {
  cases([
    ['10', '10'],
    ['10L', '10:long'],
    ['10S', '10:short'],
    ['10Y', '10:byte'],
    ['1.19', '1.19:decimal(3,2)'],
    ['.5', '0.5:decimal(1,1)'],
    ['1.5BD', '1.5:decimal(2,1)'],
    ['1.5e3', '1500:double'],
    ['2D', '2:double'],
    ['9223372036854775808', '9223372036854775808:decimal(19,0)'],
    ["'it''s' \"ok\"", "'it'sok'"],
    ["'a\\tb'", "'a\tb'"],
    ["'\\u0041\\101'", "'AA'"],
    ["X'0a1'", "X'00a1'"],
    ["DATE '2024-01-31'", "(CAST '2024-01-31' date)"],
    ["TIMESTAMP '2024-01-31 10:00:00'", "(CAST '2024-01-31 10:00:00' timestamp)"],
    ["timestamp_ntz '2024-01-31'", "(CAST '2024-01-31' timestamp_ntz)"],
    ['TRUE OR NULL', '(OR TRUE NULL)'],
  ]);
});

void test('keywords are names where no keyword can stand, so columns may be called date, year or key', () => {
  cases([
    ['date = 1', '(= date 1)'],
    ['year + key', '(+ year key)'],
    ["date('2024-01-01')", "(date '2024-01-01')"],
    ['interval', 'interval'],
    ['`end` + 1', '(+ end 1)'],
  ]);
});

void test('comments and line breaks are blanks; block comments nest', () => {
  cases([
    ['a /* one /* two */ still */ + -- to the end\n 1', '(+ a 1)'],
    ['a\n\tAND\r\n b', '(AND a b)'],
  ]);
});

void test('every node carries the offset where its text starts', () => {
  assert.deepEqual(parseExpression("x + -f(y, 'z') * 2"), {
    kind: 'binary', op: '+', pos: 0,
    left: { kind: 'column', path: ['x'], pos: 0 },
    right: {
      kind: 'binary', op: '*', pos: 4,
      left: {
        kind: 'unary', op: '-', pos: 4,
        arg: { kind: 'call', name: 'f', pos: 5, args: [{ kind: 'column', path: ['y'], pos: 7 }, { kind: 'literal', value: 'z', literal: 'string', pos: 10 }] },
      },
      right: { kind: 'literal', value: 2, literal: 'integer', pos: 17 },
    },
  });
  assert.deepEqual(parseExpression('NOT a.b IN (1)'), {
    kind: 'unary', op: 'NOT', pos: 0,
    arg: { kind: 'in', negated: false, pos: 4, arg: { kind: 'column', path: ['a', 'b'], pos: 4 }, list: [{ kind: 'literal', value: 1, literal: 'integer', pos: 12 }] },
  });
  assert.deepEqual(parseExpression('CASE WHEN p THEN 1 END'), {
    kind: 'case', subject: null, otherwise: null, pos: 0,
    whens: [{ cond: { kind: 'column', path: ['p'], pos: 10 }, result: { kind: 'literal', value: 1, literal: 'integer', pos: 17 } }],
  });
  assert.deepEqual(parseExpression('CAST(a AS INT)'), { kind: 'cast', arg: { kind: 'column', path: ['a'], pos: 5 }, to: 'INT', pos: 10 });
});
