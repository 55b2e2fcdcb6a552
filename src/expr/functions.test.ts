// Function semantics as in Spark: strings, regexes, conditionals, math, date/time, hashes and collections.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { compileExpression } from './index.ts';
import type { Row } from '../core/record.ts';
import { struct, field } from '../core/schema.ts';
import { daysFromCivil, parseTimestamp } from '../schema/values/index.ts';

const ev = (expr: string, row: Row = {}): unknown => compileExpression(expr).evaluate(row);
const us = (iso: string): bigint => parseTimestamp(iso) ?? 0n;

void test('ordinary functions return NULL for a NULL argument', () => {
  const calls = [
    'lower(x)', 'upper(x)', 'trim(x)', 'ltrim(x)', 'rtrim(x)', 'substring(x, 1)', 'substr(x, 1, 2)', 'concat(x, \'a\')', 'length(x)',
    "regexp_extract(x, 'a', 0)", "regexp_replace(x, 'a', 'b')", 'abs(x)', 'round(x)', 'floor(x)', 'ceil(x)', 'to_timestamp(x)', 'to_date(x)',
    "date_format(x, 'yyyy')", 'sha2(x, 256)', 'md5(x)', "split(x, ',')", 'element_at(x, 1)', "array_contains(x, 'a')", 'CAST(x AS INT)',
  ];
  for (const c of calls) assert.equal(ev(c, { x: null }), null, c);
});

void test('lower, upper and their aliases change case', () => {
  assert.equal(ev("lower('AbC')"), 'abc');
  assert.equal(ev("upper('AbC')"), 'ABC');
  assert.equal(ev("lcase('AbC')"), 'abc');
  assert.equal(ev("ucase('AbC')"), 'ABC');
  assert.equal(ev('upper(n)', { n: 1.5 }), '1.5');
});

void test('trim, ltrim and rtrim remove spaces only', () => {
  assert.equal(ev("trim('  a b  ')"), 'a b');
  assert.equal(ev("ltrim('  a  ')"), 'a  ');
  assert.equal(ev("rtrim('  a  ')"), '  a');
  assert.equal(ev("trim('\\ta\\t')"), '\ta\t');
});

void test('substring and substr are 1-based with Spark rules for zero, negative positions and lengths', () => {
  assert.equal(ev("substring('Spark SQL', 5)"), 'k SQL');
  assert.equal(ev("substring('Spark SQL', -3)"), 'SQL');
  assert.equal(ev("substring('Spark SQL', 5, 1)"), 'k');
  assert.equal(ev("substr('Spark SQL', 0, 2)"), 'Sp');
  assert.equal(ev("substr('Spark SQL', 1, 2)"), 'Sp');
  assert.equal(ev("substring('hello', -3, 2)"), 'll');
  assert.equal(ev("substring('hello', -10, 7)"), 'he');
  assert.equal(ev("substring('hello', 2, -1)"), '');
  assert.equal(ev("substring('hello', 10)"), '');
  assert.equal(ev("substring('a😀b', 2, 1)"), '😀');
});

void test('concat joins strings and returns NULL if any argument is NULL; concat_ws skips NULLs', () => {
  assert.equal(ev("concat('a', 'b', 'c')"), 'abc');
  assert.equal(ev("concat('a', n)", { n: 1 }), 'a1');
  assert.equal(ev("concat('a', NULL)"), null);
  assert.deepEqual(ev('concat(x, y)', { x: [1], y: [2, 3] }), [1, 2, 3]);
  assert.equal(ev("concat_ws('-', 'a', NULL, 'b')"), 'a-b');
  assert.equal(ev("concat_ws('-', arr, 'c')", { arr: ['a', null, 'b'] }), 'a-b-c');
  assert.equal(ev("concat_ws(NULL, 'a')"), null);
  assert.equal(ev("concat_ws(',')"), '');
});

void test('length counts characters, not UTF-16 units, and bytes for binary', () => {
  assert.equal(ev("length('Spark')"), 5);
  assert.equal(ev("length('a😀')"), 2);
  assert.equal(ev('length(b)', { b: new Uint8Array([1, 2, 3]) }), 3);
  assert.equal(ev("length('')"), 0);
});

