// Log replay of tables sluice writes: versions, schema, txns, and checkpoints equal to pure JSON replay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { field, struct } from '../../../core/schema.ts';
import { appendRows } from '../table.ts';
import { tempDir } from '../test-helpers.ts';
import { writeCheckpoint } from './checkpoint.ts';
import { loadSnapshot, refreshSnapshot, type Snapshot } from './snapshot.ts';

const schema = struct([field('id', 'long'), field('kind', 'string'), field('at', 'timestamp')]);

async function writeBatches(path: string, n: number, opts: { checkpointInterval?: number; partitionBy?: string[] } = {}): Promise<void> {
  for (let b = 0; b < n; b++) {
    const rows = Array.from({ length: 3 }, (_, i) => ({ id: b * 10 + i, kind: i % 2 === 0 ? 'even' : 'odd', at: new Date(Date.UTC(2024, 0, 1 + b)) }));
    await appendRows(path, rows, schema, { appId: 'query-a', batchId: b, ...opts });
  }
}

function comparable(s: Snapshot): unknown {
  return {
    version: s.version,
    protocol: s.protocol,
    metadata: s.metadata,
    schema: s.schema,
    partitionColumns: s.partitionColumns,
    files: [...s.files.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([k, a]) => [k, { ...a, dataChange: undefined, tags: a.tags ?? null }]),
    txns: [...s.txns.entries()].sort(),
  };
}

void test('replay of our own table gives its version, schema and the txn version of the query', async () => {
  using dir = tempDir('replay');
  await writeBatches(dir.path, 4, { checkpointInterval: 100 });
  const snap = await loadSnapshot(dir.path);
  assert.ok(snap !== null);
  assert.equal(snap.version, 3);
  assert.deepEqual(snap.schema, schema);
  assert.equal(snap.txns.get('query-a'), 3);
  assert.equal(snap.files.size, 4);
  assert.equal(snap.checkpointVersion, null);
  assert.deepEqual(snap.protocol, { minReaderVersion: 1, minWriterVersion: 2 });
  const v1 = await loadSnapshot(dir.path, 1);
  assert.equal(v1?.txns.get('query-a'), 1);
  assert.equal(v1?.files.size, 2);
});

void test('a checkpoint written every N commits reads back as the same snapshot as pure JSON replay', async () => {
  using dir = tempDir('checkpoint');
  await writeBatches(dir.path, 13, { checkpointInterval: 5 });
  const log = join(dir.path, '_delta_log');
  assert.ok(existsSync(join(log, '00000000000000000005.checkpoint.parquet')));
  assert.ok(existsSync(join(log, '00000000000000000010.checkpoint.parquet')));
  assert.equal((JSON.parse(readFileSync(join(log, '_last_checkpoint'), 'utf8')) as { version: number }).version, 10);
  const fromCheckpoint = await loadSnapshot(dir.path);
  assert.ok(fromCheckpoint !== null);
  assert.equal(fromCheckpoint.checkpointVersion, 10);
  assert.equal(fromCheckpoint.commitInfos.length, 2);
  for (const f of readdirSync(log)) if (f.includes('checkpoint')) rmSync(join(log, f));
  const pureJson = await loadSnapshot(dir.path);
  assert.ok(pureJson !== null);
  assert.equal(pureJson.checkpointVersion, null);
  assert.deepEqual(comparable(fromCheckpoint), comparable(pureJson));
  assert.equal(fromCheckpoint.files.size, 13);
});

void test('a checkpoint of a partitioned table keeps partition values and null partitions', async () => {
  using dir = tempDir('cp-part');
  await appendRows(dir.path, [{ id: 1, kind: 'a', at: null }, { id: 2, kind: null, at: null }], schema, { appId: 'q', batchId: 0, partitionBy: ['kind'] });
  const before = await loadSnapshot(dir.path);
  assert.ok(before !== null);
  await writeCheckpoint(before);
  const after = await loadSnapshot(dir.path);
  assert.ok(after !== null);
  assert.equal(after.checkpointVersion, 0);
  assert.deepEqual(comparable(after), comparable(before));
  assert.deepEqual([...after.files.values()].map((a) => a.partitionValues.kind).sort(), ['a', null]);
});

void test('a stale _last_checkpoint and a missing one are both corrected by listing the log', async () => {
  using dir = tempDir('stale');
  await writeBatches(dir.path, 12, { checkpointInterval: 5 });
  const log = join(dir.path, '_delta_log');
  writeFileSync(join(log, '_last_checkpoint'), JSON.stringify({ version: 5, size: 8 }));
  assert.equal((await loadSnapshot(dir.path))?.checkpointVersion, 10);
  rmSync(join(log, '_last_checkpoint'));
  const snap = await loadSnapshot(dir.path);
  assert.equal(snap?.checkpointVersion, 10);
  assert.equal(snap?.version, 11);
});

void test('a torn newest checkpoint falls back to the previous one', async () => {
  using dir = tempDir('torn');
  await writeBatches(dir.path, 11, { checkpointInterval: 5 });
  writeFileSync(join(dir.path, '_delta_log', '00000000000000000010.checkpoint.parquet'), 'not parquet');
  const snap = await loadSnapshot(dir.path);
  assert.equal(snap?.version, 10);
  assert.equal(snap?.checkpointVersion, 5);
  assert.equal(snap?.files.size, 11);
});

void test('a gap in the commits after the checkpoint is reported as a corrupt log naming the missing version', async () => {
  using dir = tempDir('gap');
  await writeBatches(dir.path, 4, { checkpointInterval: 100 });
  const log = join(dir.path, '_delta_log');
  renameSync(join(log, '00000000000000000002.json'), join(dir.path, 'moved.json'));
  await assert.rejects(loadSnapshot(dir.path), (err: Error & { code?: string }) => err.code === 'SLUICE_DELTA_LOG_CORRUPT' && /missing commit 2/.test(err.message));
});

void test('a folder without _delta_log has no snapshot', async () => {
  using dir = tempDir('none');
  assert.equal(await loadSnapshot(dir.path), null);
});

void test('refreshing a cached snapshot after other writers commit equals a full replay', async () => {
  using dir = tempDir('refresh');
  await writeBatches(dir.path, 3, { checkpointInterval: 4 });
  const cached = await loadSnapshot(dir.path);
  assert.ok(cached !== null);
  assert.equal(await refreshSnapshot(cached, dir.path), cached);
  for (let b = 0; b < 3; b++) await appendRows(dir.path, [{ id: 100 + b, kind: 'other', at: null }], schema, { appId: 'query-b', batchId: b, checkpointInterval: 4 });
  const refreshed = await refreshSnapshot(cached, dir.path);
  const full = await loadSnapshot(dir.path);
  assert.ok(refreshed !== null && full !== null);
  assert.deepEqual(comparable(refreshed), comparable(full));
  assert.equal(refreshed.checkpointVersion, 4);
  assert.deepEqual(refreshed.commitInfos.map((c) => c.version), [5]);
});
