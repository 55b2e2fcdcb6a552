// Operator semantics: arithmetic, comparisons, three-valued logic, IN, BETWEEN, LIKE, IS, CASE and literals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileExpression, compilePredicate } from './index.ts';
import type { Row } from '../core/record.ts';
import { parseDdl } from '../schema/ddl.ts';
import { daysFromCivil, parseTimestamp } from '../schema/values/index.ts';

const ev = (expr: string, row: Row = {}): unknown => compileExpression(expr).evaluate(row);
const us = (iso: string): bigint => parseTimestamp(iso) ?? 0n;

void test('arithmetic follows Spark: / is always double division, % keeps the sign of the dividend', () => {
  assert.equal(ev('1 + 2 * 3'), 7);
  assert.equal(ev('(1 + 2) * 3'), 9);
  assert.equal(ev('10 - 4 - 3'), 3);
  assert.equal(ev('7 / 2'), 3.5);
  assert.equal(ev('6 / 3'), 2);
  assert.equal(ev('-7 % 3'), -1);
  assert.equal(ev('7.5D % 2'), 1.5);
  assert.equal(ev('7.5 % 2'), '1.5');
  assert.equal(ev('-a', { a: 4 }), -4);
  assert.equal(ev('- -a', { a: 4 }), 4);
  assert.equal(ev('+a', { a: 4 }), 4);
  assert.equal(ev('a * 1.19', { a: 100 }), 119);
});

void test('DIV divides integrally, truncating toward zero, with multiplicative precedence', () => {
  assert.equal(ev('7 div 2'), 3);
  assert.equal(ev('-7 DIV 2'), -3);
  assert.equal(ev('7.9 div 2'), 3);
  assert.equal(ev('1 + 7 div 2 * 2'), 7);
  assert.equal(ev('a div -b', { a: 9, b: 2 }), -4);
  assert.equal(ev('a div (b + 1)', { a: 9, b: 2 }), 3);
  assert.equal(ev('a div 0', { a: 9 }), null);
  assert.equal(ev('a div 2', { a: null }), null);
  assert.equal(ev('a div 2', { a: 9007199254740993n }), 4503599627370496n);
  assert.equal(compileExpression('a div 2').type, 'long');
  assert.equal(ev('+a + +1', { a: 1 }), 2);
});

void test('division or remainder by zero is NULL, as in Spark without ANSI mode', () => {
  assert.equal(ev('1 / 0'), null);
  assert.equal(ev('a % 0', { a: 5 }), null);
  assert.equal(ev('a / b', { a: 5, b: 0 }), null);
});

void test('arithmetic with NULL is NULL and numeric strings are read as doubles', () => {
  assert.equal(ev('a + 1', { a: null }), null);
  assert.equal(ev('a + 1', {}), null);
  assert.equal(ev('1 - a', { a: null }), null);
  assert.equal(ev("a + 1", { a: '2.5' }), 3.5);
  assert.equal(ev("a * 2", { a: 'x' }), null);
});

void test('INT arithmetic wraps around on overflow like Spark, BIGINT values beyond 2^53 stay exact', () => {
  assert.equal(ev('2147483647 + 1'), -2147483648);
  assert.equal(ev('a + 1', { a: 9007199254740993n }), 9007199254740994n);
  assert.equal(ev('9223372036854775807L + 0'), 9223372036854775807n);
});