void test('regexp_extract returns the group, an empty string when nothing matches', () => {
  assert.equal(ev("regexp_extract('100-200', '(\\\\d+)-(\\\\d+)', 1)"), '100');
  assert.equal(ev("regexp_extract('100-200', '(\\\\d+)-(\\\\d+)', 2)"), '200');
  assert.equal(ev("regexp_extract('100-200', '(\\\\d+)-(\\\\d+)', 0)"), '100-200');
  assert.equal(ev("regexp_extract('abc', '(\\\\d+)', 1)"), '');
  assert.equal(ev("regexp_extract('abc', '(x)?b', 1)"), '');
  assert.equal(ev("regexp_extract(s, 'id=(\\\\w+)')", { s: 'x id=42 y' }), '42');
});

void test('regexp_replace replaces every match, with Java-style group references', () => {
  assert.equal(ev("regexp_replace('100-200', '(\\\\d+)', 'num')"), 'num-num');
  assert.equal(ev("regexp_replace('a1b2', '(\\\\d)', '<$1>')"), 'a<1>b<2>');
  assert.equal(ev("regexp_replace('a.b', '\\\\.', '\\\\$')"), 'a$b');
  assert.equal(ev("regexp_replace('aaa', 'a', 'b', 2)"), 'abb');
  assert.equal(ev('regexp_replace(s, p, r)', { s: 'xyz', p: 'y', r: '-' }), 'x-z');
});

void test('split uses a regex and keeps trailing empty strings; a positive limit caps the parts', () => {
  assert.deepEqual(ev("split('a,b,,c,,', ',')"), ['a', 'b', '', 'c', '', '']);
  assert.deepEqual(ev("split('oneAtwoBthreeC', '[ABC]')"), ['one', 'two', 'three', '']);
  assert.deepEqual(ev("split('a1b22c', '\\\\d+', 2)"), ['a', 'b22c']);
  assert.deepEqual(ev("split('a1b22c', '\\\\d+', -1)"), ['a', 'b', 'c']);
  assert.deepEqual(ev("split('abc', '')"), ['a', 'b', 'c']);
  assert.deepEqual(ev("split('a(b', '\\\\(')"), ['a', 'b']);
});

void test('coalesce, nvl, ifnull, nullif and if pick values with NULL handling', () => {
  assert.equal(ev('coalesce(a, b, 3)', { a: null, b: null }), 3);
  assert.equal(ev('coalesce(a, b, 3)', { a: null, b: 2 }), 2);
  assert.equal(ev('coalesce(a)', { a: null }), null);
  assert.equal(ev('nvl(a, 0)', { a: null }), 0);
  assert.equal(ev('ifnull(a, 0)', { a: 7 }), 7);
  assert.equal(ev('nullif(a, 0)', { a: 0 }), null);
  assert.equal(ev('nullif(a, 0)', { a: 5 }), 5);
  assert.equal(ev("if(a > 1, 'y', 'n')", { a: 2 }), 'y');
  assert.equal(ev("if(a > 1, 'y', 'n')", { a: null }), 'n');
  const typed = compileExpression("coalesce(a, 'x')", { schema: struct([field('a', 'long')]) });
  assert.equal(typed.evaluate({ a: 1 }), '1');
  assert.equal(typed.type, 'string');
});

void test('greatest and least skip NULLs and are NULL only when every argument is', () => {
  assert.equal(ev('greatest(1, 5, 3)'), 5);
  assert.equal(ev('least(1, 5, 3)'), 1);
  assert.equal(ev('greatest(a, 2)', { a: null }), 2);
  assert.equal(ev('least(a, b)', { a: null, b: null }), null);
  assert.equal(ev("greatest('b', 'a')"), 'b');
  assert.equal(ev('greatest(1, 2.5D)'), 2.5);
  // An INT and a DECIMAL meet in a DECIMAL wide enough for both, compared exactly.
  assert.equal(ev('greatest(1, 2.5)'), '2.5');
  assert.equal(ev('least(10, 2.50)'), '2.50');
  assert.equal(compileExpression('greatest(1, 2.5)').type, 'decimal(11,1)');
});

