// Tests for the file source's planning: limits, ordering, age, the source log, restarts and cleanup.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, stat, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fixture, nextBatch, LIMITS } from './fixtures.test.ts';
import { fileSourceConfig } from './config.ts';
import type { SourceData } from '../../core/record.ts';

const ids = (d: SourceData | undefined): unknown[] => (d?.rows ?? []).map((r) => r.id);
const line = (id: number): string => `{"id":${id}}\n`;
const SCHEMA = { schema: 'id BIGINT' };

void test('hidden, temporary and unmatched files are ignored; the glob reaches as deep as it says', async () => {
  const fx = await fixture();
  try {
    await fx.write('a.json', line(1));
    for (const name of ['.hidden.json', '_SUCCESS', 'b.json.tmp', 'c.json.crc', 'd.json.partial', 'e.swp']) await fx.write(name, line(99));
    await fx.write('sub/f.json', line(2));
    await fx.write('sub/deeper/g.json', line(3));
    await fx.write('_temporary/h.json', line(99));
    await fx.write('.git/i.json', line(99));
    await fx.write('notes.txt', line(98));

    const top = await fx.source({ ...SCHEMA, pattern: '*.json' });
    assert.deepEqual(ids((await nextBatch(top, null))?.data), [1]);
  } finally {
    await fx.cleanup();
  }
  const fx2 = await fixture();
  try {
    await fx2.write('a.json', line(1));
    await fx2.write('sub/f.json', line(2));
    await fx2.write('sub/deeper/g.json', line(3));
    await fx2.write('_temporary/h.json', line(99));
    const oneLevel = await fx2.source({ ...SCHEMA, pattern: 'sub/*.json' });
    assert.deepEqual(ids((await nextBatch(oneLevel, null))?.data), [2]);
  } finally {
    await fx2.cleanup();
  }
  const fx3 = await fixture();
  try {
    await fx3.write('a.json', line(1));
    await fx3.write('sub/f.json', line(2));
    await fx3.write('sub/deeper/g.json', line(3));
    await fx3.write('_temporary/h.json', line(99));
    await fx3.write('sub/.staging/x.json', line(99));
    const all = await fx3.source({ ...SCHEMA, pattern: '**/*.json' });
    assert.deepEqual(ids((await nextBatch(all, null))?.data), [1, 2, 3]);
  } finally {
    await fx3.cleanup();
  }
});

void test('maxFilesPerTrigger takes the oldest files first, and latestFirst the newest', async () => {
  const fx = await fixture();
  try {
    for (let i = 1; i <= 5; i++) await fx.write(`f${i}.json`, line(i));
    const src = await fx.source({ ...SCHEMA, maxFilesPerTrigger: 2 });
    const b1 = await nextBatch(src, null);
    assert.deepEqual(ids(b1?.data), [1, 2]);
    assert.deepEqual(src.metrics(), { numFilesOutstanding: '3', numBytesOutstanding: String(3 * line(1).length) });
    const b2 = await nextBatch(src, b1?.end ?? null);
    assert.deepEqual(ids(b2?.data), [3, 4]);
    const b3 = await nextBatch(src, b2?.end ?? null);
    assert.deepEqual(ids(b3?.data), [5]);
    assert.deepEqual(b3?.end, { logOffset: 2 });
    assert.equal(await nextBatch(src, b3?.end ?? null), null);
    assert.deepEqual(await src.latestOffset({ logOffset: 2 }, LIMITS), { logOffset: 2 });
  } finally {
    await fx.cleanup();
  }
  const fx2 = await fixture();
  try {
    for (let i = 1; i <= 5; i++) await fx2.write(`f${i}.json`, line(i));
    const src = await fx2.source({ ...SCHEMA, maxFilesPerTrigger: '2', latestFirst: true });
    const b1 = await nextBatch(src, null);
    assert.deepEqual(ids(b1?.data), [5, 4]);
  } finally {
    await fx2.cleanup();
  }
});