void test('comparison operators compare numbers, strings, booleans and timestamps', () => {
  assert.equal(ev('1 = 1'), true);
  assert.equal(ev('1 == 1'), true);
  assert.equal(ev('1 != 2'), true);
  assert.equal(ev('1 <> 1'), false);
  assert.equal(ev('2 < 3'), true);
  assert.equal(ev('3 <= 3'), true);
  assert.equal(ev("'b' > 'a'"), true);
  assert.equal(ev("'a' >= 'b'"), false);
  assert.equal(ev('true > false'), true);
  assert.equal(ev("flag = 'true'", { flag: true }), true);
  assert.equal(ev("flag = 'no'", { flag: true }), false);
  assert.equal(ev('flag = 1', { flag: true }), true);
  const schema = parseDdl('ts TIMESTAMP, t2 TIMESTAMP, d DATE, n BIGINT');
  const at = (e: string, row: Row): unknown => compileExpression(e, { schema }).evaluate(row);
  assert.equal(at("ts > '2024-01-01'", { ts: us('2024-06-01T00:00:00Z') }), true);
  assert.equal(at("ts = '2024-06-01 00:00:00'", { ts: us('2024-06-01T00:00:00Z') }), true);
  assert.equal(at('ts = t2', { ts: 5n, t2: 5n }), true);
  assert.equal(at('ts < t2', { ts: -1n, t2: 0n }), true);
  // A timestamp meeting a date compares at the date's midnight.
  assert.equal(at('ts >= d', { ts: us('2024-06-01T00:00:00Z'), d: daysFromCivil(2024, 6, 1) }), true);
  assert.equal(at('ts > d', { ts: us('2024-06-01T00:00:00Z'), d: daysFromCivil(2024, 6, 1) }), false);
  assert.equal(at("d = '2024-06-01'", { d: daysFromCivil(2024, 6, 1) }), true);
  // A BIGINT is no timestamp: the same bigint in a BIGINT column compares as a number.
  assert.equal(at('n = 1717200000000000', { n: 1717200000000000 }), true);
  assert.equal(at("ts > '2024-01-01 00:00:00.000001'", { ts: us('2024-01-01T00:00:00.000002Z') }), true);
  assert.equal(at("ts > '2024-01-01 00:00:00.000002'", { ts: us('2024-01-01T00:00:00.000002Z') }), false);
});

void test('a number compared with a numeric string compares as numbers', () => {
  assert.equal(ev("a = '10'", { a: 10 }), true);
  assert.equal(ev("a > '9'", { a: 10 }), true);
  assert.equal(ev("a = 'ten'", { a: 10 }), null);
});

void test('comparisons with NULL are NULL, while <=> is null-safe', () => {
  for (const op of ['=', '!=', '<', '<=', '>', '>=']) {
    assert.equal(ev(`a ${op} 1`, { a: null }), null, op);
    assert.equal(ev(`1 ${op} a`, { a: null }), null, op);
    assert.equal(ev(`NULL ${op} NULL`), null, op);
  }
  assert.equal(ev('NULL <=> NULL'), true);
  assert.equal(ev('a <=> 1', { a: null }), false);
  assert.equal(ev('a <=> 1', { a: 1 }), true);
  assert.equal(ev('a <=> b', { a: 'x', b: 'y' }), false);
  assert.equal(ev('a IS NOT DISTINCT FROM b', { a: null, b: null }), true);
  assert.equal(ev('a IS NOT DISTINCT FROM b', { a: 1, b: null }), false);
  assert.equal(ev('a IS DISTINCT FROM b', { a: 1, b: null }), true);
  assert.equal(ev('a is distinct from b', { a: null, b: null }), false);
  assert.equal(ev('a IS DISTINCT FROM b + 1 AND c', { a: 3, b: 2, c: true }), false);
});

void test('AND, OR and NOT follow the three-valued logic truth tables', () => {
  const vals: [string, boolean | null][] = [['TRUE', true], ['FALSE', false], ['NULL', null]];
  const and = (a: boolean | null, b: boolean | null): boolean | null => (a === false || b === false ? false : a === null || b === null ? null : true);
  const or = (a: boolean | null, b: boolean | null): boolean | null => (a === true || b === true ? true : a === null || b === null ? null : false);
  for (const [x, xv] of vals) {
    assert.equal(ev(`NOT ${x}`), xv === null ? null : !xv, `NOT ${x}`);
    assert.equal(ev(`NOT a`, { a: xv }), xv === null ? null : !xv, `NOT a=${x}`);
    for (const [y, yv] of vals) {
      assert.equal(ev(`${x} AND ${y}`), and(xv, yv), `${x} AND ${y}`);
      assert.equal(ev(`${x} OR ${y}`), or(xv, yv), `${x} OR ${y}`);
      assert.equal(ev('a AND b', { a: xv, b: yv }), and(xv, yv), `a=${x} AND b=${y}`);
      assert.equal(ev('a OR b', { a: xv, b: yv }), or(xv, yv), `a=${x} OR b=${y}`);
    }
  }
  assert.equal(ev('!a', { a: true }), false);
});

