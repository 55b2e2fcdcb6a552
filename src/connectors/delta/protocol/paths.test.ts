// Log replay with paths in every spelling PROTOCOL.md allows: relative URI-encoded paths, absolute
// paths and file: URIs must name the same file, so that a remove cancels the add it means.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../test-helpers.ts';
import { canonicalPath, loadSnapshot, refreshSnapshot, resolveDataPath } from './snapshot.ts';

const schemaString = JSON.stringify({ type: 'struct', fields: [{ name: 'id', type: 'long', nullable: true, metadata: {} }] });

function writeLog(table: string, commits: readonly (readonly Record<string, unknown>[])[]): void {
  const log = join(table, '_delta_log');
  mkdirSync(log, { recursive: true });
  commits.forEach((actions, v) => {
    writeFileSync(join(log, `${String(v).padStart(20, '0')}.json`), actions.map((a) => JSON.stringify(a)).join('\n'));
  });
}

const add = (path: string): Record<string, unknown> => ({ add: { path, partitionValues: {}, size: 1, modificationTime: 0, dataChange: true } });
const remove = (path: string): Record<string, unknown> => ({ remove: { path, deletionTimestamp: 1, dataChange: true } });
const head = [{ protocol: { minReaderVersion: 1, minWriterVersion: 2 } }, { metaData: { id: 'paths', format: { provider: 'parquet', options: {} }, schemaString, partitionColumns: [], configuration: {}, createdTime: 0 } }];

void test('a remove cancels the add of the same file whether either spells it relative, absolute or as a file: URI', async () => {
  using dir = tempDir('paths');
  const t = dir.path;
  const adds = [
    'a%20b.parquet', // relative, percent-encoded
    `${t}/abs.parquet`, // absolute without a scheme
    `file://${t}/triple.parquet`, // file:///...
    `file:${t}/single.parquet`, // file:/...
    'sub/../dots.parquet',
    `file://localhost${t}/host.parquet`,
    'day=2024-01-01/part%3A1.parquet',
    'kept.parquet',
  ];
  const removes = [
    `file:${t}/a%20b.parquet`,
    `file://${t}/abs.parquet`,
    `${t}/triple.parquet`,
    'single.parquet',
    `file://${t}/dots.parquet`,
    'host.parquet',
    `file:${t}/day%3D2024-01-01/part:1.parquet`,
  ];
  writeLog(t, [[...head, ...adds.map(add)], removes.map(remove)]);
  const v0 = await loadSnapshot(t, 0);
  assert.equal(v0?.files.size, adds.length, 'every add names a distinct file');
  const snap = await loadSnapshot(t);
  assert.deepEqual([...(snap?.files.values() ?? [])].map((a) => a.path), ['kept.parquet']);
  assert.deepEqual([...(snap?.tombstones.keys() ?? [])].sort(), ['a b.parquet', 'abs.parquet', 'day=2024-01-01/part:1.parquet', 'dots.parquet', 'host.parquet', 'single.parquet', 'triple.parquet']);
  // The incremental path (a long-running writer's cache) matches the same way.
  const refreshed = await refreshSnapshot(v0, t);
  assert.deepEqual([...(refreshed?.files.keys() ?? [])], ['kept.parquet']);
});

void test('an add after the remove of the same file in another spelling makes it live again', async () => {
  using dir = tempDir('readd');
  writeLog(dir.path, [[...head, add('x%20y.parquet')], [remove(`file://${dir.path}/x y.parquet`)], [add(`${dir.path}/x y.parquet`)]]);
  const snap = await loadSnapshot(dir.path);
  assert.deepEqual([...(snap?.files.keys() ?? [])], ['x y.parquet']);
  assert.equal(snap?.tombstones.size, 0);
});

void test('data paths resolve to the local file each spelling names, and non-local stores are refused', () => {
  const t = '/data/table';
  assert.equal(resolveDataPath(t, 'a%20b.parquet'), '/data/table/a b.parquet');
  assert.equal(resolveDataPath(t, '/elsewhere/x.parquet'), '/elsewhere/x.parquet');
  assert.equal(resolveDataPath(t, 'file:///elsewhere/x%25.parquet'), '/elsewhere/x%.parquet');
  assert.equal(resolveDataPath(t, 'file:/elsewhere/x.parquet'), '/elsewhere/x.parquet');
  assert.throws(() => resolveDataPath(t, 's3://bucket/x.parquet'), /non-local store/);
  assert.equal(canonicalPath(t, 'S3://bucket/a%20b.parquet'), 's3://bucket/a b.parquet');
  assert.equal(canonicalPath(t, 'bad%zz.parquet'), 'bad%zz.parquet', 'a malformed escape is kept as written');
});
