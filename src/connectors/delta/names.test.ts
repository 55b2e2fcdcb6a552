// Tests of Delta's naming rules and table features on writes: case-insensitive uniqueness and
// forbidden characters at every level, partition column checks, and timestampNtz brought by a commit.
import { strict as assert } from 'node:assert';
import { DeltaError, DeltaErrorCodes } from './errors.ts';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ErrorCodes } from '../../core/errors.ts';
import { field, struct, type DataType, type StructType } from '../../core/schema.ts';
import { readTableWithDuckDB } from '../../../test/support/table-check.ts';
import { DeltaSinkConfig } from './config.ts';
import { checkWritable, readerFeatures, withFeatures, writerFeatures } from './protocol/features.ts';
import { loadSnapshot, resolveDataPath } from './protocol/snapshot.ts';
import { readTableRows } from './reader.ts';
import { appendRows } from './table.ts';
import { openDuck, tempDir } from './test-helpers.ts';

const corpus = process.env.SLUICE_DELTA_CORPUS ?? join(process.cwd(), '..', 'shared', 'delta-corpus');

const arr = (elementType: DataType): DataType => ({ type: 'array', elementType, containsNull: true });
const map = (valueType: DataType): DataType => ({ type: 'map', keyType: 'string', valueType, valueContainsNull: true });

function commitActions(table: string, version: number): Record<string, unknown>[] {
  const text = readFileSync(join(table, '_delta_log', `${String(version).padStart(20, '0')}.json`), 'utf8');
  return text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

function logVersions(table: string): number {
  return readdirSync(join(table, '_delta_log')).filter((n) => n.endsWith('.json')).length;
}

/** Asserts a non-retryable DeltaError with `code` whose message matches every pattern. */
async function refused(p: Promise<unknown>, code: string, ...patterns: RegExp[]): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof DeltaError, String(err));
    assert.equal(err.code, code);
    assert.equal(err.retryable, false);
    for (const re of patterns) assert.match(err.message, re);
    return true;
  });
}

const opts = { appId: 'q', batchId: 0 };