void test('AND binds tighter than OR even without parentheses', () => {
  assert.equal(ev('a AND b OR c', { a: false, b: true, c: true }), true);
  assert.equal(ev('a OR b AND c', { a: true, b: false, c: false }), true);
  assert.equal(ev('a AND b OR c AND d', { a: false, b: false, c: true, d: true }), true);
  assert.equal(ev('a AND (b OR c)', { a: false, b: true, c: true }), false);
  assert.equal(ev('NOT a AND b', { a: false, b: true }), true);
  assert.equal(ev('x > 1 AND y > 2 OR z', { x: 0, y: 0, z: true }), true);
});

void test('IN and NOT IN follow SQL NULL semantics', () => {
  assert.equal(ev("c IN ('DE', 'FR')", { c: 'FR' }), true);
  assert.equal(ev("c IN ('DE', 'FR')", { c: 'US' }), false);
  assert.equal(ev("c NOT IN ('DE', 'FR')", { c: 'US' }), true);
  assert.equal(ev("c IN ('DE', 'FR')", { c: null }), null);
  assert.equal(ev('1 IN (1, NULL)'), true);
  assert.equal(ev('2 IN (1, NULL)'), null);
  assert.equal(ev('2 NOT IN (1, NULL)'), null);
  assert.equal(ev('1 NOT IN (1, NULL)'), false);
  assert.equal(ev('a IN (b, 3)', { a: 2, b: 2 }), true);
  assert.equal(ev('a IN (b, 3)', { a: 2, b: null }), null);
  assert.equal(ev("a IN ('1', '2')", { a: 2 }), true);
  assert.equal(ev('NOT a IN (1, 2)', { a: 1 }), false);
});

void test('BETWEEN is inclusive on both ends and NULL-aware', () => {
  assert.equal(ev('a BETWEEN 1 AND 3', { a: 1 }), true);
  assert.equal(ev('a BETWEEN 1 AND 3', { a: 3 }), true);
  assert.equal(ev('a BETWEEN 1 AND 3', { a: 4 }), false);
  assert.equal(ev('a NOT BETWEEN 1 AND 3', { a: 4 }), true);
  assert.equal(ev('a BETWEEN 1 AND 3', { a: null }), null);
  assert.equal(ev('a BETWEEN NULL AND 3', { a: 5 }), false);
  assert.equal(ev('a BETWEEN NULL AND 3', { a: 2 }), null);
  assert.equal(ev("s BETWEEN 'b' AND 'd'", { s: 'c' }), true);
  assert.equal(ev('a BETWEEN 1 AND 3 AND b', { a: 2, b: true }), true);
});

void test('LIKE matches % and _ with backslash or ESCAPE escapes, and NOT LIKE negates', () => {
  assert.equal(ev("s LIKE 'ab%'", { s: 'abc' }), true);
  assert.equal(ev("s LIKE '%bc'", { s: 'abc' }), true);
  assert.equal(ev("s LIKE '%b%'", { s: 'abc' }), true);
  assert.equal(ev("s LIKE 'a_c'", { s: 'abc' }), true);
  assert.equal(ev("s LIKE 'a_c'", { s: 'abbc' }), false);
  assert.equal(ev("s LIKE 'abc'", { s: 'abc' }), true);
  assert.equal(ev("s LIKE 'ABC'", { s: 'abc' }), false);
  assert.equal(ev("s LIKE '%'", { s: 'line1\nline2' }), true);
  assert.equal(ev("s LIKE '100\\%'", { s: '100%' }), true);
  assert.equal(ev("s LIKE '100\\%'", { s: '1000' }), false);
  assert.equal(ev("s LIKE '10!%' ESCAPE '!'", { s: '10%' }), true);
  assert.equal(ev("s LIKE '10!%' ESCAPE '!'", { s: '100' }), false);
  assert.equal(ev("s LIKE 'a.c'", { s: 'abc' }), false);
  assert.equal(ev("s NOT LIKE 'a%'", { s: 'abc' }), false);
  assert.equal(ev("s LIKE 'a%'", { s: null }), null);
  assert.equal(ev('s LIKE p', { s: 'abc', p: 'a%' }), true);
  assert.equal(ev('s LIKE p', { s: 'abc', p: null }), null);
  assert.equal(ev("n LIKE '1%'", { n: 123 }), true);
});

