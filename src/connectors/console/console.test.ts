// Tests for the console sink's Spark-style table output.
import { test } from 'node:test';
import { writeBatch } from '../../core/component.ts';
import assert from 'node:assert/strict';
import { consoleSink, createConsoleSink, consoleConfig, formatCell } from './index.ts';
import { parseDdl } from '../../schema/ddl.ts';
import { day, ts } from '../../../test/support/values.ts';

void test('a batch prints with the batch header and a bordered, right-aligned table', async () => {
  let out = '';
  const sink = createConsoleSink(consoleConfig.parse({}), { write: (s) => (out += s) });
  const r = await writeBatch(sink, {
    batchId: 3,
    rows: [{ id: 1, name: 'alpha', ts: ts('2024-01-02T03:04:05Z') }, { id: 22, name: null, ts: null }],
    rejected: [],
    schema: parseDdl('id BIGINT, name STRING, ts TIMESTAMP'),
  });
  assert.deepEqual(r, { numOutputRows: 2, skipped: false, rejected: [] });
  assert.equal(
    out,
    [
      '-------------------------------------------',
      'Batch: 3',
      '-------------------------------------------',
      '+---+-----+-------------------+',
      '| id| name|                 ts|',
      '+---+-----+-------------------+',
      '|  1|alpha|2024-01-02 03:04:05|',
      '| 22| null|               null|',
      '+---+-----+-------------------+',
      '',
      '',
    ].join('\n'),
  );
});

void test('long cells are cut to 20 characters and extra rows are noted', async () => {
  let out = '';
  const sink = createConsoleSink(consoleConfig.parse({ numRows: 1 }), { write: (s) => (out += s) });
  await writeBatch(sink, { batchId: 0, rows: [{ s: 'x'.repeat(30) }, { s: 'y' }], rejected: [], schema: null });
  assert.match(out, /\|xxxxxxxxxxxxxxxxx\.\.\.\|\n/);
  assert.match(out, /only showing top 1 row\n/);
  assert.doesNotMatch(out, /\| {2}y\|/);
});

void test('with truncate off cells are printed whole and left-aligned', async () => {
  let out = '';
  const sink = createConsoleSink(consoleConfig.parse({ truncate: 'false' }), { write: (s) => (out += s) });
  await writeBatch(sink, { batchId: 0, rows: [{ s: 'x'.repeat(30) }, { s: 'y' }], rejected: [], schema: null });
  assert.match(out, new RegExp(`\\|${'x'.repeat(30)}\\|`));
  assert.match(out, /\|y {29}\|/);
});

void test('nested values render like Spark: arrays, structs, maps, dates and doubles', () => {
  const schema = parseDdl('a ARRAY<INT>, s STRUCT<x: INT, y: STRING>, m MAP<STRING, INT>, d DATE, f DOUBLE');
  const t = (name: string) => schema.fields.find((f) => f.name === name)?.type;
  assert.equal(formatCell([1, 2], t('a')), '[1, 2]');
  assert.equal(formatCell({ x: 1, y: null }, t('s')), '{1, null}');
  assert.equal(formatCell({ k: 1 }, t('m')), '{k -> 1}');
  assert.equal(formatCell(day('2024-05-06'), t('d')), '2024-05-06');
  assert.equal(formatCell(2, t('f')), '2.0');
  assert.equal(formatCell(ts('2024-05-06T01:02:03.450001Z'), 'timestamp'), '2024-05-06 01:02:03.450001');
});

void test('the sink definition validates its options strictly', () => {
  assert.equal(consoleSink.type, 'console');
  assert.equal(consoleSink.config.safeParse({ numRows: 5, colour: true }).success, false);
  assert.deepEqual(consoleSink.config.parse({ numRows: '5' }), { numRows: 5, truncate: true });
});