void test('abs, floor and ceil on numbers and numeric strings', () => {
  assert.equal(ev('abs(-3.5D)'), 3.5);
  assert.equal(ev('abs(a)', { a: -2 }), 2);
  assert.equal(ev('abs(a)', { a: -(2n ** 60n) }), 2n ** 60n);
  assert.equal(ev('floor(a)', { a: 2n ** 60n }), 2n ** 60n);
  assert.equal(ev('floor(-1.5D)'), -2);
  assert.equal(ev('ceil(-1.5D)'), -1);
  assert.equal(ev('ceiling(1.2D)'), 2);
  assert.equal(ev("floor('2.7')"), 2);
  assert.equal(compileExpression('floor(1.5D)').type, 'long');
});

void test('abs, floor, ceil and round of a decimal are exact decimals typed as Spark types them', () => {
  assert.equal(ev('abs(-3.50)'), '3.50');
  assert.equal(compileExpression('abs(-3.50)').type, 'decimal(3,2)');
  assert.equal(ev('floor(-1.5)'), '-2');
  assert.equal(ev('ceil(-1.5)'), '-1');
  assert.equal(ev('ceil(1.01)'), '2');
  assert.equal(ev('floor(7.00)'), '7');
  assert.equal(compileExpression('floor(123.45)').type, 'decimal(4,0)');
  const schema = struct([field('p', 'decimal(38,18)')]);
  const r = (e: string, p: string): unknown => compileExpression(e, { schema }).evaluate({ p });
  assert.equal(r('round(p, 2)', '12345678901234567890.125000000000000000'), '12345678901234567890.13');
  assert.equal(r('round(p, -1)', '-15.000000000000000000'), '-20');
  assert.equal(r('floor(p)', '-0.000000000000000001'), '-1');
  assert.equal(compileExpression('round(p, 2)', { schema }).type, 'decimal(23,2)');
});

void test('round uses HALF_UP on the decimal value, as Spark does', () => {
  assert.equal(ev('round(2.5D)'), 3);
  assert.equal(ev('round(-2.5D)'), -3);
  assert.equal(ev('round(2.675D, 2)'), 2.68);
  assert.equal(ev('round(1.005D, 2)'), 1.01);
  assert.equal(ev('round(1234.5678D, -2)'), 1200);
  assert.equal(ev('round(1250, -2)'), 1300);
  assert.equal(ev('round(0.125D, 2)'), 0.13);
  assert.equal(ev('round(a, 1)', { a: 9.96 }), 10);
  assert.equal(ev('round(7, 2)'), 7);
  assert.equal(ev('round(2.5)'), '3');
  assert.equal(ev('round(-2.5)'), '-3');
  assert.equal(ev('round(2.675, 2)'), '2.68');
  assert.equal(ev('round(1234.5678, -2)'), '1200');
  assert.equal(ev('round(0.125, 5)'), '0.125');
});

void test('to_timestamp parses ISO text, or text in a Spark datetime pattern, to the microsecond; unparsable text is NULL', () => {
  assert.equal(ev("to_timestamp('2024-03-05 10:20:30')"), us('2024-03-05T10:20:30Z'));
  assert.equal(ev("to_timestamp('2024-03-05T10:20:30.123Z')"), us('2024-03-05T10:20:30.123Z'));
  assert.equal(ev("to_timestamp('2024-03-05T10:20:30.123456Z')"), 1709634030123456n);
  assert.equal(ev("to_timestamp('2024-03-05T10:20:30+02:00')"), us('2024-03-05T08:20:30Z'));
  assert.equal(ev("to_timestamp('05/03/2024 10:20', 'dd/MM/yyyy HH:mm')"), us('2024-03-05T10:20:00Z'));
  assert.equal(ev("to_timestamp('2024-03-05 10:20:30.5', 'yyyy-MM-dd HH:mm:ss.SSS')"), us('2024-03-05T10:20:30.500Z'));
  assert.equal(ev("to_timestamp('2024-03-05 10:20:30.000007', 'yyyy-MM-dd HH:mm:ss.SSSSSS')"), us('2024-03-05T10:20:30.000007Z'));
  assert.equal(ev("to_timestamp('1969-12-31 23:59:59.25', 'yyyy-MM-dd HH:mm:ss.SS')"), -750_000n);
  assert.equal(ev("to_timestamp('0001-01-01 00:00', 'yyyy-MM-dd HH:mm')"), us('0001-01-01T00:00:00Z'));
  assert.equal(ev("to_timestamp('0012-01-01', 'yyyy-MM-dd')"), us('0012-01-01T00:00:00Z'));
  assert.equal(ev("to_timestamp('9999-12-31 23:59:59', 'yyyy-MM-dd HH:mm:ss')"), 253402300799_000_000n);
  assert.equal(ev("to_timestamp('Mar 5 2024 1:02 PM', 'MMM d yyyy h:mm a')"), us('2024-03-05T13:02:00Z'));
  assert.equal(ev("to_timestamp('2024-060', 'yyyy-DDD')"), us('2024-02-29T00:00:00Z'));
  assert.equal(ev("to_timestamp('2023-366', 'yyyy-DDD')"), null);
  assert.equal(ev("to_timestamp('not a date')"), null);
  assert.equal(ev("to_timestamp('2024-02-30', 'yyyy-MM-dd')"), null);
  assert.equal(ev("to_timestamp('2023-02-29', 'yyyy-MM-dd')"), null);
  assert.equal(ev("to_timestamp('2024-03-05', 'dd/MM/yyyy')"), null);
  const schema = struct([field('t', 'timestamp'), field('d', 'date')]);
  assert.equal(compileExpression('to_timestamp(t)', { schema }).evaluate({ t: 5n }), 5n);
  assert.equal(compileExpression('to_timestamp(d)', { schema }).evaluate({ d: 1 }), 86_400_000_000n);
});