void test('RLIKE and REGEXP search with a regular expression anywhere in the string', () => {
  assert.equal(ev("s RLIKE '\\\\d+'", { s: 'ab12' }), true);
  assert.equal(ev("s RLIKE '^\\\\d+$'", { s: 'ab12' }), false);
  assert.equal(ev("s REGEXP 'b1'", { s: 'ab12' }), true);
  assert.equal(ev("s NOT RLIKE 'z'", { s: 'ab12' }), true);
  assert.equal(ev("s RLIKE '(?i)AB'", { s: 'ab12' }), true);
  assert.equal(ev("s RLIKE 'x'", { s: null }), null);
});

void test('IS [NOT] NULL and IS [NOT] TRUE/FALSE never return NULL', () => {
  assert.equal(ev('a IS NULL', { a: null }), true);
  assert.equal(ev('a IS NULL', {}), true);
  assert.equal(ev('a IS NULL', { a: 0 }), false);
  assert.equal(ev('a IS NOT NULL', { a: '' }), true);
  assert.equal(ev('a IS TRUE', { a: null }), false);
  assert.equal(ev('a IS NOT TRUE', { a: null }), true);
  assert.equal(ev('a IS FALSE', { a: false }), true);
  assert.equal(ev('a IS NOT FALSE', { a: true }), true);
  assert.equal(ev('(a > 1) IS TRUE', { a: 2 }), true);
});

void test('searched CASE takes the first TRUE branch, NULL conditions fall through, no ELSE gives NULL', () => {
  const e = "CASE WHEN a > 100 THEN 'big' WHEN a > 10 THEN 'mid' ELSE 'small' END";
  assert.equal(ev(e, { a: 500 }), 'big');
  assert.equal(ev(e, { a: 50 }), 'mid');
  assert.equal(ev(e, { a: 5 }), 'small');
  assert.equal(ev(e, { a: null }), 'small');
  assert.equal(ev("CASE WHEN a THEN 'y' END", { a: false }), null);
  assert.equal(ev("CASE WHEN a THEN 'y' END", { a: true }), 'y');
});

void test('simple CASE compares the subject with each WHEN value; NULL never matches', () => {
  const e = "CASE c WHEN 'DE' THEN 'Germany' WHEN 'FR' THEN 'France' ELSE 'other' END";
  assert.equal(ev(e, { c: 'FR' }), 'France');
  assert.equal(ev(e, { c: 'US' }), 'other');
  assert.equal(ev(e, { c: null }), 'other');
  assert.equal(ev('CASE a WHEN NULL THEN 1 ELSE 2 END', { a: null }), 2);
});

void test('CASE branches of mixed types meet in a common type', () => {
  assert.equal(ev("CASE WHEN a THEN 1 ELSE 'x' END", { a: true }), '1');
  assert.equal(compileExpression('CASE WHEN a THEN 1 ELSE 2.5D END').type, 'double');
  // An INT and a DECIMAL(2,1) meet in DECIMAL(11,1), as Spark widens them.
  assert.equal(compileExpression('CASE WHEN a THEN 1 ELSE 2.5 END').type, 'decimal(11,1)');
  assert.equal(ev('CASE WHEN a THEN 1 ELSE 2.5 END', { a: true }), '1.0');
});

void test('|| concatenates strings, and NULL makes the result NULL', () => {
  assert.equal(ev("a || '-' || b", { a: 'x', b: 1 }), 'x-1');
  assert.equal(ev("a || 'x'", { a: null }), null);
});

