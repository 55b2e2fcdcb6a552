// Tests for the file source's formats against real folders: JSON lines, CSV, Parquet and gzip.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Table as WasmTable, writeParquet } from 'parquet-wasm';
import { Decimal, Field, Float64, Int32, Int64, Map_, Struct, Table, TimestampMillisecond, Utf8, makeData, makeVector, tableToIPC, vectorFromArray } from 'apache-arrow';
import { originOf } from '../../core/record.ts';
import { schemaToString } from '../../core/schema.ts';
import { cols, fixture, nextBatch } from './fixtures.test.ts';
import { ts } from '../../../test/support/values.ts';

void test('JSON lines are parsed with their origin, the schema inferred and persisted, bad lines rejected', async () => {
  const fx = await fixture();
  try {
    const f = await fx.write('a.json', '\uFEFF{"id":1,"ts":"2024-01-01T00:00:00Z","amount":2}\r\n\n{"id":2,"amount":2.5,"tags":["x"]}\nnot json\n[1,2]\n');
    const src = await fx.source();
    const b = await nextBatch(src, null);
    assert.ok(b !== null);
    assert.deepEqual(b.end, { logOffset: 0 });
    assert.equal(schemaToString(b.data.schema ?? { type: 'struct', fields: [] }), 'id BIGINT, ts TIMESTAMP, amount DOUBLE, tags ARRAY<STRING>');
    assert.deepEqual(cols(b.data.rows), [
      { id: 1, ts: ts('2024-01-01T00:00:00Z'), amount: 2, tags: null },
      { id: 2, ts: null, amount: 2.5, tags: ['x'] },
    ]);
    assert.deepEqual(originOf(b.data.rows[1] ?? {}), { file: f, line: 3 });
    assert.equal(b.data.rejected.length, 2);
    assert.deepEqual(b.data.rejected.map((r) => [r.origin.line, r.payload, r.errorType, r.stage]), [
      [4, 'not json', 'SCHEMA_VALIDATION', 'source'],
      [5, '[1,2]', 'SCHEMA_VALIDATION', 'source'],
    ]);
    assert.match(b.data.rejected[0]?.message ?? '', /malformed JSON/);
    assert.equal(b.data.bytes, (await readFile(f)).length);
    const persisted = JSON.parse(await readFile(join(fx.state, 'schema.json'), 'utf8')) as unknown;
    assert.deepEqual(persisted, b.data.schema);

    // A later batch and a restarted source keep the first schema: new values are conformed to it.
    await fx.write('b.json', '{"id":"3","amount":1}\n{"id":4,"amount":"x","extra":true}\n{"id":5,"extra":1}\n');
    const again = await fx.source();
    const b2 = await nextBatch(again, b.end);
    assert.ok(b2 !== null);
    assert.deepEqual(b2.data.schema, b.data.schema);
    // A quoted integer is read exactly (producers quote 64-bit ids that JavaScript would round).
    assert.deepEqual(b2.data.rows.map((r) => r.id), [3, 5]);
    assert.deepEqual(b2.data.rejected.map((r) => r.message), ['amount: expected double, found "x"']);
    assert.deepEqual(b2.data.rejected.map((r) => r.origin.line), [2]);
  } finally {
    await fx.cleanup();
  }
});

void test('a JSON-lines file larger than one decoding piece keeps every row, multi-byte text and line numbers', async () => {
  const fx = await fixture();
  try {
    // About 300 KB: several 64 KB pieces, with multi-byte characters and CRLF endings across them.
    const lines = Array.from({ length: 3000 }, (_, i) => (i === 2500 ? '{broken' : JSON.stringify({ id: i, name: `Zoë ✓ ${'x'.repeat(i % 90)}` })));
    await fx.write('big.json', lines.join('\r\n') + '\r\n');
    const b = await nextBatch(await fx.source(), null);
    assert.ok(b !== null);
    assert.equal(b.data.rows.length, 2999);
    assert.deepEqual(b.data.rows.map((r) => r.id), lines.map((_, i) => i).filter((i) => i !== 2500));
    assert.ok(b.data.rows.every((r) => typeof r.name === 'string' && r.name.startsWith('Zoë ✓ ')));
    assert.equal(originOf(b.data.rows[2998] ?? {})?.line, 3000);
    assert.equal(b.data.rejected.length, 1);
    assert.equal(b.data.rejected[0]?.origin.line, 2501);
  } finally {
    await fx.cleanup();
  }
});