describe('Delta column names', () => {
  it('refuses a new table whose nested names differ only by case, naming both spellings and their path', async () => {
    using dir = tempDir('case-new');
    const schema = struct([field('id', 'long'), field('device', struct([field('os', 'string'), field('OS', 'string')]))]);
    await refused(appendRows(dir.path, [{ id: 1, device: { os: 'a', OS: 'b' } }], schema, opts), DeltaErrorCodes.SCHEMA_MISMATCH, /"device\.OS"/, /"device\.os"/);
    assert.equal(await loadSnapshot(dir.path), null, 'no table is created');
  });

  it('refuses a batch column that differs only by case from a table column, with or without mergeSchema', async () => {
    using dir = tempDir('case-merge');
    const base = struct([field('id', 'long'), field('device', struct([field('os', 'string')]))]);
    await appendRows(dir.path, [{ id: 1, device: { os: 'x' } }], base, opts);
    const top = struct([field('ID', 'long'), field('device', struct([field('os', 'string')]))]);
    await refused(appendRows(dir.path, [{ ID: 2, device: null }], top, { ...opts, batchId: 1, mergeSchema: true }), DeltaErrorCodes.SCHEMA_MISMATCH, /"ID" of the batch differs only by case from column "id"/);
    await refused(appendRows(dir.path, [{ ID: 2, device: null }], top, { ...opts, batchId: 1 }), DeltaErrorCodes.SCHEMA_MISMATCH, /"ID" of the batch/);
    const nested = struct([field('id', 'long'), field('device', struct([field('os', 'string'), field('OS', 'string')]))]);
    await refused(appendRows(dir.path, [{ id: 3, device: { os: 'y', OS: 'z' } }], nested, { ...opts, batchId: 1, mergeSchema: true }), DeltaErrorCodes.SCHEMA_MISMATCH, /"device\.OS" of the batch differs only by case from column "device\.os"/);
    const twoNew = struct([field('id', 'long'), field('note', 'string'), field('Note', 'string')]);
    await refused(appendRows(dir.path, [{ id: 4, note: 'a', Note: 'b' }], twoNew, { ...opts, batchId: 1, mergeSchema: true }), DeltaErrorCodes.SCHEMA_MISMATCH, /"Note"/, /"note"/);
    assert.equal(logVersions(dir.path), 1, 'nothing was committed');
    assert.deepEqual((await loadSnapshot(dir.path))?.schema, base);
  });

  it('refuses forbidden characters at every nesting level, at creation and at mergeSchema', async () => {
    using dir = tempDir('chars');
    const cases: [StructType, RegExp][] = [
      [struct([field('unit price', 'double')]), /column "unit price"/],
      [struct([field('orders', arr(struct([field('sku', 'string'), field('qty;n', 'long')])))]), /"orders\.element\.qty;n" \(field "qty;n"\)/],
      [struct([field('attrs', map(struct([field('a=b', 'long')])))]), /"attrs\.value\.a=b"/],
      [struct([field('dev', struct([field('inner', struct([field('x\ty', 'long')]))]))]), /"dev\.inner\.x\\ty"/],
    ];
    for (const [schema, re] of cases) await refused(appendRows(dir.path, [], schema, opts), ErrorCodes.SCHEMA_INVALID, re, /without column mapping/);
    assert.equal(await loadSnapshot(dir.path), null);
    await appendRows(dir.path, [{ id: 1, dev: { os: 'x' } }], struct([field('id', 'long'), field('dev', struct([field('os', 'string')]))]), opts);
    const bad = struct([field('id', 'long'), field('dev', struct([field('os', 'string'), field('{v}', 'long')]))]);
    await refused(appendRows(dir.path, [{ id: 2, dev: { os: 'y', '{v}': 1 } }], bad, { ...opts, batchId: 1, mergeSchema: true }), ErrorCodes.SCHEMA_INVALID, /"dev\.\{v\}"/);
    assert.equal(logVersions(dir.path), 1);
  });

  it('keeps appending to a table whose existing column has a forbidden character, checking only new names', async () => {
    using dir = tempDir('legacy-name');
    const log = join(dir.path, '_delta_log');
    mkdirSync(log, { recursive: true });
    const schema = struct([field('id', 'long'), field('a b', 'string')]);
    writeFileSync(join(log, '00000000000000000000.json'), [
      JSON.stringify({ protocol: { minReaderVersion: 1, minWriterVersion: 2 } }),
      JSON.stringify({ metaData: { id: 'legacy', format: { provider: 'parquet', options: {} }, schemaString: JSON.stringify(schema), partitionColumns: [], configuration: {}, createdTime: 0 } }),
    ].join('\n'));
    const merged = struct([...schema.fields, field('c', 'long')]);
    await appendRows(dir.path, [{ id: 1, 'a b': 'x', c: 2 }], merged, { ...opts, mergeSchema: true });
    assert.deepEqual((await loadSnapshot(dir.path))?.schema.fields.map((f) => f.name), ['id', 'a b', 'c']);
  });
});

describe('Delta partition columns', () => {
  it('refuses partitionBy of every column at the first write, before any file is written', async () => {
    using dir = tempDir('part-all');
    const schema = struct([field('day', 'date'), field('country', 'string')]);
    await refused(appendRows(dir.path, [{ day: new Date(0), country: 'FR' }], schema, { ...opts, partitionBy: ['day', 'country'] }), ErrorCodes.CONFIG_INVALID, /names every column/);
    assert.deepEqual(readdirSync(dir.path), []);
  });

  it('refuses a column named twice, in the config regardless of case and at the first write', async () => {
    const r = DeltaSinkConfig.safeParse({ path: '/tmp/t', partitionBy: ['day', 'Day'] });
    assert.equal(r.success, false);
    assert.deepEqual(r.error?.issues.map((i) => [i.path.join('.'), i.message]), [['partitionBy', 'names column "Day" twice ("day" and "Day" are one column: Delta column names are case-insensitive)']]);
    using dir = tempDir('part-twice');
    const schema = struct([field('day', 'date'), field('n', 'long')]);
    await refused(appendRows(dir.path, [{ day: new Date(0), n: 1 }], schema, { ...opts, partitionBy: ['day', 'day'] }), ErrorCodes.CONFIG_INVALID, /names column day twice/);
  });

  it('matches partition column names regardless of case and records the schema spelling', async () => {
    using dir = tempDir('part-case');
    const schema = struct([field('Country', 'string'), field('n', 'long')]);
    await appendRows(dir.path, [{ Country: 'FR', n: 1 }], schema, { ...opts, partitionBy: ['country'] });
    await appendRows(dir.path, [{ Country: 'DE', n: 2 }], schema, { ...opts, batchId: 1, partitionBy: ['COUNTRY'] });
    const snap = await loadSnapshot(dir.path);
    assert.deepEqual(snap?.partitionColumns, ['Country']);
    assert.deepEqual(readdirSync(dir.path).filter((n) => n !== '_delta_log').sort(), ['Country=DE', 'Country=FR']);
  });
});

