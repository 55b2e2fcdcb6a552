// Compilation: errors with positions, schema resolution, column lists and result type inference.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileExpression, compilePredicate, ExpressionError } from './index.ts';
import { ConfigError, ErrorCodes } from '../core/errors.ts';
import { struct, field } from '../core/schema.ts';

const schema = struct([
  field('id', 'string', false),
  field('Amount', 'double'),
  field('qty', 'integer'),
  field('total', 'long'),
  field('ts', 'timestamp'),
  field('tags', { type: 'array', elementType: 'string', containsNull: true }),
  field('attrs', { type: 'map', keyType: 'string', valueType: 'long', valueContainsNull: true }),
  field('addr', struct([field('city', 'string'), field('geo', struct([field('lat', 'double')]))])),
]);

/** Compiles and returns the ExpressionError it must raise. */
function failure(expr: string, opts: Parameters<typeof compileExpression>[1] = {}): ExpressionError {
  try {
    compileExpression(expr, opts);
  } catch (err) {
    assert.ok(err instanceof ExpressionError, `expected an ExpressionError, got ${String(err)}`);
    return err;
  }
  assert.fail(`expected ${expr} to fail`);
}

void test('a syntax error is a config error naming the expression, the position and what was expected', () => {
  const e = failure('amount > AND x', { name: 'stages[1].filter' });
  assert.ok(e instanceof ConfigError);
  assert.equal(e.code, ErrorCodes.CONFIG_INVALID);
  assert.equal(e.retryable, false);
  assert.equal(e.position.column, 10);
  assert.match(e.message, /stages\[1\]\.filter/);
  assert.match(e.message, /unexpected "AND" at position 10 of expression "amount > AND x"/);
  assert.match(e.message, /expected an operand after >/);
  assert.match(failure('a = 1 OR').reason, /unexpected end/);
  assert.match(failure('a + 1 *').message, /expected .*a number/);
});

void test('an incomplete expression reports the end of the text', () => {
  const e = failure('a + ');
  assert.match(e.reason, /unexpected end of expression/);
  assert.equal(e.position.offset, 3);
  assert.match(failure('upper(name').reason, /unexpected end/);
  assert.match(failure('(a + 1').reason, /unexpected end/);
});

void test('positions in multi-line expressions are given as line and column', () => {
  const e = failure("CASE WHEN a > 1\n  THEN 'x'\n  ELSE ) END");
  assert.equal(e.position.line, 3);
  assert.equal(e.position.column, 8);
  assert.match(e.message, /line 3, column 8/);
});

void test('positions point into the original text even after long literals and names', () => {
  const e = failure("concat('a long string literal', `quoted name`, 12345) +* 2");
  assert.equal(e.position.offset, "concat('a long string literal', `quoted name`, 12345) +".length);
});

void test('lexical errors: unterminated strings, names and comments, stray characters and semicolons', () => {
  assert.equal(failure("name = 'abc").position.offset, 7);
  assert.match(failure("name = 'abc").reason, /unterminated string/);
  assert.match(failure('`abc + 1').reason, /unterminated quoted name/);
  assert.match(failure('a /* x').reason, /unterminated comment/);
  assert.equal(failure('a # b').position.offset, 2);
  assert.match(failure('a; DROP TABLE t').reason, /unexpected character ";"/);
  assert.match(failure('a ? b').reason, /unexpected character/);
  assert.match(failure('12abc').reason, /malformed number/);
});

void test('an unknown function is reported at its name', () => {
  const e = failure('lower(a) || frobnicate(b)');
  assert.match(e.reason, /unknown function frobnicate/);
  assert.equal(e.position.offset, 12);
});

void test('a wrong number of arguments names the function and the counts', () => {
  assert.match(failure('upper(a, b)').reason, /upper takes 1 argument but was given 2/);
  assert.match(failure('substring(a)').reason, /substring takes 2 to 3 arguments but was given 1/);
  assert.match(failure('coalesce()').reason, /coalesce takes at least 1 argument/);
  assert.equal(failure('x + upper(a, b)').position.offset, 4);
});

void test('unsupported SQL is rejected with a reason: aggregates, INTERVAL, aliases, lists', () => {
  assert.match(failure('count(a)').reason, /aggregate function count/);
  assert.match(failure('ts + INTERVAL 1 DAY').reason, /INTERVAL is not supported/);
  assert.equal(failure('a b').position.offset, 2);
  assert.match(failure('a, b').reason, /second expression/);
  assert.match(failure('').reason, /empty expression/);
});

void test('a subscript may be computed, as in Spark: arr[i + 1] and m[key] read the element the row names', () => {
  const e = compileExpression('tags[i + 1]', { schema: struct([...schema.fields, field('i', 'integer')]) });
  assert.equal(e.type, 'string');
  assert.equal(e.evaluate({ tags: ['a', 'b', 'c'], i: 1 }), 'c');
  assert.equal(e.evaluate({ tags: ['a', 'b', 'c'], i: 2 }), null);
  assert.equal(e.evaluate({ tags: ['a', 'b', 'c'], i: null }), null);
  assert.equal(compileExpression('m[k]').evaluate({ m: { x: 1, y: 2 }, k: 'y' }), 2);
});

void test('bad literal arguments are reported at the argument: regexes, LIKE escapes, group indexes, patterns', () => {
  const rx = failure("regexp_extract(s, '(unclosed', 1)");
  assert.match(rx.reason, /invalid regular expression/);
  assert.equal(rx.position.offset, 18);
  assert.match(failure("s RLIKE '['").reason, /invalid regular expression/);
  assert.match(failure("s LIKE 'a\\\\b'").reason, /escape character may not precede/);
  assert.match(failure("s LIKE 'ab' ESCAPE 'xy'").reason, /single character/);
  assert.match(failure("s = 'ab' ESCAPE '!'").reason, /ESCAPE must follow LIKE/);
  assert.match(failure("regexp_extract(s, '(a)', 2)").reason, /group 2 does not exist/);
  assert.match(failure("date_format(ts, 'yyyy-qq')").reason, /unsupported letter "q"/);
  assert.match(failure('element_at(a, 0)').reason, /start at 1/);
  assert.match(failure("regexp_replace(s, 'a', '$x')").reason, /illegal group reference/);
});