void test('nested fields, struct subscripts, array subscripts (0-based) and map keys', () => {
  const row = { s: { x: { y: 5 } }, arr: [10, 20], m: new Map([['k', 'v']]), o: { 'a b': 1 } };
  assert.equal(ev('s.x.y', row), 5);
  assert.equal(ev("s['x'].y", row), 5);
  assert.equal(ev('s.x.missing', row), null);
  assert.equal(ev('arr[0]', row), 10);
  assert.equal(ev('arr[5]', row), null);
  assert.equal(ev('arr[-1]', row), null);
  assert.equal(ev("m['k']", row), 'v');
  assert.equal(ev('o.`a b`', row), 1);
  assert.equal(ev('s.x.y', { s: null }), null);
});

void test('backquoted names may contain spaces, dots and backquotes', () => {
  assert.equal(ev('`my col` + 1', { 'my col': 1 }), 2);
  assert.equal(ev('`a.b`', { 'a.b': 'dot' }), 'dot');
  assert.equal(ev('`a``b`', { 'a`b': 'tick' }), 'tick');
  assert.equal(ev('constructor IS NULL', {}), true);
  assert.equal(ev('toString', { toString: 'own' }), 'own');
  assert.equal(ev('s.constructor', { s: {} }), null);
});

void test('literals: quoted strings with escapes, numbers with suffixes, booleans and NULL', () => {
  assert.equal(ev("'it''s'"), "it's");
  assert.equal(ev("'it\\'s'"), "it's");
  assert.equal(ev('"double"'), 'double');
  assert.equal(ev("'a\\tb'"), 'a\tb');
  assert.equal(ev("'\\u0041'"), 'A');
  assert.equal(ev("'con' 'cat'"), 'concat');
  assert.equal(ev('1.5e3'), 1500);
  assert.equal(compileExpression('1.5e3').type, 'double');
  // Fractional literals without an exponent are exact decimals, as in Spark.
  assert.equal(ev('.5'), '0.5');
  assert.equal(compileExpression('.5').type, 'decimal(1,1)');
  assert.equal(compileExpression('1.19').type, 'decimal(3,2)');
  assert.equal(compileExpression('0.05').type, 'decimal(2,2)');
  assert.equal(ev('12.50'), '12.50');
  assert.equal(ev('10BD'), '10');
  assert.equal(ev('1.5D'), 1.5);
  assert.equal(ev('10L'), 10);
  assert.equal(ev('2D'), 2);
  assert.equal(ev('TRUE'), true);
  assert.equal(ev('false'), false);
  assert.equal(ev('NULL'), null);
  assert.equal(ev("'%' -- comment\n"), '%');
  assert.equal(ev('1 /* note */ + 1'), 2);
  assert.equal(ev("DATE '2024-02-03'"), daysFromCivil(2024, 2, 3));
  assert.equal(ev("TIMESTAMP '2024-02-03 04:05:06.123456'"), us('2024-02-03T04:05:06.123456Z'));
  assert.equal(ev("DATE '0001-01-01'"), daysFromCivil(1, 1, 1));
  assert.equal(ev("TIMESTAMP '9999-12-31 23:59:59.999999'"), us('9999-12-31T23:59:59.999999Z'));
});

void test('compilePredicate treats NULL as not matching, like a WHERE clause', () => {
  const p = compilePredicate('a > 1');
  assert.equal(p.test({ a: 2 }), true);
  assert.equal(p.test({ a: 0 }), false);
  assert.equal(p.test({ a: null }), false);
  assert.equal(p.test({}), false);
  assert.equal(compilePredicate('NOT (a > 1)').test({ a: null }), false);
  const rows = [{ a: 1 }, { a: 5 }, { a: null }, { a: 3 }];
  assert.deepEqual(rows.filter(compilePredicate('a >= 3')), [{ a: 5 }, { a: 3 }]);
  assert.equal(p.source, 'a > 1');
  assert.deepEqual(p.columns, ['a']);
});
