// Tests of the strict UTF-8 helpers: invalid bytes are found exactly where the native check fails,
// and marked text gives back the very bytes it came from.
import { strict as assert } from 'node:assert';
import { isUtf8 } from 'node:buffer';
import { test } from 'node:test';
import { decodeMarkingInvalid, encodeMarked, hasInvalidBytes, isValidUtf8 } from './utf8.ts';

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

void test('valid text decodes as usual, astral characters and U+FFFD included, with nothing marked', () => {
  const text = 'plain, Zoë ✓, 😀, \u{10080}, \uFFFD, \uFEFF';
  const bytes = Buffer.from(text, 'utf8');
  assert.equal(isValidUtf8(bytes), true);
  assert.equal(decodeMarkingInvalid(bytes), text);
  assert.equal(hasInvalidBytes(text), false);
  assert.deepEqual(encodeMarked(text), bytes);
});

void test('overlongs, surrogates, truncated and stray bytes are marked byte by byte and the ASCII around them kept', () => {
  const bytes = Buffer.from([0x7b, 0xc0, 0xaf, 0xed, 0xa0, 0x80, 0x41, 0xf4, 0x90, 0x80, 0x80, 0xe2, 0x82, 0x7d, 0x0a, 0xff]);
  const text = decodeMarkingInvalid(bytes);
  assert.equal(text, '{\udcc0\udcaf\udced\udca0\udc80A\udcf4\udc90\udc80\udc80\udce2\udc82}\n\udcff');
  assert.equal(hasInvalidBytes(text), true);
  assert.deepEqual(encodeMarked(text), bytes);
});

void test('random bytes in lines of random length round-trip exactly, and are marked exactly when the native check fails', () => {
  const r = prng(20240611);
  for (let round = 0; round < 300; round++) {
    const parts: number[] = [];
    const n = 1 + Math.floor(r() * 400);
    for (let i = 0; i < n; i++) {
      const x = r();
      // Mostly text (some of it multi-byte), some newlines, some arbitrary bytes.
      const cp = x < 0.3 ? 0x20 + Math.floor(r() * 0x5f) : Math.floor(r() * 0x110000);
      if (x < 0.6) parts.push(...Buffer.from(String.fromCodePoint(cp >= 0xd800 && cp <= 0xdfff ? 0xfffd : cp), 'utf8'));
      else if (x < 0.7) parts.push(0x0a);
      else parts.push(Math.floor(r() * 256));
    }
    const bytes = Buffer.from(parts);
    const text = decodeMarkingInvalid(bytes);
    assert.deepEqual(encodeMarked(text), bytes, `round ${round}`);
    assert.equal(hasInvalidBytes(text), !isUtf8(bytes), `round ${round}`);
    for (const line of text.split('\n')) assert.equal(hasInvalidBytes(line), !isUtf8(encodeMarked(line)));
  }
});

void test('a large input with one bad byte decodes in pieces and marks only that byte', () => {
  const line = Buffer.from(`${'é'.repeat(40)}\n`, 'utf8');
  const bytes = Buffer.concat([...Array.from({ length: 3000 }, () => line), Buffer.from([0xfe]), line]);
  const text = decodeMarkingInvalid(bytes);
  assert.equal(text.length, 3001 * 41 + 1);
  assert.equal(text.indexOf('\udcfe'), 3000 * 41);
  assert.deepEqual(encodeMarked(text), bytes);
});