void test('to_date keeps the day only, also before 1970 and in years 0001 and 9999', () => {
  assert.equal(ev("to_date('2024-03-05 10:20:30')"), daysFromCivil(2024, 3, 5));
  assert.equal(ev("to_date('05.03.2024', 'dd.MM.yyyy')"), daysFromCivil(2024, 3, 5));
  assert.equal(ev("to_date('0001-01-01')"), daysFromCivil(1, 1, 1));
  assert.equal(ev("to_date('29.02.2000', 'dd.MM.yyyy')"), daysFromCivil(2000, 2, 29));
  const schema = struct([field('t', 'timestamp')]);
  assert.equal(compileExpression('to_date(t)', { schema }).evaluate({ t: -1n }), -1);
  assert.equal(compileExpression('to_date(t)', { schema }).type, 'date');
  assert.equal(ev("to_date('garbage')"), null);
});

void test('date_format renders Spark patterns in UTC, with microseconds and four-digit years', () => {
  const schema = struct([field('t', 'timestamp'), field('d', 'date')]);
  const fmt = (pattern: string, t: bigint): unknown => compileExpression(`date_format(t, '${pattern}')`, { schema }).evaluate({ t });
  const t = us('2024-03-05T14:07:09.045678Z');
  assert.equal(fmt('yyyy-MM-dd HH:mm:ss.SSS', t), '2024-03-05 14:07:09.045');
  assert.equal(fmt('yyyy-MM-dd HH:mm:ss.SSSSSS', t), '2024-03-05 14:07:09.045678');
  assert.equal(fmt('ss.SSSSSSSSS', t), '09.045678000');
  assert.equal(fmt('dd/MM/yy', t), '05/03/24');
  assert.equal(fmt('EEE, d MMM yyyy h:mm a', t), 'Tue, 5 Mar 2024 2:07 PM');
  assert.equal(fmt('EEEE MMMM', t), 'Tuesday March');
  assert.equal(fmt('D', t), '65');
  assert.equal(compileExpression("date_format(t, \"yyyy-MM-dd'T'HH:mm:ssXXX\")", { schema }).evaluate({ t }), '2024-03-05T14:07:09Z');
  assert.equal(fmt('yyyy-MM-dd HH:mm:ss.SSSSSS', us('1969-12-31T23:59:59.999999Z')), '1969-12-31 23:59:59.999999');
  assert.equal(fmt('yyyy-MM-dd EEEE', us('0001-01-01T00:00:00Z')), '0001-01-01 Monday');
  assert.equal(fmt('yyyy-MM-dd HH:mm:ss.SSSSSS', us('9999-12-31T23:59:59.999999Z')), '9999-12-31 23:59:59.999999');
  assert.equal(fmt('yyyy-MM-dd D', us('2000-12-31T00:00:00Z')), '2000-12-31 366');
  assert.equal(compileExpression("date_format(d, 'yyyy-MM-dd HH:mm')", { schema }).evaluate({ d: daysFromCivil(2024, 2, 29) }), '2024-02-29 00:00');
  assert.equal(ev("date_format('2024-01-02', 'yyyyMMdd')"), '20240102');
});

