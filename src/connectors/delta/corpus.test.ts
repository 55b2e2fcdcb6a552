// Replays every reference table written by Spark and delta-rs: each gives a consistent snapshot or a clear refusal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SluiceError } from '../../core/errors.ts';
import { loadSnapshot, resolveDataPath, statsNumRecords, type Snapshot } from './protocol/snapshot.ts';
import { readTableRows } from './reader.ts';
import { openDuck, type Duck } from './test-helpers.ts';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const corpusRoot = resolve(repoRoot, process.env.SLUICE_DELTA_CORPUS ?? '../shared/delta-corpus');
const tablesRoot = join(corpusRoot, 'delta-rs');

/** Folders holding a _delta_log, searched two levels deep (some fixtures group tables). */
function findTables(dir: string, depth = 0): string[] {
  if (existsSync(join(dir, '_delta_log'))) return [dir];
  if (depth >= 2) return [];
  return readdirSync(dir)
    .map((n) => join(dir, n))
    .filter((p) => statSync(p).isDirectory())
    .flatMap((p) => findTables(p, depth + 1));
}

function hasDataFiles(dir: string): boolean {
  const walk = (d: string): boolean =>
    readdirSync(d, { withFileTypes: true }).some((e) => (e.isDirectory() ? e.name !== '_delta_log' && walk(join(d, e.name)) : e.name.endsWith('.parquet')));
  return walk(dir);
}

/** Facts checked by hand against the logs of a few tables. */
const KNOWN: Record<string, (s: Snapshot) => void> = {
  simple_table: (s) => {
    assert.equal(s.version, 4);
    assert.equal(s.files.size, 5);
  },
  'checkpoint-v2-table': (s) => {
    assert.equal(s.version, 9);
    assert.equal(s.checkpointVersion, 8);
  },
  table_failed_last_checkpoint_update: (s) => {
    // _last_checkpoint says 1, but a newer checkpoint (3) exists on disk.
    assert.equal(s.version, 3);
    assert.equal(s.checkpointVersion, 3);
  },
  with_checkpoint_no_last_checkpoint: (s) => {
    assert.equal(s.version, 3);
    assert.equal(s.checkpointVersion, 2);
  },
  'delta-0.2.0': (s) => {
    assert.equal(s.version, 3);
    assert.equal(s.txns.get('e4a20b59-dd0e-4c50-b074-e8ae4786df30'), 0);
  },
  'COVID-19_NYT': (s) => assert.equal([...s.files.values()].reduce((n, f) => n + (statsNumRecords(f) ?? 0), 0), 1_111_930),
  'delta-0.8.0-partitioned': (s) => assert.deepEqual(s.partitionColumns, ['year', 'month', 'day']),
};

/** Tables that must be refused, and a feature the refusal has to name. */
const REFUSED: Record<string, string> = {
  simple_table_features: 'minReaderVersion=5',
  'spark-variant-checkpoint': 'variantType-preview',
  'spark-variant-stable-feature-checkpoint': 'variantType',
};

async function checkConsistent(duck: Duck, table: string, s: Snapshot): Promise<string> {
  if (!hasDataFiles(table)) return `log-only fixture, version ${s.version}, ${s.files.size} files`;
  const paths = [...s.files.values()].map((f) => resolveDataPath(table, f.path));
  for (const p of paths) assert.ok(existsSync(p), `live file ${p} exists`);
  const withDv = [...s.files.values()].some((f) => f.deletionVector !== null && f.deletionVector !== undefined);
  if (paths.length === 0) return `version ${s.version}, no live files`;
  if (withDv) return `version ${s.version}, ${paths.length} files (deletion vectors: row count not comparable)`;
  const list = paths.map((p) => `'${p.replace(/'/g, "''")}'`).join(', ');
  const [r] = await duck.rows(`SELECT count(*)::DOUBLE AS n FROM read_parquet([${list}], union_by_name = true, hive_partitioning = false)`);
  const counts = [...s.files.values()].map(statsNumRecords);
  const name = relative(tablesRoot, table);
  if (counts.every((c) => c !== null)) {
    const expected = counts.reduce<number>((a, c) => a + (c ?? 0), 0);
    assert.equal(r?.n, expected, `rows counted by DuckDB equal the sum of numRecords in ${name}`);
    return `version ${s.version}, ${paths.length} files, ${expected} rows (stats = DuckDB)`;
  }
  // Without stats on every file, our own Arrow read path must agree with DuckDB instead.
  const ours = (await readTableRows(table)).length;
  assert.equal(ours, r?.n, `rows read through Arrow equal the rows DuckDB counts in ${name}`);
  return `version ${s.version}, ${paths.length} files, ${ours} rows (reader = DuckDB; stats incomplete)`;
}

void test('every corpus table replays to a consistent snapshot or is refused naming the unsupported feature', async (t) => {
  if (!existsSync(tablesRoot)) {
    t.skip(`SKIPPED: Delta corpus not found at ${tablesRoot}; set SLUICE_DELTA_CORPUS`);
    console.warn(`\n*** SKIPPED: Delta corpus not found at ${tablesRoot}; set SLUICE_DELTA_CORPUS ***\n`);
    return;
  }
  const tables = findTables(tablesRoot);
  assert.ok(tables.length >= 40, `found ${tables.length} tables`);
  const duck = await openDuck();
  const seen = new Set<string>();
  try {
    for (const table of tables) {
      const name = relative(tablesRoot, table);
      seen.add(name);
      let snap: Snapshot | null;
      try {
        snap = await loadSnapshot(table);
      } catch (err) {
        assert.ok(err instanceof SluiceError, `${name}: ${String(err)}`);
        assert.equal(err.code, 'SLUICE_DELTA_PROTOCOL_UNSUPPORTED', `${name}: ${err.message}`);
        const features = (err.details.features ?? []) as string[];
        assert.ok(features.length > 0 && features.every((f) => err.message.includes(f)), `${name}: refusal names its features`);
        if (REFUSED[name] !== undefined) assert.ok(features.includes(REFUSED[name]), `${name} refused for ${REFUSED[name]}`);
        t.diagnostic(`${name}: refused (${err.message})`);
        continue;
      }
      assert.ok(REFUSED[name] === undefined, `${name} should have been refused`);
      assert.ok(snap !== null, `${name} has a snapshot`);
      assert.ok(snap.schema.fields.length > 0, `${name} schema parses`);
      KNOWN[name]?.(snap);
      t.diagnostic(`${name}: ${await checkConsistent(duck, table, snap)}`);
    }
  } finally {
    duck.close();
  }
  for (const name of [...Object.keys(KNOWN), ...Object.keys(REFUSED)]) assert.ok(seen.has(name), `corpus holds ${name}`);
});

void test('rows of corpus tables read back through Arrow match their stats, partition values included', async (t) => {
  if (!existsSync(tablesRoot)) {
    t.skip(`SKIPPED: Delta corpus not found at ${tablesRoot}; set SLUICE_DELTA_CORPUS`);
    return;
  }
  const rows = await readTableRows(join(tablesRoot, 'delta-0.8.0-partitioned'));
  assert.equal(rows.length, 7);
  assert.deepEqual(rows.find((r) => r.value === '4'), { value: '4', year: '2021', month: '4', day: '5' });
  const simple = await readTableRows(join(tablesRoot, 'simple_table'));
  assert.deepEqual(simple.map((r) => r.id).sort(), [5, 7, 9]);
  await assert.rejects(readTableRows(join(tablesRoot, 'table-with-dv-small')), /deletionVectors/);
});
