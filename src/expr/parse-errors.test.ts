// Syntax errors: each names what was found, what was expected and where, and shows the line with a caret.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileExpression, ExpressionError } from './index.ts';
import { ErrorCodes } from '../core/errors.ts';

interface Expectation {
  readonly reason: string | RegExp;
  readonly offset: number;
  readonly expected?: string | RegExp;
}

/** Compiles `text`, which must fail, and checks the reason, the offset, the expectation and the caret. */
function fails(text: string, want: Expectation): ExpressionError {
  let caught: unknown;
  try {
    compileExpression(text);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof ExpressionError, `${text}: expected an ExpressionError, got ${String(caught)}`);
  const e = caught;
  assert.equal(e.code, ErrorCodes.CONFIG_INVALID);
  if (typeof want.reason === 'string') assert.equal(e.reason, want.reason, text);
  else assert.match(e.reason, want.reason, text);
  assert.equal(e.position.offset, want.offset, `${text}: offset`);
  const expected = e.problems[0]?.expected ?? '';
  if (typeof want.expected === 'string') assert.equal(expected, want.expected, text);
  else if (want.expected !== undefined) assert.match(expected, want.expected, text);
  // The message ends with the line at fault and a caret under the offending column.
  const lines = e.message.split('\n');
  const caret = lines[lines.length - 1] ?? '';
  const shown = lines[lines.length - 2] ?? '';
  assert.equal(caret.indexOf('^') - 4, e.position.column - 1, `${text}: caret column`);
  assert.equal(shown.slice(4), text.split('\n')[e.position.line - 1], `${text}: line shown`);
  return e;
}

void test('an unclosed parenthesis, call, subscript or IN list is reported at the end, naming where it was opened', () => {
  fails('(a + 1', { reason: 'unexpected end of expression', offset: 6, expected: '")" to close the parenthesis opened at position 1' });
  fails('round(a, 2', { reason: 'unexpected end of expression', offset: 10, expected: '"," or ")" to close the call of round opened at position 6' });
  fails('arr[0 + 1', { reason: 'unexpected end of expression', offset: 9, expected: '"]" to close the subscript opened at position 4' });
  fails('x IN (1, 2 AND', { reason: 'unexpected end of expression', offset: 14, expected: /^an operand after AND/ });
  fails('x IN (1, 2', { reason: 'unexpected end of expression', offset: 10, expected: '"," or ")" to close the IN list opened at position 6' });
  // Trailing blanks and comments do not move the place of an unexpected end.
  fails('upper(name   -- comment', { reason: 'unexpected end of expression', offset: 10, expected: /to close the call of upper/ });
});

