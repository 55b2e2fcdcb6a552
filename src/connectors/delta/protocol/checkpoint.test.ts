// Checkpoint files: the schema other engines expect, and multi-part checkpoints read as one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Row } from '../../../core/record.ts';
import { field, struct } from '../../../core/schema.ts';
import { rowsToArrow } from '../../../formats/parquet/arrow.ts';
import { readParquetFile, tableRows } from '../../../formats/parquet/read.ts';
import { toParquet } from '../../../formats/parquet/writer.ts';
import { appendRows } from '../table.ts';
import { openDuck, tempDir } from '../test-helpers.ts';
import { CHECKPOINT_SCHEMA, checkpointDue, checkpointInterval } from './checkpoint.ts';
import { loadSnapshot } from './snapshot.ts';

const schema = struct([field('id', 'long'), field('p', 'string')]);

async function table(path: string, batches: number, interval: number): Promise<void> {
  for (let b = 0; b < batches; b++) {
    await appendRows(path, [{ id: b, p: b % 2 === 0 ? 'x' : 'y' }], schema, { appId: 'q', batchId: b, partitionBy: ['p'], checkpointInterval: interval });
  }
}

void test('DuckDB reads our checkpoint with the protocol column types', async () => {
  using dir = tempDir('cp-duck');
  await table(dir.path, 3, 2);
  const file = join(dir.path, '_delta_log', '00000000000000000002.checkpoint.parquet');
  const duck = await openDuck();
  try {
    const cols = Object.fromEntries((await duck.rows(`DESCRIBE SELECT * FROM read_parquet('${file}')`)).map((r): [string, unknown] => [String(r.column_name), r.column_type]));
    assert.match(String(cols.add), /^STRUCT\(path VARCHAR, partitionValues MAP\(VARCHAR, VARCHAR\), size BIGINT, modificationTime BIGINT, dataChange BOOLEAN, stats VARCHAR, /);
    assert.match(String(cols.metaData), /schemaString VARCHAR, partitionColumns VARCHAR\[\], "configuration" MAP\(VARCHAR, VARCHAR\)/);
    assert.match(String(cols.protocol), /^STRUCT\(minReaderVersion INTEGER, minWriterVersion INTEGER/);
    assert.match(String(cols.txn), /^STRUCT\(appId VARCHAR, "version" BIGINT/);
    const adds = await duck.rows(`SELECT add.path AS path, add.partitionValues['p'] AS p, json_extract(add.stats, '$.numRecords')::INTEGER AS n FROM read_parquet('${file}') WHERE add IS NOT NULL ORDER BY path`);
    assert.equal(adds.length, 3);
    assert.deepEqual(adds.map((a) => a.p).sort(), ['x', 'x', 'y']);
    assert.ok(adds.every((a) => a.n === 1));
    const txn = await duck.rows(`SELECT txn.appId AS app, txn.version::INTEGER AS v FROM read_parquet('${file}') WHERE txn IS NOT NULL`);
    assert.deepEqual(txn, [{ app: 'q', v: 2 }]);
  } finally {
    duck.close();
  }
});

void test('a multi-part checkpoint is read as the union of its parts and an incomplete one is ignored', async () => {
  using dir = tempDir('multipart');
  await table(dir.path, 5, 4);
  const log = join(dir.path, '_delta_log');
  const rows: Row[] = tableRows(await readParquetFile(join(log, '00000000000000000004.checkpoint.parquet')));
  const expected = await loadSnapshot(dir.path);
  for (const f of readdirSync(log)) if (f.includes('checkpoint')) rmSync(join(log, f));
  const half = Math.ceil(rows.length / 2);
  const parts = [rows.slice(0, half), rows.slice(half)];
  parts.forEach((p, i) => {
    const name = `00000000000000000004.checkpoint.${String(i + 1).padStart(10, '0')}.${String(2).padStart(10, '0')}.parquet`;
    writeFileSync(join(log, name), toParquet(rowsToArrow(p, CHECKPOINT_SCHEMA)));
  });
  // A lone part of a newer, unfinished checkpoint must not be used.
  writeFileSync(join(log, `00000000000000000004.checkpoint.${'1'.padStart(10, '0')}.${'3'.padStart(10, '0')}.parquet`), 'partial');
  const snap = await loadSnapshot(dir.path);
  assert.ok(snap !== null && expected !== null);
  assert.equal(snap.checkpointVersion, 4);
  assert.deepEqual([...snap.files.keys()].sort(), [...expected.files.keys()].sort());
  assert.deepEqual(snap.txns, expected.txns);
  assert.deepEqual(snap.metadata, expected.metadata);
});

void test('the checkpoint interval comes from the override, then the table property, then defaults to 10', () => {
  const meta = (conf: Record<string, string>) => ({ metadata: { id: 'x', format: { provider: 'parquet', options: {} }, schemaString: '', partitionColumns: [], configuration: conf } });
  assert.equal(checkpointInterval(meta({}), undefined), 10);
  assert.equal(checkpointInterval(meta({ 'delta.checkpointInterval': '3' }), undefined), 3);
  assert.equal(checkpointInterval(meta({ 'delta.checkpointInterval': '3' }), 7), 7);
  assert.equal(checkpointDue(0, 10), false);
  assert.equal(checkpointDue(20, 10), true);
  assert.equal(checkpointDue(21, 10), false);
});