describe('Delta table features', () => {
  it('a mergeSchema commit that brings timestamp_ntz inside an array of structs upgrades the protocol in the same commit', async () => {
    using dir = tempDir('ntz-merge');
    await appendRows(dir.path, [{ id: 1 }], struct([field('id', 'long')]), { ...opts, mergeSchema: true });
    assert.deepEqual(commitActions(dir.path, 0).find((a) => 'protocol' in a)?.protocol, { minReaderVersion: 1, minWriterVersion: 2 });
    const evolved = struct([field('id', 'long'), field('visits', arr(struct([field('at', 'timestamp_ntz')])))]);
    await appendRows(dir.path, [{ id: 2, visits: [{ at: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)) }] }], evolved, { ...opts, batchId: 1, mergeSchema: true });
    const c1 = commitActions(dir.path, 1);
    const protocol = c1.find((a) => 'protocol' in a)?.protocol;
    // As Spark upgrades a (1, 2) table: the legacy writer features are listed, the new one added.
    assert.deepEqual(protocol, { minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['timestampNtz'], writerFeatures: ['timestampNtz', 'appendOnly', 'invariants'] });
    assert.ok(c1.some((a) => 'metaData' in a), 'the schema change is in the same commit');
    await appendRows(dir.path, [{ id: 3, visits: null }], evolved, { ...opts, batchId: 2, mergeSchema: true });
    assert.equal(commitActions(dir.path, 2).some((a) => 'protocol' in a), false, 'later commits leave the protocol alone');
    const snap = await loadSnapshot(dir.path);
    assert.ok(snap !== null);
    checkWritable(snap.protocol, snap.metadata, dir.path);
    const read = await readTableWithDuckDB(dir.path, 'id');
    assert.equal(read.columnTypes.visits, 'STRUCT("at" TIMESTAMP)[]');
    assert.deepEqual(read.rows.map((r) => r.visits), [null, [{ at: '2024-01-02 03:04:05' }], null]);
  });

  it('a new table with timestamp_ntz only inside a map value gets the timestampNtz feature', async () => {
    using dir = tempDir('ntz-new');
    await appendRows(dir.path, [], struct([field('id', 'long'), field('seen', map(struct([field('at', 'timestamp_ntz')])))]), opts);
    const p = (await loadSnapshot(dir.path))?.protocol;
    assert.ok(p !== undefined);
    assert.deepEqual([p.minReaderVersion, p.minWriterVersion, readerFeatures(p), writerFeatures(p).includes('timestampNtz')], [3, 7, ['timestampNtz'], true]);
  });

  it('repairs a table whose schema has timestamp_ntz without the feature at its next append', async () => {
    using dir = tempDir('ntz-repair');
    const log = join(dir.path, '_delta_log');
    mkdirSync(log, { recursive: true });
    const schema = struct([field('id', 'long'), field('at', 'timestamp_ntz')]);
    writeFileSync(join(log, '00000000000000000000.json'), [
      JSON.stringify({ protocol: { minReaderVersion: 1, minWriterVersion: 2 } }),
      JSON.stringify({ metaData: { id: 'old', format: { provider: 'parquet', options: {} }, schemaString: JSON.stringify(schema), partitionColumns: [], configuration: {}, createdTime: 0 } }),
    ].join('\n'));
    await appendRows(dir.path, [{ id: 1, at: new Date(0) }], schema, opts);
    assert.deepEqual((await loadSnapshot(dir.path))?.protocol.readerFeatures, ['timestampNtz']);
  });

  it('upgrading any corpus protocol keeps every feature it implied and adds timestampNtz for readers and writers', () => {
    const seen = new Set<string>();
    for (const name of readdirSync(join(corpus, 'delta-rs'))) {
      const log = join(corpus, 'delta-rs', name, '_delta_log');
      let files: string[];
      try {
        files = readdirSync(log).filter((f) => f.endsWith('.json')).sort();
      } catch {
        continue;
      }
      for (const f of files) {
        for (const line of readFileSync(join(log, f), 'utf8').split('\n')) {
          if (!line.includes('"protocol"')) continue;
          const p = (JSON.parse(line) as { protocol?: Parameters<typeof withFeatures>[0] }).protocol;
          if (p === undefined || seen.has(JSON.stringify(p))) continue;
          seen.add(JSON.stringify(p));
          const up = withFeatures(p, ['timestampNtz']);
          if (readerFeatures(p).includes('timestampNtz') && writerFeatures(p).includes('timestampNtz')) {
            assert.equal(up, null, `${name}: already supported`);
            continue;
          }
          assert.ok(up !== null);
          assert.ok(up.minReaderVersion >= 3 && up.minWriterVersion === 7, `${name}: versions`);
          for (const x of readerFeatures(p)) assert.ok(readerFeatures(up).includes(x), `${name}: reader feature ${x} kept`);
          for (const x of writerFeatures(p)) assert.ok(writerFeatures(up).includes(x), `${name}: writer feature ${x} kept`);
          for (const x of readerFeatures(up)) assert.ok(writerFeatures(up).includes(x), `${name}: reader feature ${x} listed for writers`);
          assert.ok(readerFeatures(up).includes('timestampNtz') && writerFeatures(up).includes('timestampNtz'));
        }
      }
    }
    assert.ok(seen.size >= 8, `corpus protocols found: ${seen.size}`);
  });
});

