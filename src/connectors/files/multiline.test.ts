// Tests of multi-line JSON: multiLine reads a file as one document (an object or an array of objects),
// and without it a pretty-printed document is reported whole instead of being half-written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { originOf } from '../../core/record.ts';
import { fileSourceConfig } from './config.ts';
import { elementLines } from './json-document.ts';
import { cols, fixture, nextBatch } from './fixtures.test.ts';

const pretty = (v: unknown): string => JSON.stringify(v, null, 2) + '\n';

void test('multiLine reads an array of objects as one row each, with the line where each object starts', async () => {
  const fx = await fixture();
  try {
    const f = await fx.write('a.json', '\uFEFF[\n  {\n    "id": 1,\n    "s": "a, ]} \\" ["\n  },\n  {"id": 2, "tags": [1, 2]},\n\n  {\n"id": 3}\n]\n');
    await fx.write('b.json', pretty({ id: 4, nested: { x: [1, { y: 2 }] } }));
    await fx.write('c.json.gz', gzipSync(pretty([{ id: 5 }])));
    await fx.write('d.json', '  \n');
    const got = await nextBatch(await fx.source({ multiLine: true }), null);
    assert.ok(got !== null);
    assert.deepEqual(got.data.rows.map((r) => r.id), [1, 2, 3, 4, 5]);
    assert.equal(got.data.rows[0]?.s, 'a, ]} " [');
    assert.deepEqual(got.data.rows.slice(0, 3).map((r) => originOf(r)), [{ file: f, line: 2 }, { file: f, line: 6 }, { file: f, line: 8 }]);
    assert.deepEqual(cols([got.data.rows[3] ?? {}]), [{ id: 4, nested: { x: ['1', '{"y":2}'] }, s: null, tags: null }]);
    assert.deepEqual(got.data.rejected, []);
  } finally {
    await fx.cleanup();
  }
});

void test('multiLine: a document that does not parse is one dead letter for the whole file, and array elements that are not objects are rejected each', async () => {
  const fx = await fixture();
  try {
    const broken = await fx.write('a.json', '[\n  {"id": 1},\n  {"id": 2\n]\n');
    const mixed = await fx.write('b.json', '[\n  {"id": 3},\n  7,\n  [1]\n]\n');
    const scalar = await fx.write('c.json', '\n"just text"\n');
    const got = await nextBatch(await fx.source({ multiLine: 'true', schema: 'id BIGINT' }), null);
    assert.ok(got !== null);
    assert.deepEqual(cols(got.data.rows), [{ id: 3 }]);
    assert.deepEqual(got.data.rejected.map((r) => [r.origin, r.rule ?? null, r.payload]), [
      [{ file: broken }, 'multiLine', '[\n  {"id": 1},\n  {"id": 2\n]\n'],
      [{ file: mixed, line: 3 }, null, '7'],
      [{ file: mixed, line: 4 }, null, '[1]'],
      [{ file: scalar }, 'multiLine', '\n"just text"\n'],
    ]);
    assert.match(got.data.rejected[0]?.message ?? '', /^malformed JSON document: /);
    assert.equal(got.data.rejected[1]?.message, 'element 1 of the document is number, expected a JSON object');
    assert.equal(got.data.rejected[3]?.message, 'the document is string, expected a JSON object or an array of objects');
  } finally {
    await fx.cleanup();
  }
});

void test('multiLine: bytes that are not UTF-8 anywhere in the document send the whole file to the DLQ with its bytes', async () => {
  const fx = await fixture();
  try {
    const content = Buffer.concat([Buffer.from('[\n{"id": 1},\n{"id": "'), Buffer.from([0xc3]), Buffer.from('"}\n]\n')]);
    const f = await fx.write('a.json', content);
    const got = await nextBatch(await fx.source({ multiLine: true, schema: 'id STRING' }), null);
    assert.deepEqual(got?.data.rows, []);
    const r = got?.data.rejected[0];
    assert.deepEqual([r?.origin, r?.rule, r?.payloadEncoding], [{ file: f }, 'invalidUtf8', 'base64']);
    assert.deepEqual(Buffer.from(r?.payload ?? '', 'base64'), content);
    assert.match(r?.message ?? '', /^line 3 is not valid UTF-8; with multiLine the whole file is one record/);
  } finally {
    await fx.cleanup();
  }
});

void test('without multiLine a pretty-printed document is one dead letter saying to set multiLine, never fragments and stray rows', async () => {
  const fx = await fixture();
  try {
    // Its third line happens to be a whole object: read as JSON lines, it would land in the table.
    const doc = '[\n  {"id": 1, "s": "x"},\n  {"id": 2},\n  {\n    "id": 3\n  }\n]\n';
    const a = await fx.write('a.json', doc);
    const b = await fx.write('b.json', pretty({ id: 4 }));
    const c = await fx.write('c.json', '{\n  "id": 5,\n');
    await fx.write('d.json', '{"id": 6}\n{"id": 7}\n');
    const got = await nextBatch(await fx.source({ schema: 'id BIGINT, s STRING' }), null);
    assert.ok(got !== null);
    assert.deepEqual(got.data.rows.map((r) => r.id), [6, 7]);
    assert.deepEqual(got.data.rejected.map((r) => [r.origin, r.rule, r.message]), [
      [{ file: a }, 'multiLine', 'this file holds one multi-line JSON document (an array of 3 elements), not JSON lines; set multiLine: true to read it'],
      [{ file: b }, 'multiLine', 'this file holds one multi-line JSON document (an object), not JSON lines; set multiLine: true to read it'],
      [{ file: c }, 'multiLine', `this file looks like one multi-line JSON document (its first line is "{"), not JSON lines, and it does not parse: ${jsonError('{\n  "id": 5,\n')}`],
    ]);
    assert.equal(got.data.rejected[0]?.payload, doc);
  } finally {
    await fx.cleanup();
  }
});

void test('JSON lines that merely start with a broken or non-object line are still read line by line', async () => {
  const fx = await fixture();
  try {
    const f = await fx.write('a.json', '{"id": 1\n{"id": 2}\n[1, 2]\n{"id": 3}\n');
    const g = await fx.write('b.json', '[{"id": 4}, {"id": 5}]\n');
    const got = await nextBatch(await fx.source({ schema: 'id BIGINT' }), null);
    assert.deepEqual(got?.data.rows.map((r) => r.id), [2, 3]);
    assert.deepEqual(got?.data.rejected.map((r) => [r.origin, r.message.replace(/:.*/, '')]), [
      [{ file: f, line: 1 }, 'malformed JSON'],
      [{ file: f, line: 3 }, 'expected a JSON object, found an array'],
      [{ file: g, line: 1 }, 'expected a JSON object, found an array'],
    ]);
  } finally {
    await fx.cleanup();
  }
});

void test('multiLine is refused for Parquet and text files, and element lines are found in one pass', () => {
  const r = fileSourceConfig.safeParse({ path: '/in', format: 'text', multiLine: true });
  assert.ok(!r.success && r.error.issues.some((i) => i.path.join('.') === 'multiLine' && /json and csv/.test(i.message)));
  assert.equal(fileSourceConfig.safeParse({ path: '/in', format: 'csv', multiLine: true }).success, true);
  assert.deepEqual(elementLines('[]'), []);
  assert.deepEqual(elementLines('[{"a":"\\\\"},\n"\\n[",\n\n3]'), [1, 2, 4]);
});

function jsonError(text: string): string {
  try {
    JSON.parse(text);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected a parse error');
}
