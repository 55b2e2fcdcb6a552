// Put-if-absent commits: racing writers land at distinct versions and no log entry is ever overwritten.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { field, struct } from '../../../core/schema.ts';
import { appendRows } from '../table.ts';
import { tempDir } from '../test-helpers.ts';
import { commitFileName, parseCommit, type Action } from './actions.ts';
import { commit, tryCommit } from './commit.ts';
import { loadSnapshot } from './snapshot.ts';

const schema = struct([field('id', 'long'), field('v', 'string')]);

void test('a version that already exists is never overwritten', async () => {
  using dir = tempDir('noover');
  await appendRows(dir.path, [{ id: 1, v: 'a' }], schema, { appId: 'q', batchId: 0 });
  const file = join(dir.path, '_delta_log', commitFileName(0));
  const before = readFileSync(file, 'utf8');
  const ok = await tryCommit(dir.path, 0, [{ kind: 'commitInfo', commitInfo: { operation: 'intruder' } }]);
  assert.equal(ok, false);
  assert.equal(readFileSync(file, 'utf8'), before);
  assert.deepEqual(readdirSync(join(dir.path, '_delta_log')).filter((f) => f.startsWith('.tmp')), []);
});

void test('two writers racing for the same version both land, at different versions', async () => {
  using dir = tempDir('race');
  await appendRows(dir.path, [{ id: 0, v: 'seed' }], schema, { appId: 'seed', batchId: 0 });
  const results = await Promise.all(
    ['writer-a', 'writer-b', 'writer-c'].map((app, i) => appendRows(dir.path, [{ id: i + 1, v: app }], schema, { appId: app, batchId: 0 })),
  );
  const versions = results.map((r) => r.version).sort();
  assert.deepEqual(versions, [1, 2, 3]);
  assert.ok(results.every((r) => !r.skipped));
  const snap = await loadSnapshot(dir.path);
  assert.equal(snap?.version, 3);
  assert.equal(snap?.files.size, 4);
  assert.deepEqual([...(snap?.txns.keys() ?? [])].sort(), ['seed', 'writer-a', 'writer-b', 'writer-c']);
});

void test('five commits all prepared against the same version each get their own version', async () => {
  using dir = tempDir('race5');
  await appendRows(dir.path, [{ id: 0, v: 'seed' }], schema, { appId: 'seed', batchId: 0 });
  const outs = await Promise.all(
    [0, 1, 2, 3, 4].map((i) => commit({ tablePath: dir.path, readVersion: 0, actions: [{ kind: 'txn', txn: { appId: `w${i}`, version: 7 } }], txn: { appId: `w${i}`, version: 7 } })),
  );
  assert.deepEqual(outs.map((o) => o.version).sort(), [1, 2, 3, 4, 5]);
  assert.ok(outs.some((o) => o.conflictsResolved > 0), 'at least one writer lost a race and retried');
  const owners = [1, 2, 3, 4, 5].map((v) => {
    const a = parseCommit(readFileSync(join(dir.path, '_delta_log', commitFileName(v)), 'utf8'), String(v))[0];
    return a?.kind === 'txn' ? a.txn.appId : '';
  });
  assert.deepEqual(owners.sort(), ['w0', 'w1', 'w2', 'w3', 'w4']);
});

void test('a commit prepared against an old version retries past winners at the next free version', async () => {
  using dir = tempDir('retry');
  await appendRows(dir.path, [{ id: 1, v: 'a' }], schema, { appId: 'other', batchId: 0 });
  await appendRows(dir.path, [{ id: 2, v: 'b' }], schema, { appId: 'other', batchId: 1 });
  const actions: Action[] = [{ kind: 'txn', txn: { appId: 'late', version: 0 } }, { kind: 'commitInfo', commitInfo: { operation: 'test' } }];
  const out = await commit({ tablePath: dir.path, readVersion: 0, actions, txn: { appId: 'late', version: 0 } });
  assert.deepEqual(out, { version: 2, skipped: false, conflictsResolved: 1 });
});

void test('a winner that already holds our transaction makes our commit a skipped no-op', async () => {
  using dir = tempDir('ours');
  await appendRows(dir.path, [{ id: 1, v: 'a' }], schema, { appId: 'q', batchId: 0 });
  await appendRows(dir.path, [{ id: 2, v: 'b' }], schema, { appId: 'q', batchId: 1 });
  const actions: Action[] = [{ kind: 'txn', txn: { appId: 'q', version: 1 } }];
  const out = await commit({ tablePath: dir.path, readVersion: 0, actions, txn: { appId: 'q', version: 1 } });
  assert.equal(out.skipped, true);
  assert.equal(out.version, 1);
  assert.equal((await loadSnapshot(dir.path))?.version, 1);
});

void test('a winner that changed the table metadata is a conflict, not retryable when the schema moved', async () => {
  using dir = tempDir('meta');
  await appendRows(dir.path, [{ id: 1, v: 'a' }], schema, { appId: 'q', batchId: 0 });
  const snap0 = await loadSnapshot(dir.path);
  assert.ok(snap0 !== null);
  const changed = { ...snap0.metadata, schemaString: JSON.stringify(struct([field('id', 'long')])) };
  assert.equal(await tryCommit(dir.path, 1, [{ kind: 'metaData', metaData: changed }]), true);
  await assert.rejects(
    commit({ tablePath: dir.path, readVersion: 0, actions: [{ kind: 'txn', txn: { appId: 'q', version: 1 } }], txn: { appId: 'q', version: 1 }, metadata: snap0.metadata }),
    (err: Error & { code?: string; retryable?: boolean }) => err.code === 'SLUICE_DELTA_COMMIT_CONFLICT' && err.retryable === false && /metaData/.test(err.message),
  );
});

void test('the commit file holds one action per line in Delta JSON form', async () => {
  using dir = tempDir('lines');
  await appendRows(dir.path, [{ id: 1, v: 'a' }], schema, { appId: 'q', batchId: 4, userMetadata: 'note' });
  const text = readFileSync(join(dir.path, '_delta_log', commitFileName(0)), 'utf8');
  const lines = text.trim().split('\n').map((l) => Object.keys(JSON.parse(l) as object)[0]);
  assert.deepEqual(lines, ['commitInfo', 'protocol', 'metaData', 'add', 'txn']);
  const info = parseCommit(text, 'v0').find((a) => a.kind === 'commitInfo');
  assert.ok(info?.kind === 'commitInfo');
  assert.equal(info.commitInfo.operation, 'STREAMING UPDATE');
  assert.deepEqual(info.commitInfo.operationParameters, { outputMode: 'Append', queryId: 'q', epochId: '4' });
  assert.equal(info.commitInfo.isBlindAppend, true);
  assert.equal(info.commitInfo.userMetadata, 'note');
  assert.match(String(info.commitInfo.engineInfo), /^sluice\/\d+\.\d+\.\d+/);
});
