// Progress markers carried by batches: committed with the rows, read back by prefix, and a batch that
// continues a marker another writer already advanced never lands (no record written twice).
import { test } from 'node:test';
import { writeBatch } from '../../core/component.ts';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ComponentContext } from '../../core/component.ts';
import { ErrorCodes, SluiceError } from '../../core/errors.ts';
import type { Batch, ProgressMarker } from '../../core/record.ts';
import { field, struct } from '../../core/schema.ts';
import { DeltaSinkConfig } from './config.ts';
import { commitFileName } from './protocol/actions.ts';
import { commit } from './protocol/commit.ts';
import { loadSnapshot } from './protocol/snapshot.ts';
import { deltaSink } from './sink.ts';
import { appendRows } from './table.ts';
import { tempDir } from './test-helpers.ts';
import { componentContext } from '../../../test/support/context.ts';

const schema = struct([field('id', 'long')]);

function sink(path: string, queryId: string) {
  const ctx: ComponentContext = componentContext('/nonexistent', { queryId }, { makeDirs: false });
  return deltaSink.create(DeltaSinkConfig.parse({ path }), ctx);
}

const txn = (appId: string, from: number, version: number): ProgressMarker => ({ appId, version, from });

function batch(batchId: number, ids: number[], txns: ProgressMarker[]): Batch {
  return { batchId, rows: ids.map((id) => ({ id })), rejected: [], schema, markers: txns };
}

const isMoved = (err: unknown): boolean => err instanceof SluiceError && err.code === ErrorCodes.PROGRESS_MOVED;

void test('batch txns land in the same commit as the rows and are read back by prefix', async () => {
  using dir = tempDir('txns');
  const s = sink(dir.path, 'instance-a');
  await writeBatch(s, batch(0, [1, 2], [txn('grp-t-0', 0, 5), txn('grp-t-1', 0, 3)]));
  const entry = readFileSync(join(dir.path, '_delta_log', commitFileName(0)), 'utf8');
  assert.match(entry, /"add"/);
  assert.match(entry, /"appId":"grp-t-0","version":5/);
  assert.match(entry, /"appId":"instance-a","version":0/);
  assert.deepEqual(await s.committedVersions?.('grp-'), new Map([['grp-t-0', 5], ['grp-t-1', 3]]));
  await writeBatch(s, batch(1, [3], [txn('grp-t-0', 5, 9)]));
  const other = sink(dir.path, 'instance-b');
  assert.deepEqual(await other.committedVersions?.('grp-t-0'), new Map([['grp-t-0', 9]]));
  assert.deepEqual(await other.committedVersions?.('nothing-'), new Map());
});

void test('a batch continuing a marker that another writer advanced is refused and writes no data file', async () => {
  using dir = tempDir('moved');
  await writeBatch(sink(dir.path, 'instance-a'), batch(0, [1, 2, 3], [txn('grp-t-0', 0, 3)]));
  const b = sink(dir.path, 'instance-b');
  await assert.rejects(writeBatch(b, batch(0, [1, 2, 3, 4], [txn('grp-t-0', 0, 4)])), isMoved);
  const snap = await loadSnapshot(dir.path);
  assert.equal(snap?.version, 0);
  assert.equal(readdirSync(dir.path).filter((f) => f.endsWith('.parquet')).length, 1);
  // Continuing from where the table is works.
  const r = await writeBatch(b, batch(0, [4], [txn('grp-t-0', 3, 4)]));
  assert.equal(r.numOutputRows, 1);
  assert.equal((await loadSnapshot(dir.path))?.txns.get('grp-t-0'), 4);
});

void test('of two racing commits continuing the same marker only the first lands; a disjoint marker lands after it', async () => {
  using dir = tempDir('race');
  await appendRows(dir.path, [{ id: 0 }], schema, { appId: 'seed', batchId: 0 });
  const actions = (appId: string, v: number) => [{ kind: 'txn' as const, txn: { appId, version: v } }];
  const first = await commit({ tablePath: dir.path, readVersion: 0, actions: actions('grp-t-0', 10), guards: new Map([['grp-t-0', 0]]) });
  assert.equal(first.version, 1);
  await assert.rejects(commit({ tablePath: dir.path, readVersion: 0, actions: actions('grp-t-0', 7), guards: new Map([['grp-t-0', 0]]) }), isMoved);
  const disjoint = await commit({ tablePath: dir.path, readVersion: 0, actions: actions('grp-t-1', 4), guards: new Map([['grp-t-1', 0]]) });
  assert.deepEqual(disjoint, { version: 2, skipped: false, conflictsResolved: 1 });
  assert.deepEqual((await loadSnapshot(dir.path))?.txns, new Map([['seed', 0], ['grp-t-0', 10], ['grp-t-1', 4]]));
});