void test('current_timestamp and current_date give the time of evaluation as a timestamp and a date', () => {
  const before = BigInt(Date.now()) * 1000n;
  const ts = ev('current_timestamp()');
  const ts2 = ev('current_timestamp');
  const after = BigInt(Date.now()) * 1000n;
  assert.ok(typeof ts === 'bigint' && ts >= before && ts <= after);
  assert.equal(typeof ts2, 'bigint');
  const day = ev('current_date()');
  assert.equal(typeof day, 'number');
  assert.ok([before, after].some((t) => BigInt(day as number) === t / 86_400_000_000n));
  assert.equal(compileExpression('current_date').type, 'date');
  assert.equal(compileExpression('now()').type, 'timestamp');
});

void test('sha2 supports 224, 256, 384 and 512 bits (0 means 256), md5 and sha1 give hex digests', () => {
  const hex = (alg: string, s: string): string => createHash(alg).update(s).digest('hex');
  assert.equal(ev("sha2('Spark', 256)"), '529bc3b07127ecb7e53a4dcf1991d9152c24537d919178022b2c42657f79a26b');
  assert.equal(ev("sha2('Spark', 224)"), hex('sha224', 'Spark'));
  assert.equal(ev("sha2('Spark', 384)"), hex('sha384', 'Spark'));
  assert.equal(ev("sha2('Spark', 512)"), hex('sha512', 'Spark'));
  assert.equal(ev("sha2('Spark', 0)"), hex('sha256', 'Spark'));
  assert.equal(ev("sha2('Spark', 100)"), null);
  assert.equal(ev("md5('Spark')"), '8cde774d6f7333752ed72cacddb05126');
  assert.equal(ev("sha1('Spark')"), '85f5955f4b27a9a4c2aab6ffe5d7189fc298b92c');
  assert.equal(ev('md5(b)', { b: new Uint8Array([83, 112, 97, 114, 107]) }), '8cde774d6f7333752ed72cacddb05126');
});

void test('size of arrays and maps is their length, and -1 for NULL', () => {
  assert.equal(ev('size(a)', { a: [1, 2, 3] }), 3);
  assert.equal(ev('size(m)', { m: { a: 1, b: 2 } }), 2);
  assert.equal(ev('size(m)', { m: new Map([[1, 2]]) }), 1);
  assert.equal(ev('size(a)', { a: null }), -1);
  assert.equal(ev('cardinality(a)', { a: [1] }), 1);
});

void test('element_at is 1-based for arrays, counts from the end when negative, and looks up map keys', () => {
  const row = { a: ['x', 'y', 'z'], m: { k: 'v' } };
  assert.equal(ev('element_at(a, 1)', row), 'x');
  assert.equal(ev('element_at(a, -1)', row), 'z');
  assert.equal(ev('element_at(a, 4)', row), null);
  assert.equal(ev("element_at(m, 'k')", row), 'v');
  assert.equal(ev("element_at(m, 'nope')", row), null);
});

void test('array_contains is TRUE if found, NULL if not found but the array holds NULL', () => {
  assert.equal(ev("array_contains(a, 'b')", { a: ['a', 'b'] }), true);
  assert.equal(ev("array_contains(a, 'c')", { a: ['a', 'b'] }), false);
  assert.equal(ev("array_contains(a, 'c')", { a: ['a', null] }), null);
  assert.equal(ev('array_contains(a, NULL)', { a: ['a'] }), null);
  assert.equal(ev('array_contains(a, 2)', { a: [1, 2] }), true);
});

void test('type-named functions are cast shorthands', () => {
  assert.equal(ev("int('42')"), 42);
  assert.equal(ev("bigint('42')"), 42);
  assert.equal(ev("double('1.5')"), 1.5);
  assert.equal(ev("boolean('yes')"), true);
  assert.equal(ev('string(1.0)'), '1.0');
  assert.equal(ev("date('2024-01-02')"), daysFromCivil(2024, 1, 2));
  assert.equal(ev("timestamp('2024-01-02 03:04:05.000006')"), us('2024-01-02T03:04:05.000006Z'));
});

void test('function names are case-insensitive', () => {
  assert.equal(ev("UPPER('a')"), 'A');
  assert.equal(ev("Coalesce(NULL, 'x')"), 'x');
});
