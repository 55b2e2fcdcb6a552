// The exact JSON reader agrees with JSON.parse except where JSON.parse would lose digits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mayLoseDigits, parseJson, parseJsonExact } from './json.ts';
import { NumberText } from './numbers.ts';

void test('integers beyond 2^53 are read as exact bigints, in objects and arrays', () => {
  const v = parseJson('{"a":9007199254740993,"b":[9223372036854775807,-9223372036854775808],"c":9007199254740991}');
  assert.deepEqual(v, { a: 9007199254740993n, b: [9223372036854775807n, -9223372036854775808n], c: 9007199254740991 });
});

void test('numbers with more digits than a double keeps come as their text', () => {
  const v = parseJson('{"d":12345678901234567.891,"e":0.1000000000000000055511151231257827,"f":1.5}') as Record<string, unknown>;
  assert.deepEqual(v.d, new NumberText('12345678901234567.891'));
  assert.deepEqual(v.e, new NumberText('0.1000000000000000055511151231257827'));
  assert.equal(v.f, 1.5);
});

void test('text without long digit runs is left to JSON.parse', () => {
  assert.equal(mayLoseDigits('{"a":123456789012345,"t":"2024-01-01T00:00:00.123456Z"}'), false);
  assert.equal(mayLoseDigits('{"a":1234567890123456}'), true);
});

void test('the exact reader reads what JSON.parse reads, the same way', () => {
  const docs = [
    '{"s":"a\\"b\\\\c\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00","n":-0,"x":1e400,"y":-1.5E-7,"z":[true,false,null,{}]}',
    ' [ 1 , 2 , { "k" : [ ] } ] ', '"plain"', '0', '{"dup":1,"dup":2}', '{"a":{"b":{"c":[[[1]]]}}}',
  ];
  for (const d of docs) assert.deepEqual(parseJsonExact(d), JSON.parse(d), d);
  assert.ok(Object.is(parseJsonExact("-0"), -0));
});

void test('__proto__ is an ordinary key', () => {
  const v = parseJsonExact('{"__proto__":{"x":1},"y":2}') as Record<string, unknown>;
  assert.ok(Object.hasOwn(v, '__proto__'));
  assert.equal(Object.getPrototypeOf(v), Object.prototype);
  assert.deepEqual(Object.keys(v), ['__proto__', 'y']);
});

void test('malformed text is refused like JSON.parse refuses it', () => {
  for (const bad of ['{', '{"a":}', '[1,]', '01', '1.', '-', '"\u0001"', '{"a":1} x', 'tru', '"\\x"', '{a:1}', '']) {
    assert.throws(() => JSON.parse(bad), SyntaxError, `JSON.parse accepts ${bad}`);
    assert.throws(() => parseJsonExact(bad), SyntaxError, bad);
  }
});

void test('a run of sixteen digits is found wherever it starts, and fifteen are not enough', () => {
  for (let pad = 0; pad < 40; pad++) {
    const prefix = 'x'.repeat(pad);
    assert.equal(mayLoseDigits(`${prefix}1234567890123456`), true, `at ${pad}`);
    assert.equal(mayLoseDigits(`${prefix}123456789.012345`), true, `with a point at ${pad}`);
    assert.equal(mayLoseDigits(`${prefix}123456789012345,123456789012345`), false, `two runs of fifteen at ${pad}`);
  }
});
