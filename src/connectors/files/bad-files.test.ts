// Tests of files that cannot be read: corrupt, unreadable or vanished files become one dead-letter entry
// each and the rest of the batch is read; ignoreCorruptFiles / ignoreMissingFiles false stop the query
// with an error that says what a restart will do; replays give the same entries; cleanSource keeps them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { closeSync, openSync } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Table as WasmTable, writeParquet } from 'parquet-wasm';
import { Int64, Table, tableToIPC, vectorFromArray } from 'apache-arrow';
import { SluiceError } from '../../core/errors.ts';
import { cols, fixture, nextBatch, LIMITS } from './fixtures.test.ts';

const SCHEMA = { schema: 'id BIGINT' };
const lines = (...ids: number[]): string => ids.map((id) => `{"id":${id}}\n`).join('');

function parquetOf(ids: bigint[]): Uint8Array {
  return writeParquet(WasmTable.fromIPCStream(tableToIPC(new Table({ id: vectorFromArray(ids, new Int64()) }), 'stream')));
}

void test('a truncated gzip file is one PROCESSING dead letter with its size and error, and the rest of the batch is read', async () => {
  const fx = await fixture();
  try {
    await fx.write('a.json', lines(1, 2));
    const whole = gzipSync(lines(3, 4, 5));
    const bad = await fx.write('b.json.gz', whole.subarray(0, whole.length - 6));
    await fx.write('c.json.gz', gzipSync(lines(6)));
    const got = await nextBatch(await fx.source(SCHEMA), null);
    assert.ok(got !== null);
    assert.deepEqual(cols(got.data.rows), [{ id: 1 }, { id: 2 }, { id: 6 }]);
    assert.equal(got.data.rejected.length, 1);
    const r = got.data.rejected[0];
    assert.deepEqual([r?.errorType, r?.stage, r?.rule, r?.payload, r?.origin], ['PROCESSING', 'source', 'ignoreCorruptFiles', null, { file: bad }]);
    assert.equal(r?.message, `cannot decode ${bad} (${whole.length - 6} bytes) as json: unexpected end of file`);
  } finally {
    await fx.cleanup();
  }
});

void test('a broken Parquet file is one dead letter and the good Parquet files of the batch are read', async () => {
  const fx = await fixture();
  try {
    await fx.write('a.parquet', parquetOf([1n, 2n]));
    const good = parquetOf([3n]);
    const bad = await fx.write('b.parquet', good.subarray(0, good.length - 20));
    const junk = await fx.write('c.parquet', 'not parquet at all');
    await fx.write('d.parquet', good);
    const got = await nextBatch(await fx.source({ format: 'parquet' }), null);
    assert.deepEqual(cols(got?.data.rows ?? []), [{ id: 1 }, { id: 2 }, { id: 3 }]);
    assert.deepEqual(got?.data.rejected.map((r) => [r.origin.file, r.rule]), [[bad, 'ignoreCorruptFiles'], [junk, 'ignoreCorruptFiles']]);
    assert.match(got?.data.rejected[1]?.message ?? '', new RegExp(`^cannot decode .*c\\.parquet \\(18 bytes\\) as parquet: `));
  } finally {
    await fx.cleanup();
  }
});

void test('an unreadable file (a folder where a file was planned) is one dead letter naming the error', async () => {
  const fx = await fixture();
  try {
    const a = await fx.write('a.json', lines(1));
    await fx.write('b.json', lines(2));
    const src = await fx.source(SCHEMA);
    const end = await src.latestOffset(null, LIMITS);
    assert.ok(end !== null);
    await rm(a);
    await mkdir(a);
    const data = await src.read(null, end);
    assert.deepEqual(cols(data.rows), [{ id: 2 }]);
    assert.deepEqual(data.rejected.map((r) => [r.origin, r.rule, r.errorType]), [[{ file: a }, 'ignoreCorruptFiles', 'PROCESSING']]);
    assert.match(data.rejected[0]?.message ?? '', /^cannot read .*a\.json \(\d+ bytes\): EISDIR/);
  } finally {
    await fx.cleanup();
  }
});

void test('a file gone between planning and reading is one dead letter, and a replay gives the same entries', async () => {
  const fx = await fixture();
  try {
    const a = await fx.write('a.json', lines(1));
    const whole = gzipSync(lines(2));
    const bad = await fx.write('b.json.gz', whole.subarray(0, 10));
    const src = await fx.source(SCHEMA);
    const end = await src.latestOffset(null, LIMITS);
    assert.ok(end !== null);
    const first = await src.read(null, end);
    assert.deepEqual(await src.read(null, end), first, 'reading the same batch again gives the same rows and entries');
    // The bad file is moved away before the batch is re-run: still one entry for it, now saying so.
    await rm(bad);
    await rm(a);
    const again = await (await fx.source(SCHEMA)).read(null, end);
    assert.deepEqual(again.rows, []);
    assert.deepEqual(again.rejected.map((r) => [r.origin, r.rule, r.errorType, r.payload]), [
      [{ file: a }, 'ignoreMissingFiles', 'PROCESSING', null],
      [{ file: bad }, 'ignoreMissingFiles', 'PROCESSING', null],
    ]);
    assert.match(again.rejected[0]?.message ?? '', /a\.json is gone: it was recorded for this batch when the batch was planned and no longer exists/);
  } finally {
    await fx.cleanup();
  }
});