void test('a declared schema is applied and rows that do not fit are rejected with the reason', async () => {
  const fx = await fixture();
  try {
    await fx.write('a.json', '{"id":"a","n":1}\n{"n":2}\n{"id":"c","n":1.5}\n');
    const src = await fx.source({ schema: 'id STRING NOT NULL, n INT' });
    const b = await nextBatch(src, null);
    assert.ok(b !== null);
    assert.deepEqual(cols(b.data.rows), [{ id: 'a', n: 1 }]);
    assert.deepEqual(b.data.rejected.map((r) => r.message), [
      'id: expected a non-null string, found nothing (the field is missing)',
      'n: expected int (-2147483648 to 2147483647), found 1.5',
    ]);
    assert.equal(b.data.rejected[0]?.payload, '{"n":2}');
  } finally {
    await fx.cleanup();
  }
});

void test('gzip files are read decompressed, recognised by their magic bytes', async () => {
  const fx = await fixture();
  try {
    await fx.write('a.json.gz', gzipSync('{"id":1}\n'));
    await fx.write('b.json', gzipSync('{"id":2}\n'));
    await fx.write('c.csv.gz', gzipSync('id\n3\n'));
    const src = await fx.source({ schema: 'id BIGINT', pattern: '*.json*' });
    const b = await nextBatch(src, null);
    assert.deepEqual(cols(b?.data.rows ?? []), [{ id: 1 }, { id: 2 }]);
  } finally {
    await fx.cleanup();
  }
});

void test('CSV with a header, a separator and inferSchema gives typed rows', async () => {
  const fx = await fixture();
  try {
    const f = await fx.write('a.csv', 'id;name;amount;when;ok\n1;"x;y";2.5;2024-01-01 10:00:00;true\n2;;3;2024-01-02 00:00:00;false\n');
    const src = await fx.source({ format: 'csv', header: true, sep: ';', inferSchema: 'true' });
    const b = await nextBatch(src, null);
    assert.ok(b !== null);
    assert.equal(schemaToString(b.data.schema ?? { type: 'struct', fields: [] }), 'id INT, name STRING, amount DOUBLE, when TIMESTAMP, ok BOOLEAN');
    assert.deepEqual(cols(b.data.rows), [
      { id: 1, name: 'x;y', amount: 2.5, when: ts('2024-01-01T10:00:00Z'), ok: true },
      { id: 2, name: null, amount: 3, when: ts('2024-01-02T00:00:00Z'), ok: false },
    ]);
    assert.deepEqual(originOf(b.data.rows[1] ?? {}), { file: f, line: 3 });
  } finally {
    await fx.cleanup();
  }
});

void test('CSV without a header names columns _c0.. and reads them as strings unless told otherwise', async () => {
  const fx = await fixture();
  try {
    await fx.write('a.csv', '1,a\n2,b\n');
    const src = await fx.source({ format: 'csv' });
    const b = await nextBatch(src, null);
    assert.deepEqual(cols(b?.data.rows ?? []), [{ _c0: '1', _c1: 'a' }, { _c0: '2', _c1: 'b' }]);
  } finally {
    await fx.cleanup();
  }
});

void test('CSV headers get Spark names for empty and repeated columns, and escape can be set for doubled quotes', async () => {
  const fx = await fixture();
  try {
    await fx.write('a.csv', 'id,,id,note\n1,2,3,"say ""hi"""\n');
    const src = await fx.source({ format: 'csv', header: true, escape: '"' });
    const b = await nextBatch(src, null);
    assert.deepEqual(cols(b?.data.rows ?? []), [{ id0: '1', _c1: '2', id2: '3', note: 'say "hi"' }]);
  } finally {
    await fx.cleanup();
  }
});

