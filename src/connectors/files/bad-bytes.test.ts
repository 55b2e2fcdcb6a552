// Tests of bytes that are not valid UTF-8 in JSON-lines, CSV and text files: each line or record holding
// them is a dead letter with its file, line and exact bytes, the rest of the file is read, and
// `invalidUtf8: replace` reads them with U+FFFD instead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { originOf } from '../../core/record.ts';
import { cols, fixture, nextBatch } from './fixtures.test.ts';

const b = (s: string): Buffer => Buffer.from(s, 'utf8');
const BAD = Buffer.from([0xff, 0xc3, 0x28, 0xed, 0xa0, 0x80, 0xe2, 0x82]);

void test('a JSON line holding invalid UTF-8 is a dead letter with file, line and its bytes in base64; the other lines are rows', async () => {
  const fx = await fixture();
  try {
    const badLine = Buffer.concat([b('{"id":2,"s":"'), BAD, b('"}')]);
    const f = await fx.write('a.json', Buffer.concat([b('\uFEFF{"id":1,"s":"Zoë ✓"}\n'), badLine, b('\r\n{"id":3,"s":"\\udc80 is an escape, not a byte"}\n'), BAD, b('\n')]));
    const b1 = await nextBatch(await fx.source({ schema: 'id BIGINT, s STRING' }), null);
    assert.ok(b1 !== null);
    assert.deepEqual(cols(b1.data.rows), [{ id: 1, s: 'Zoë ✓' }, { id: 3, s: '\udc80 is an escape, not a byte' }]);
    assert.deepEqual(originOf(b1.data.rows[1] ?? {}), { file: f, line: 3 });
    assert.deepEqual(b1.data.rejected.map((r) => [r.origin, r.errorType, r.stage, r.rule, r.payloadEncoding]), [
      [{ file: f, line: 2 }, 'SCHEMA_VALIDATION', 'source', 'invalidUtf8', 'base64'],
      [{ file: f, line: 4 }, 'SCHEMA_VALIDATION', 'source', 'invalidUtf8', 'base64'],
    ]);
    assert.deepEqual(Buffer.from(b1.data.rejected[0]?.payload ?? '', 'base64'), badLine);
    assert.deepEqual(Buffer.from(b1.data.rejected[1]?.payload ?? '', 'base64'), BAD);
    assert.match(b1.data.rejected[0]?.message ?? '', /^line 2 is not valid UTF-8 .*invalidUtf8: replace/);
  } finally {
    await fx.cleanup();
  }
});

void test('in a file of many 64 KB pieces, only the lines with bad bytes are dead letters and every other line keeps its number', async () => {
  const fx = await fixture();
  try {
    const badAt = new Set([7, 2999, 4000]);
    const lines = Array.from({ length: 5000 }, (_, i) =>
      badAt.has(i) ? Buffer.concat([b(`{"id":${i},"s":"`), BAD.subarray(i % 3, 5), b('"}')]) : b(JSON.stringify({ id: i, s: `Zoë ${'x'.repeat(i % 70)}` })));
    const f = await fx.write('big.json.gz', gzipSync(Buffer.concat(lines.flatMap((l) => [l, b('\n')]))));
    const got = await nextBatch(await fx.source({ schema: 'id BIGINT, s STRING' }), null);
    assert.ok(got !== null);
    assert.deepEqual(got.data.rows.map((r) => r.id), lines.map((_, i) => i).filter((i) => !badAt.has(i)));
    assert.ok(got.data.rows.every((r) => originOf(r)?.line === (r.id as number) + 1));
    assert.deepEqual(got.data.rejected.map((r) => r.origin), [...badAt].map((i) => ({ file: f, line: i + 1 })));
    assert.deepEqual(got.data.rejected.map((r) => Buffer.from(r.payload ?? '', 'base64')), [...badAt].map((i) => lines[i]));
  } finally {
    await fx.cleanup();
  }
});