void test('with ignoreCorruptFiles false a corrupt file stops the query with a lasting error that says what a restart will do', async () => {
  const fx = await fixture();
  try {
    await fx.write('a.json', lines(1));
    const bad = await fx.write('b.json.gz', gzipSync(lines(2)).subarray(0, 12));
    const src = await fx.source({ ...SCHEMA, ignoreCorruptFiles: 'false' });
    const end = await src.latestOffset(null, LIMITS);
    assert.ok(end !== null);
    await assert.rejects(src.read(null, end), (err: unknown) => {
      assert.ok(err instanceof SluiceError);
      assert.equal(err.code, 'SLUICE_SOURCE_READ');
      assert.equal(err.retryable, false);
      assert.equal(err.message, `file source: cannot decode ${bad} (12 bytes) as json: unexpected end of file (ignoreCorruptFiles is false)`);
      assert.equal(err.advice, 'a restart re-runs this batch and fails the same way until the file is fixed or removed, or ignoreCorruptFiles is set to true (the file then goes to the dead-letter queue and the rest of the batch is written)');
      return true;
    });
  } finally {
    await fx.cleanup();
  }
});

void test('with ignoreMissingFiles false a vanished file stops the query, and the error says to put it back', async () => {
  const fx = await fixture();
  try {
    const a = await fx.write('a.json', lines(1));
    const src = await fx.source({ ...SCHEMA, ignoreMissingFiles: false, ignoreCorruptFiles: false });
    const end = await src.latestOffset(null, LIMITS);
    assert.ok(end !== null);
    await rm(a);
    await assert.rejects(src.read(null, end), (err: unknown) => {
      assert.ok(err instanceof SluiceError);
      assert.equal(err.code, 'SLUICE_SOURCE_READ');
      assert.equal(err.retryable, false);
      assert.match(err.message, new RegExp(`${a.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is gone.*\\(ignoreMissingFiles is false\\)$`));
      assert.match(err.advice ?? '', /fails the same way until the file is put back, or ignoreMissingFiles is set to true/);
      return true;
    });
  } finally {
    await fx.cleanup();
  }
});

void test('a passing read error (too many open files) is thrown as retryable for the engine to retry, not dead-lettered', async () => {
  const fx = await fixture();
  try {
    await fx.write('a.json', lines(1));
    const src = await fx.source(SCHEMA);
    const end = await src.latestOffset(null, LIMITS);
    assert.ok(end !== null);
    // Every descriptor of the process in use for the moment the source opens the file: reading runs
    // synchronously up to its first await, so the descriptors are back before anything else runs.
    const fds: number[] = [];
    let reading: Promise<unknown> | undefined;
    try {
      for (;;) fds.push(openSync('/dev/null', 'r'));
    } catch (err) {
      assert.equal((err as NodeJS.ErrnoException).code, 'EMFILE');
      reading = src.read(null, end);
    } finally {
      for (const fd of fds) closeSync(fd);
    }
    await assert.rejects(reading ?? Promise.resolve(), (err: unknown) => {
      assert.ok(err instanceof SluiceError);
      assert.deepEqual([err.code, err.retryable], ['SLUICE_SOURCE_READ', true]);
      assert.match(err.message, /EMFILE/);
      return true;
    });
    assert.deepEqual(cols((await src.read(null, end)).rows), [{ id: 1 }]);
  } finally {
    await fx.cleanup();
  }
});

void test('cleanSource delete leaves files that went to the DLQ whole in place, also after a restart', async () => {
  const fx = await fixture();
  try {
    await fx.write('a.json', lines(1));
    await fx.write('b.json.gz', gzipSync(lines(2)).subarray(0, 12));
    const src = await fx.source({ ...SCHEMA, cleanSource: 'delete' });
    const b1 = await nextBatch(src, null);
    assert.ok(b1 !== null);
    assert.equal(b1.data.rejected.length, 1);
    await src.commit(b1.end);
    assert.deepEqual(await readdir(fx.input), ['b.json.gz']);
    // A restarted source cleans from the start of its log again, and still keeps the file.
    await fx.write('c.json', lines(3));
    const again = await fx.source({ ...SCHEMA, cleanSource: 'delete' });
    const b2 = await nextBatch(again, b1.end);
    assert.ok(b2 !== null);
    await again.commit(b2.end);
    assert.deepEqual(await readdir(fx.input), ['b.json.gz']);
    assert.deepEqual(await readdir(join(fx.state, 'kept')), ['0.json']);
  } finally {
    await fx.cleanup();
  }
});