void test('maxBytesPerTrigger bounds a batch by size but always takes at least one file', async () => {
  const fx = await fixture();
  try {
    await fx.write('a.json', line(1).repeat(100));
    await fx.write('b.json', line(2));
    await fx.write('c.json', line(3));
    const src = await fx.source({ ...SCHEMA, maxBytesPerTrigger: 20 });
    const b1 = await nextBatch(src, null);
    assert.equal(b1?.data.rows.length, 100);
    const b2 = await nextBatch(src, b1?.end ?? null);
    assert.deepEqual(ids(b2?.data), [2, 3]);
  } finally {
    await fx.cleanup();
  }
});

void test('the Trigger.Once read limit takes every new file regardless of the per-trigger limits', async () => {
  const fx = await fixture();
  try {
    for (let i = 1; i <= 3; i++) await fx.write(`f${i}.json`, line(i));
    const src = await fx.source({ ...SCHEMA, maxFilesPerTrigger: 1 });
    const end = await src.latestOffset(null, { respectLimits: false });
    assert.ok(end !== null);
    assert.deepEqual(ids(await src.read(null, end)), [1, 2, 3]);
  } finally {
    await fx.cleanup();
  }
});

void test('files older than maxFileAge relative to the newest file are ignored after the first batch', async () => {
  const fx = await fixture();
  try {
    const day = 86_400;
    await fx.write('new.json', line(1), 10 * day);
    await fx.write('old.json', line(2), 1 * day);
    const src = await fx.source({ ...SCHEMA, maxFileAge: '2 days' });
    // The first batch takes everything, old or not.
    const b1 = await nextBatch(src, null);
    assert.deepEqual(ids(b1?.data), [2, 1]);
    await fx.write('late-old.json', line(3), 5 * day);
    await fx.write('late-new.json', line(4), 9 * day);
    const b2 = await nextBatch(src, b1?.end ?? null);
    assert.deepEqual(ids(b2?.data), [4]);
  } finally {
    await fx.cleanup();
  }
});

void test('with latestFirst and maxFilesPerTrigger maxFileAge is ignored, as in Spark', async () => {
  const fx = await fixture();
  try {
    const day = 86_400;
    await fx.write('a.json', line(1), 10 * day);
    const src = await fx.source({ ...SCHEMA, maxFileAge: '1 day', latestFirst: true, maxFilesPerTrigger: 1 });
    const b1 = await nextBatch(src, null);
    await fx.write('old.json', line(2), 1 * day);
    const b2 = await nextBatch(src, b1?.end ?? null);
    assert.deepEqual(ids(b2?.data), [2]);
  } finally {
    await fx.cleanup();
  }
});

void test('the source log is written in Spark format and a planned entry is reused after a crash', async () => {
  const fx = await fixture();
  try {
    const a = await fx.write('a.json', line(1));
    const first = await fx.source(SCHEMA);
    assert.deepEqual(await first.latestOffset(null, LIMITS), { logOffset: 0 });
    const text = await readFile(join(fx.state, '0'), 'utf8');
    const mtime = Math.floor((await stat(a)).mtimeMs);
    assert.equal(text, `v1\n${JSON.stringify({ path: pathToFileURL(a).href, timestamp: mtime, batchId: 0 })}\n`);

    // The engine crashed before writing its offsets: a new instance is asked again from the start.
    await fx.write('b.json', line(2));
    const second = await fx.source(SCHEMA);
    const end = await second.latestOffset(null, LIMITS);
    assert.deepEqual(end, { logOffset: 0 });
    assert.deepEqual(ids(await second.read(null, { logOffset: 0 })), [1]);
    const next = await nextBatch(second, end);
    assert.deepEqual(ids(next?.data), [2]);
  } finally {
    await fx.cleanup();
  }
});

void test('across restarts every file is selected exactly once, including past a log compaction', async () => {
  const fx = await fixture();
  try {
    const seen: unknown[] = [];
    let offset: { logOffset: number } | null = null;
    for (let i = 0; i < 13; i++) {
      await fx.write(`f${i}.json`, line(i));
      // A fresh instance per batch: everything it knows comes from the state folder.
      const src = await fx.source({ ...SCHEMA, maxFilesPerTrigger: 1 });
      const b = await nextBatch(src, offset);
      assert.ok(b !== null);
      seen.push(...ids(b.data));
      offset = b.end as { logOffset: number };
      await src.commit(b.end);
    }
    assert.deepEqual(seen, Array.from({ length: 13 }, (_, i) => i));
    const names = (await readdir(fx.state)).filter((n) => /^\d/.test(n)).sort();
    assert.ok(names.includes('9.compact'));
    assert.ok(!names.includes('9'));
    const replay = await fx.source(SCHEMA);
    assert.deepEqual(ids(await replay.read({ logOffset: 2 }, { logOffset: 4 })), [3, 4]);
    assert.equal(await nextBatch(replay, offset), null);
  } finally {
    await fx.cleanup();
  }
});