void test('CSV records and text lines with bad bytes are dead letters with their bytes, quoted values spanning lines included', async () => {
  const fx = await fixture();
  try {
    const quoted = Buffer.concat([b('3,"two\nlines '), BAD.subarray(0, 1), b('"')]);
    const f = await fx.write('a.csv', Buffer.concat([b('id,name\n1,ok\n2,'), BAD.subarray(0, 2), b('\n'), quoted, b('\n4,"fine\nacross lines"\n')]));
    const csv = await nextBatch(await fx.source({ format: 'csv', header: true, schema: 'id INT, name STRING' }), null);
    assert.ok(csv !== null);
    assert.deepEqual(cols(csv.data.rows), [{ id: 1, name: 'ok' }, { id: 4, name: 'fine\nacross lines' }]);
    assert.deepEqual(csv.data.rejected.map((r) => [r.origin.line, r.rule, r.payloadEncoding]), [[3, 'invalidUtf8', 'base64'], [5, 'invalidUtf8', 'base64']]);
    assert.deepEqual(csv.data.rejected.map((r) => Buffer.from(r.payload ?? '', 'base64')), [Buffer.concat([b('2,'), BAD.subarray(0, 2)]), quoted]);
    assert.equal(csv.data.rejected[0]?.origin.file, f);

    const fx2 = await fixture();
    try {
      const t = await fx2.write('t.txt', Buffer.concat([b('first\n\n'), BAD, b('\r\nlast')]));
      const text = await nextBatch(await fx2.source({ format: 'text' }), null);
      assert.deepEqual(cols(text?.data.rows ?? []), [{ value: 'first' }, { value: '' }, { value: 'last' }]);
      assert.deepEqual(originOf(text?.data.rows[2] ?? {}), { file: t, line: 4 });
      assert.deepEqual(text?.data.rejected.map((r) => [r.origin, Buffer.from(r.payload ?? '', 'base64')]), [[{ file: t, line: 3 }, BAD]]);
    } finally {
      await fx2.cleanup();
    }
  } finally {
    await fx.cleanup();
  }
});

void test('a CSV header with bad bytes sends the whole file to the DLQ as one entry, since no record can be named', async () => {
  const fx = await fixture();
  try {
    const content = Buffer.concat([b('id,na'), BAD.subarray(0, 1), b('me\n1,a\n2,b\n')]);
    const f = await fx.write('a.csv', content);
    await fx.write('b.csv', 'id,name\n3,c\n');
    const got = await nextBatch(await fx.source({ format: 'csv', header: true, schema: 'id INT, name STRING' }), null);
    assert.deepEqual(cols(got?.data.rows ?? []), [{ id: 3, name: 'c' }]);
    assert.equal(got?.data.rejected.length, 1);
    const r = got?.data.rejected[0];
    assert.deepEqual([r?.origin, r?.rule, r?.payloadEncoding], [{ file: f }, 'invalidUtf8', 'base64']);
    assert.deepEqual(Buffer.from(r?.payload ?? '', 'base64'), content);
    assert.match(r?.message ?? '', /header line .* is not valid UTF-8/);
  } finally {
    await fx.cleanup();
  }
});

void test('invalidUtf8: replace reads bad bytes as U+FFFD, as Spark does, with no dead letters', async () => {
  const fx = await fixture();
  try {
    await fx.write('a.json', Buffer.concat([b('{"id":1,"s":"a'), Buffer.from([0xff]), b('b"}\n')]));
    await fx.write('b.csv', Buffer.concat([b('2,c'), Buffer.from([0xe2, 0x82]), b('d\n')]));
    const json = await nextBatch(await fx.source({ schema: 'id INT, s STRING', invalidUtf8: 'replace', pattern: '*.json' }), null);
    assert.deepEqual(cols(json?.data.rows ?? []), [{ id: 1, s: 'a\uFFFDb' }]);
    assert.deepEqual(json?.data.rejected, []);
    const fx2 = await fixture();
    try {
      await fx2.write('b.csv', Buffer.concat([b('2,c'), Buffer.from([0xe2, 0x82]), b('d\n')]));
      const csv = await nextBatch(await fx2.source({ format: 'csv', invalidUtf8: 'replace' }), null);
      assert.equal(csv?.data.rows[0]?._c1, 'c\uFFFDd');
      assert.deepEqual(csv?.data.rejected, []);
    } finally {
      await fx2.cleanup();
    }
  } finally {
    await fx.cleanup();
  }
});