void test('with a schema, an unknown column is an error at its position listing the known columns', () => {
  const e = failure('Amount > 1 AND country = 1', { schema, name: 'with_column gross' });
  assert.match(e.reason, /unknown column "country"/);
  assert.equal(e.position.offset, 15);
  assert.match(e.message, /expected one of id, Amount, qty/);
  assert.match(e.message, /with_column gross/);
  assert.match(failure('addr.zip', { schema }).reason, /no field "zip" in "addr"/);
  assert.match(failure('qty.x', { schema }).reason, /not a struct/);
});

void test('without a schema any column name is accepted and missing columns read as NULL', () => {
  const e = compileExpression('nope + 1');
  assert.equal(e.evaluate({}), null);
  assert.deepEqual(e.columns, ['nope']);
});

void test('column names resolve case-insensitively against the schema, as in Spark', () => {
  const e = compileExpression('amount * 2 + QTY', { schema });
  assert.deepEqual(e.columns, ['Amount', 'qty']);
  assert.equal(e.evaluate({ Amount: 1.5, qty: 1 }), 4);
});

void test('columns lists each top-level column once, also for nested access', () => {
  const e = compileExpression("addr.geo.lat > 0 AND addr.city = 'x' OR id IS NULL", { schema });
  assert.deepEqual([...e.columns].sort(), ['addr', 'id']);
  assert.equal(e.evaluate({ addr: { city: 'x', geo: { lat: 1 } }, id: 'a' }), true);
});

void test('result types are inferred from the schema for with_column outputs', () => {
  const type = (expr: string): unknown => compileExpression(expr, { schema }).type;
  assert.equal(type('Amount * 1.19'), 'double');
  assert.equal(type('qty + 1'), 'integer');
  assert.equal(type('qty + total'), 'long');
  assert.equal(type('qty / 2'), 'double');
  assert.equal(type('qty * Amount'), 'double');
  assert.equal(type('upper(id)'), 'string');
  assert.equal(type('length(id)'), 'integer');
  assert.equal(type('Amount > 1'), 'boolean');
  assert.equal(type('addr.city'), 'string');
  assert.equal(type('addr.geo.lat'), 'double');
  assert.equal(type('tags[0]'), 'string');
  assert.equal(type('element_at(tags, 1)'), 'string');
  assert.equal(type("attrs['k']"), 'long');
  assert.equal(type('to_date(ts)'), 'date');
  assert.equal(type('ts'), 'timestamp');
  assert.equal(type('coalesce(qty, total)'), 'long');
  assert.equal(type("if(qty > 1, 'a', 'b')"), 'string');
  assert.deepEqual(type("split(id, ',')"), { type: 'array', elementType: 'string', containsNull: false });
  assert.equal(type('round(Amount, 2)'), 'double');
  assert.equal(type('NULL'), 'unknown');
});

void test('string literals compared with typed columns are read as that type', () => {
  const at = (expr: string, row: Record<string, unknown>): unknown => compileExpression(expr, { schema: struct([...schema.fields, field('day', 'date')]) }).evaluate(row);
  const ts = 1709632800000000n; // 2024-03-05T10:00:00Z
  assert.equal(at("ts >= '2024-03-05'", { ts }), true);
  assert.equal(at("ts < '2024-03-05T09:59:59Z'", { ts }), false);
  assert.equal(at("'2024-03-05 10:00:00' = ts", { ts }), true);
  assert.equal(at("ts = '2024-03-05 10:00:00.000001'", { ts }), false);
  assert.equal(at("ts IN ('2024-03-05 10:00:00', '2024-03-06')", { ts }), true);
  assert.equal(at("ts BETWEEN '2024-03-05' AND '2024-03-05 10:00'", { ts }), true);
  assert.equal(at("ts = 'garbage'", { ts }), null);
  assert.equal(at("day = '2024-03-05 23:00'", { day: 19787 }), true);
  assert.equal(at("day >= '0001-01-01'", { day: -719162 }), true);
  assert.equal(at("day > '0001-01-01'", { day: -719162 }), false);
  assert.equal(at("Amount = '10'", { Amount: 10 }), true);
  assert.equal(at("Amount <=> '10.5'", { Amount: 10.5 }), true);
});

void test('constant sub-expressions are evaluated once at compile time', () => {
  const e = compileExpression("upper('a') || lower('B')");
  assert.equal(e.evaluate({}), 'Ab');
  assert.deepEqual(e.columns, []);
});

void test('compilePredicate rejects expressions that cannot be a condition', () => {
  assert.throws(() => compilePredicate('qty + 1', { schema }), /a condition must be boolean/);
  assert.equal(compilePredicate("CAST('true' AS BOOLEAN)").test({}), true);
  assert.equal(compilePredicate('flag').test({ flag: 'yes' }), true);
});

void test('the same compiled expression evaluates many rows independently', () => {
  const e = compileExpression("CASE WHEN s LIKE p THEN concat(s, '!') END");
  assert.equal(e.evaluate({ s: 'abc', p: 'a%' }), 'abc!');
  assert.equal(e.evaluate({ s: 'xbc', p: 'a%' }), null);
  assert.equal(e.evaluate({ s: 'xbc', p: 'x%' }), 'xbc!');
});