void test('malformed CSV rows are rejected with file and line and the rest of the file is read', async () => {
  const fx = await fixture();
  try {
    const f = await fx.write('a.csv', 'id,amount\n1,2.5\n2\n3,4,5\n4,x\n5,6\n"6,7\n');
    const src = await fx.source({ format: 'csv', header: true, schema: 'id INT, amount DOUBLE' });
    const b = await nextBatch(src, null);
    assert.ok(b !== null);
    assert.deepEqual(cols(b.data.rows), [{ id: 1, amount: 2.5 }, { id: 5, amount: 6 }]);
    const rejected = b.data.rejected;
    assert.deepEqual(rejected.map((r) => ({ file: r.origin.file, line: r.origin.line, payload: r.payload })), [
      { file: f, line: 3, payload: '2' },
      { file: f, line: 4, payload: '3,4,5' },
      { file: f, line: 5, payload: '4,x' },
      { file: f, line: 7, payload: '"6,7' },
    ]);
    assert.match(rejected[1]?.message ?? '', /Invalid Record Length/);
    assert.match(rejected[2]?.message ?? '', /amount: expected double, found "x"/);
    assert.match(rejected[3]?.message ?? '', /Quote Not Closed/);
  } finally {
    await fx.cleanup();
  }
});

void test('Parquet files are read with their own schema and timestamps in microseconds', async () => {
  const fx = await fixture();
  try {
    const table = new Table({
      id: vectorFromArray([1n, 2n], new Int64()),
      name: vectorFromArray(['a', null], new Utf8()),
      amount: vectorFromArray([1.5, 2], new Float64()),
      ts: vectorFromArray([new Date('2024-01-01T00:00:00Z'), new Date('2024-06-01T12:00:00Z')], new TimestampMillisecond('UTC')),
    });
    const bytes = writeParquet(WasmTable.fromIPCStream(tableToIPC(table, 'stream')));
    const f = await fx.write('part-0.parquet', bytes);
    // Decimals arrive as unscaled integers and maps as entry lists; both come out in row form.
    const dec = makeData({ type: new Decimal(2, 10, 128), length: 2, nullCount: 0, data: new Uint32Array([1234, 0, 0, 0, 0xfffffffb, 0xffffffff, 0xffffffff, 0xffffffff]) });
    const entries = new Field('entries', new Struct<{ key: Utf8; value: Int32 }>([new Field('key', new Utf8(), false), new Field('value', new Int32(), true)]), false);
    const nested = new Table({ d: makeVector(dec), m: vectorFromArray([new Map([['a', 1]]), new Map([['b', 2]])], new Map_(entries)) });
    await fx.write('part-1.parquet', writeParquet(WasmTable.fromIPCStream(tableToIPC(nested, 'stream'))));
    const src = await fx.source({ format: 'parquet', pattern: 'part-0*' });
    const b = await nextBatch(src, null);
    assert.ok(b !== null);
    assert.equal(schemaToString(b.data.schema ?? { type: 'struct', fields: [] }), 'id BIGINT, name STRING, amount DOUBLE, ts TIMESTAMP');
    assert.deepEqual(cols(b.data.rows), [
      { id: 1, name: 'a', amount: 1.5, ts: ts('2024-01-01T00:00:00Z') },
      { id: 2, name: null, amount: 2, ts: ts('2024-06-01T12:00:00Z') },
    ]);
    assert.deepEqual(originOf(b.data.rows[1] ?? {}), { file: f, line: 2 });
    const second = await fx.source({ format: 'parquet', pattern: 'part-1*', schema: 'd DECIMAL(10,2), m MAP<STRING, INT>' });
    const b2 = await nextBatch(second, b.end);
    assert.deepEqual(cols(b2?.data.rows ?? []), [{ d: '12.34', m: { a: 1 } }, { d: '-0.05', m: { b: 2 } }]);
  } finally {
    await fx.cleanup();
  }
});