void test('availableNow restricts the run to the files present when it was prepared', async () => {
  const fx = await fixture();
  try {
    await fx.write('a.json', line(1));
    await fx.write('b.json', line(2));
    const src = await fx.source({ ...SCHEMA, maxFilesPerTrigger: 1 });
    await src.prepareForAvailableNow();
    await fx.write('c.json', line(3));
    const b1 = await nextBatch(src, null);
    const b2 = await nextBatch(src, b1?.end ?? null);
    assert.deepEqual([...ids(b1?.data), ...ids(b2?.data)], [1, 2]);
    assert.equal(await nextBatch(src, b2?.end ?? null), null);
  } finally {
    await fx.cleanup();
  }
});

void test('cleanSource delete removes committed files only', async () => {
  const fx = await fixture();
  try {
    const a = await fx.write('a.json', line(1));
    const b = await fx.write('b.json', line(2));
    const src = await fx.source({ ...SCHEMA, maxFilesPerTrigger: 1, cleanSource: 'delete' });
    const b1 = await nextBatch(src, null);
    await nextBatch(src, b1?.end ?? null);
    await src.commit(b1?.end ?? { logOffset: 0 });
    await assert.rejects(stat(a), { code: 'ENOENT' });
    assert.ok((await stat(b)).isFile());
  } finally {
    await fx.cleanup();
  }
});

void test('cleanSource archive moves committed files under the archive folder keeping their relative path', async () => {
  const fx = await fixture();
  try {
    const a = await fx.write('day=1/a.json', line(1));
    const archive = join(fx.root, 'archive');
    const src = await fx.source({ ...SCHEMA, pattern: '*/*.json', cleanSource: 'archive', sourceArchiveDir: archive });
    const b1 = await nextBatch(src, null);
    await src.commit(b1?.end ?? { logOffset: 0 });
    await assert.rejects(stat(a), { code: 'ENOENT' });
    assert.equal(await readFile(join(archive, 'day=1', 'a.json'), 'utf8'), line(1));
  } finally {
    await fx.cleanup();
  }
});

void test('the config requires an archive folder outside the source folder', () => {
  const bad = fileSourceConfig.safeParse({ path: '/data/in', cleanSource: 'archive' });
  assert.equal(bad.success, false);
  const inside = fileSourceConfig.safeParse({ path: '/data/in', cleanSource: 'archive', sourceArchiveDir: '/data/in/done' });
  assert.match(JSON.stringify(inside.error?.issues), /must not be inside/);
  assert.equal(fileSourceConfig.safeParse({ path: '/data/in', cleanSource: 'archive', sourceArchiveDir: '/data/done' }).success, true);
  assert.equal(fileSourceConfig.safeParse({ path: '/d', schema: 'id MONEY' }).success, false);
  assert.equal(fileSourceConfig.safeParse({ path: '/d', colour: 'red' }).success, false);
});

void test('a missing folder fails to open with SLUICE_SOURCE_NOT_FOUND naming the path', async () => {
  const fx = await fixture();
  try {
    await assert.rejects(fx.source({ path: join(fx.root, 'nope') }), (err: unknown) => {
      assert.equal((err as { code?: unknown }).code, 'SLUICE_SOURCE_NOT_FOUND');
      assert.match((err as Error).message, /nope/);
      return true;
    });
  } finally {
    await fx.cleanup();
  }
});

void test('health reports whether the folder is readable', async () => {
  const fx = await fixture();
  try {
    const src = await fx.source(SCHEMA);
    assert.equal((await src.health()).healthy, true);
    if (process.getuid?.() !== 0) {
      await chmod(fx.input, 0o000);
      assert.equal((await src.health()).healthy, false);
      await chmod(fx.input, 0o755);
    }
  } finally {
    await fx.cleanup();
  }
});