describe('Delta columns named like object members', () => {
  it('writes, partitions, describes and reads back __proto__, constructor and toString as ordinary columns', async () => {
    using dir = tempDir('proto');
    const schema = struct([
      field('id', 'long'),
      field('__proto__', 'string'),
      field('constructor', 'string'),
      field('toString', 'long'),
      field('meta', struct([field('__proto__', 'string'), field('hasOwnProperty', 'long')])),
    ]);
    // Parsed JSON holds "__proto__" as an own key, as the file and Kafka sources deliver it; row 2
    // lacks toString, which must read as null rather than as the inherited function.
    const rows = [
      JSON.parse('{"id":1,"__proto__":"p1","constructor":"c1","toString":10,"meta":{"__proto__":"m1","hasOwnProperty":5}}') as Record<string, unknown>,
      JSON.parse('{"id":2,"__proto__":"p2","constructor":"c2","meta":{"__proto__":"m2","hasOwnProperty":null}}') as Record<string, unknown>,
    ];
    await appendRows(dir.path, rows, schema, { ...opts, partitionBy: ['constructor'] });
    const snap = await loadSnapshot(dir.path);
    assert.ok(snap !== null);
    const adds = [...snap.files.values()].sort((a, b) => a.path.localeCompare(b.path));
    assert.deepEqual(adds.map((a) => a.partitionValues), [JSON.parse('{"constructor":"c1"}'), JSON.parse('{"constructor":"c2"}')]);
    assert.ok(adds.every((a) => Object.hasOwn(a.partitionValues, 'constructor')));
    const stats = JSON.parse(adds[0]?.stats ?? '{}') as { minValues: Record<string, unknown>; nullCount: Record<string, unknown> };
    assert.ok(Object.hasOwn(stats.minValues, '__proto__'), 'stats keep the __proto__ column');
    assert.deepEqual(Object.entries(stats.minValues), [['id', 1], ['__proto__', 'p1'], ['toString', 10], ['meta', JSON.parse('{"__proto__":"m1","hasOwnProperty":5}')]]);
    const duck = await openDuck();
    try {
      // Aliased: DuckDB's row objects would lose a "__proto__" key the same way.
      const files = adds.map((a) => `'${resolveDataPath(dir.path, a.path)}'`).join(', ');
      const got = await duck.rows(`SELECT id::INT AS id, "__proto__" AS p, "toString"::INT AS s, meta."__proto__" AS mp, meta."hasOwnProperty"::INT AS mh, "constructor" AS c
        FROM read_parquet([${files}], hive_partitioning = true) ORDER BY id`);
      assert.deepEqual(got, [{ id: 1, p: 'p1', s: 10, mp: 'm1', mh: 5, c: 'c1' }, { id: 2, p: 'p2', s: null, mp: 'm2', mh: null, c: 'c2' }]);
    } finally {
      duck.close();
    }
    const back = (await readTableRows(dir.path)).sort((a, b) => Number(a.id) - Number(b.id));
    assert.deepEqual(back.map((r) => [Object.keys(r), r.__proto__, r.constructor, Object.entries(r.meta as object)]), [
      [['id', '__proto__', 'toString', 'meta', 'constructor'], 'p1', 'c1', [['__proto__', 'm1'], ['hasOwnProperty', 5]]],
      [['id', '__proto__', 'toString', 'meta', 'constructor'], 'p2', 'c2', [['__proto__', 'm2'], ['hasOwnProperty', null]]],
    ]);
  });
});