void test('a missing operand is reported at what stands in its place, naming the operator before it', () => {
  fails('a + * 2', { reason: 'unexpected "*"', offset: 4, expected: /^an operand after \+ \(a column, a number, a string/ });
  fails('amount > AND x', { reason: 'unexpected "AND"', offset: 9, expected: /^an operand after >/ });
  fails('a = 1 OR', { reason: 'unexpected end of expression', offset: 8, expected: /^an operand after OR/ });
  fails('f(a, )', { reason: 'unexpected ")"', offset: 5, expected: /^an operand after ,/ });
  fails('a BETWEEN 1', { reason: 'unexpected end of expression', offset: 11, expected: '"AND" and the upper bound of the BETWEEN at position 3' });
  fails('a IS', { reason: 'unexpected end of expression', offset: 4, expected: 'NULL, TRUE, FALSE, UNKNOWN or DISTINCT FROM after IS' });
  fails('a NOT 1', { reason: 'unexpected "1"', offset: 6, expected: 'IN, BETWEEN, LIKE, ILIKE, RLIKE or REGEXP after NOT' });
  fails('a = NOT b', { reason: 'unexpected "NOT"', offset: 4, expected: /a NOT here needs parentheses/ });
});

void test('an unknown character or a malformed token is reported where it starts', () => {
  fails('a # b', { reason: 'unexpected character "#"', offset: 2 });
  fails('a; DROP TABLE t', { reason: 'unexpected character ";"', offset: 1 });
  fails('1 + 12abc', { reason: 'malformed number "12abc"', offset: 4 });
  fails("X'0g'", { reason: 'invalid hex digit "g" in a binary literal', offset: 3 });
  fails('a -> a + 1', { reason: /lambda functions/, offset: 2 });
  fails('a @ 1', { reason: 'unexpected character "@"', offset: 2 });
  fails('a : 1', { reason: 'unexpected ":"', offset: 2 });
});

void test('a bad CAST type is reported at the type', () => {
  fails('CAST(a AS INTEGR)', { reason: 'unknown type "INTEGR"', offset: 10, expected: /STRING, INT, BIGINT/ });
  fails('CAST(a AS)', { reason: 'unexpected ")"', offset: 9, expected: /^a type after AS/ });
  fails('CAST(a INT)', { reason: 'unexpected "INT"', offset: 7, expected: '"AS" and a type in the CAST opened at position 5' });
  fails('CAST(a AS DECIMAL(10,))', { reason: 'unexpected ")"', offset: 21, expected: 'a whole number as a parameter of DECIMAL' });
  fails('CAST(a AS DECIMAL(40, 2))', { reason: /invalid decimal precision/, offset: 10 });
  fails('CAST(a AS ARRAY<INT>)', { reason: 'casts to ARRAY<INT> are not supported', offset: 10 });
  fails('CAST(a AS MAP<STRING, INT)', { reason: 'unexpected ")"', offset: 25, expected: '">" to close the MAP< opened at position 14' });
  fails('CAST(a AS STRUCT<x: INT>>)', { reason: 'unexpected ">"', offset: 24 });
  fails('CAST(a AS INT', { reason: 'unexpected end of expression', offset: 13, expected: '")" to close the CAST opened at position 5' });
  fails('a::', { reason: 'unexpected end of expression', offset: 3, expected: /^a type after ::/ });
});

void test('trailing text after a complete expression is reported where it starts', () => {
  fails('a = 1 b', { reason: 'unexpected "b"', offset: 6, expected: 'an operator such as AND, OR, =, + or ||, or the end of the expression' });
  fails('a + 1)', { reason: 'unexpected ")" that closes no "("', offset: 5 });
  fails('a, b', { reason: /second expression/, offset: 1 });
  fails('a AS total', { reason: /takes no alias/, offset: 2 });
  fails("s = 'x' ESCAPE '!'", { reason: 'ESCAPE must follow LIKE and its pattern', offset: 8 });
  fails('a THEN b', { reason: 'unexpected "THEN" outside a CASE', offset: 2 });
});

void test('unterminated strings, names and comments are reported where they open', () => {
  fails("s = 'abc", { reason: 'unterminated string', offset: 4, expected: "a closing '" });
  fails('s = "abc', { reason: 'unterminated string', offset: 4, expected: 'a closing "' });
  fails('`abc + 1', { reason: 'unterminated quoted name', offset: 0 });
  fails('a /* x /* y */', { reason: 'unterminated comment', offset: 2 });
});

void test('CASE problems name the CASE they belong to', () => {
  fails('CASE WHEN a THEN 1', { reason: 'unexpected end of expression', offset: 18, expected: '"WHEN", "ELSE" or "END" to close the CASE at position 1' });
  fails('CASE WHEN a 1 END', { reason: 'unexpected "1"', offset: 12, expected: '"THEN" after the WHEN condition in the CASE at position 1' });
  fails('CASE a END', { reason: 'unexpected "END"', offset: 7, expected: '"WHEN" to start the first branch of the CASE at position 1' });
  fails('CASE WHEN a THEN 1 ELSE 2', { reason: 'unexpected end of expression', offset: 25, expected: '"END" to close the CASE at position 1' });
});

void test('constructs Spark has but a row expression cannot hold are refused by name', () => {
  fails('count(*)', { reason: 'aggregate function count is not supported in a row expression', offset: 0 });
  fails('sum(DISTINCT x)', { reason: /aggregate function sum/, offset: 0 });
  fails('lag(x) OVER (ORDER BY t)', { reason: /window function lag/, offset: 0 });
  fails('upper(x) OVER (ORDER BY t)', { reason: /window functions \(OVER\)/, offset: 9 });
  fails('a IN (SELECT b FROM t)', { reason: /subqueries are not supported/, offset: 6 });
  fails("ts + INTERVAL '1' DAY", { reason: 'INTERVAL is not supported', offset: 5 });
  fails('x.y(1)', { reason: 'unknown function "x.y"', offset: 0 });
  fails("DATE '2024-02-30'", { reason: 'invalid DATE literal "2024-02-30"', offset: 5 });
  fails("TIMESTAMP 'noon'", { reason: 'invalid TIMESTAMP literal "noon"', offset: 10 });
  fails('128Y', { reason: 'number 128Y is out of the TINYINT range', offset: 0 });
  fails('-9223372036854775809L', { reason: 'number -9223372036854775809L is out of the BIGINT range', offset: 0 });
});

void test('in a multi-line expression the position is a line and column, and the caret is under that line', () => {
  const e = fails('CASE WHEN a > 1\n  THEN (b +\n  ELSE c END', { reason: 'unexpected "ELSE"', offset: 30 });
  assert.deepEqual([e.position.line, e.position.column], [3, 3]);
  assert.match(e.message, /unexpected "ELSE" at line 3, column 3 of expression/);
  assert.match(e.message, /expected an operand after \+/);
  // A tab before the error stays a tab under it, so the caret lines up in any terminal.
  const tab = fails('a +\n\t\t)', { reason: 'unexpected ")"', offset: 6 });
  assert.ok(tab.message.endsWith('\n    \t\t)\n    \t\t^'), JSON.stringify(tab.message));
});

void test('a long line is cut around the caret', () => {
  const text = `${'a + '.repeat(60)}) + ${'b + '.repeat(60)}c`;
  const e = errorOf(text);
  const [shown = '', caret = ''] = e.message.split('\n').slice(-2);
  assert.ok(shown.length < 120 && shown.startsWith('    ...') && shown.endsWith('...'), shown);
  assert.equal(shown.charAt(caret.indexOf('^')), ')');
});

function errorOf(text: string): ExpressionError {
  try {
    compileExpression(text);
  } catch (err) {
    if (err instanceof ExpressionError) return err;
    throw err;
  }
  return assert.fail(`${text} compiled`);
}
