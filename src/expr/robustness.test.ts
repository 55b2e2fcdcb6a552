// Robustness: malformed expressions fail only with ExpressionError; hostile row values never make a compiled expression throw.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileExpression, ExpressionError, ExpressionEvalError } from './index.ts';
import { ErrorCodes } from '../core/errors.ts';
import { FUNCTIONS } from './functions.ts';
import { parseDdl } from '../schema/ddl.ts';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

const TOKENS = [
  'a', 'b', 'c.d', '`x y`', '1', '2.5', '-', '+', '*', '/', '%', '(', ')', ',', '[', ']', '0', "'s'", '"q"', "'", '`',
  'AND', 'OR', 'NOT', 'IN', 'IS', 'NULL', 'TRUE', 'BETWEEN', 'LIKE', 'RLIKE', 'ESCAPE', 'CASE', 'WHEN', 'THEN', 'ELSE', 'END',
  'CAST', 'AS', 'INT', 'DECIMAL(5,2)', 'upper(', 'coalesce(', 'substring(', 'DIV', '<=>', '=', '<>', '<', '>=', '||', '!',
  '--', '/*', '*/', ';', '?', ':', '::', '$', '\n', 'DATE', "DATE '2024-01-01'", 'count(', 'x[0]', 'element_at(',
  '&', '|', '^', '~', '<<', '>>>', 'ILIKE', 'ANY', 'DISTINCT', 'FROM', 'TRY_CAST(', "X'0A'", 'ARRAY<INT>', '->', 'INTERVAL', 'OVER',
];

void test('random token soups either compile or fail with an ExpressionError at a valid position', () => {
  const rnd = rng(99);
  let compiled = 0;
  for (let k = 0; k < 3000; k++) {
    const n = 1 + Math.floor(rnd() * 9);
    const text = Array.from({ length: n }, () => TOKENS[Math.floor(rnd() * TOKENS.length)] ?? '').join(rnd() < 0.8 ? ' ' : '');
    try {
      compileExpression(text).evaluate({ a: 1, b: 'x', c: { d: 2 }, 'x y': null, x: [1] });
      compiled++;
    } catch (err) {
      assert.ok(err instanceof ExpressionError, `${JSON.stringify(text)} threw ${String(err)}`);
      assert.ok(err.position.offset >= 0 && err.position.offset <= text.length, `${JSON.stringify(text)} position ${err.position.offset}`);
    }
  }
  assert.ok(compiled > 0);
});

const HOSTILE: unknown[] = [
  null, undefined, 0, -1, 1.5, NaN, Infinity, -0, 2 ** 60, 123n, -(2n ** 70n), '', ' ', 'abc', '12', 'true', '2024-01-01', '\u0000', '😀'.repeat(3),
  true, false, new Date(0), new Date(NaN), [], [1, null, 'x'], {}, { a: { b: 1 } }, new Map([['k', 1]]), new Uint8Array([0, 255]), ['a', ['nested']],
  253402300799999999n, -62135596800000000n, 2n ** 63n, 2932896, -719162, 1e300, '-0.05', '99999999999999999999.99', '1e400', '9999-12-31 23:59:59.999999',
];

const NAMES = ['v', 'w', 'u', 'x', 'y', 'z'];

void test('every function and operator survives hostile argument values without throwing', () => {
  const samples: string[] = [];
  for (const [name, def] of FUNCTIONS) {
    const args = NAMES.slice(0, Math.min(Math.max(def.min, 1), NAMES.length));
    if (def.min === 0) samples.push(`${name}()`);
    else samples.push(`${name}(${args.join(', ')})`);
  }
  samples.push(
    'v + w', 'v - w', 'v * w', 'v / w', 'v % w', 'v div w', '-v', 'v || w', 'v & w', 'v | w', 'v ^ w', '~v', 'v << w', 'v >> w', 'v >>> w', 'v = w', 'v <=> w', 'v < w', 'v >= w', 'v AND w', 'NOT v',
    'v IN (w, 1, \'a\')', 'v BETWEEN w AND u', 'v LIKE w', "v LIKE 'a%'", "v RLIKE 'a'", 'v IS TRUE', 'CASE v WHEN w THEN u END',
    'CAST(v AS INT)', 'CAST(v AS BIGINT)', 'CAST(v AS DOUBLE)', 'CAST(v AS STRING)', 'CAST(v AS BOOLEAN)', 'CAST(v AS TIMESTAMP)',
    'CAST(v AS DATE)', 'CAST(v AS DECIMAL(5,2))', 'CAST(v AS BINARY)', 'v[0]', "v['a']", 'v.a.b', "split(v, ',', w)", "date_format(v, 'yyyy')",
    "to_timestamp(v, 'yyyy-MM-dd')", "regexp_extract(v, '(a)', 1)", "regexp_replace(v, 'a', 'b', w)", 'round(v, w)', 'substring(v, w, u)',
  );
  const rnd = rng(7);
  const pickValue = (): unknown => HOSTILE[Math.floor(rnd() * HOSTILE.length)];
  // Untyped, and typed as timestamps, dates and decimals whose values are not in their type's form.
  const schemas = [
    null,
    parseDdl('v TIMESTAMP, w DATE, u DECIMAL(10,2), x BIGINT, y STRING, z TIMESTAMP_NTZ'),
    parseDdl('v DECIMAL(38,10), w TIMESTAMP, u DATE, x DECIMAL(5,0), y INT, z DOUBLE'),
    parseDdl('v DATE, w DECIMAL(3,3), u TIMESTAMP, x DATE, y BOOLEAN, z BIGINT'),
  ];
  for (const schema of schemas) for (const text of samples) {
    let e;
    try {
      e = compileExpression(text, { schema });
    } catch (err) {
      // With types some operations are refused outright (a timestamp plus a number, say).
      if (schema !== null && err instanceof ExpressionError) continue;
      throw err;
    }
    for (let k = 0; k < 60; k++) {
      const row = { v: pickValue(), w: pickValue(), u: pickValue(), x: pickValue(), y: pickValue(), z: pickValue() };
      try {
        const out = e.evaluate(row);
        assert.notEqual(out, undefined, text);
      } catch (err) {
        // A pattern that only the row supplies can only be rejected then, as a record-level error.
        if (err instanceof ExpressionEvalError && err.code === ErrorCodes.RECORD_INVALID && /(like|regexp|split|date_format|to_timestamp|to_date)/i.test(text)) continue;
        assert.fail(`${text} (${schema === null ? 'untyped' : 'typed'}) with ${String(row.v)}, ${String(row.w)}, ${String(row.u)} threw ${String(err)}`);
      }
    }
  }
});
