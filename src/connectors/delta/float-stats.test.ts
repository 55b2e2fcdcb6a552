// Stats of float and double columns holding NaN and ±Infinity: written as Spark writes them, read
// back by DuckDB as the very min/max it computes, and never letting data skipping drop a file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { field, struct } from '../../core/schema.ts';
import { loadSnapshot, resolveDataPath } from './protocol/snapshot.ts';
import { appendRows } from './table.ts';
import { openDuck, tempDir, type Duck } from './test-helpers.ts';

const schema = struct([field('id', 'long'), field('d', 'double'), field('f', 'float')]);

const batches = [
  [{ id: 1, d: 1.5, f: 1 }, { id: 2, d: Infinity, f: Infinity }, { id: 3, d: -Infinity, f: null }, { id: 4, d: null, f: -2 }],
  [{ id: 5, d: NaN, f: NaN }, { id: 6, d: 2, f: 0.5 }, { id: 7, d: 3, f: NaN }],
  [{ id: 8, d: NaN, f: null }, { id: 9, d: NaN, f: null }],
];

const sql = (s: string): string => `'${s.replace(/'/g, "''")}'`;
const dbl = (v: number): string => `${sql(String(v))}::DOUBLE`;

/** The file's rows as a DuckDB table: queried in place, DuckDB answers min/max and prunes filters
 * with the Parquet footer statistics, which leave NaN out, and so misses NaN rows. */
async function load(duck: Duck, file: string): Promise<string> {
  await duck.conn.run(`CREATE OR REPLACE TEMP TABLE f AS SELECT * FROM read_parquet(${sql(file)})`);
  return 'f';
}

void test('NaN and ±Infinity get Spark\'s min and max as "NaN"/"Infinity" strings that DuckDB reads back as its own min and max', async () => {
  using dir = tempDir('float-stats');
  for (const [i, rows] of batches.entries()) await appendRows(dir.path, rows, schema, { appId: 'q', batchId: i });
  const snap = await loadSnapshot(dir.path);
  assert.ok(snap !== null);
  const adds = [...snap.files.values()];
  const stats = adds.map((a) => JSON.parse(a.stats ?? '{}') as { minValues: object; maxValues: object; nullCount: object });
  assert.deepEqual(stats.map((s) => [s.minValues, s.maxValues]), [
    [{ id: 1, d: '-Infinity', f: -2 }, { id: 4, d: 'Infinity', f: 'Infinity' }],
    // NaN sorts above every number: it is the max as soon as one is there, the min only when all are.
    [{ id: 5, d: 2, f: 0.5 }, { id: 7, d: 'NaN', f: 'NaN' }],
    [{ id: 8, d: 'NaN' }, { id: 9, d: 'NaN' }],
  ]);
  assert.deepEqual(stats[2]?.nullCount, { id: 0, d: 0, f: 2 });
  const duck = await openDuck();
  try {
    for (const [i, add] of adds.entries()) {
      const file = await load(duck, resolveDataPath(dir.path, add.path));
      const s = sql(add.stats ?? '');
      for (const col of ['d', 'f']) {
        const [got] = await duck.rows(
          `SELECT (SELECT min(${col})::DOUBLE::VARCHAR FROM ${file}) AS lo, (SELECT max(${col})::DOUBLE::VARCHAR FROM ${file}) AS hi,
                  (json_extract_string(${s}, '$.minValues.${col}'))::DOUBLE::VARCHAR AS slo, (json_extract_string(${s}, '$.maxValues.${col}'))::DOUBLE::VARCHAR AS shi`,
        );
        assert.deepEqual([got?.slo, got?.shi], [got?.lo, got?.hi], `file ${i}, column ${col}`);
      }
    }
  } finally {
    duck.close();
  }
});

void test('data skipping on these stats never drops a file holding a matching row', async () => {
  using dir = tempDir('float-skip');
  for (const [i, rows] of batches.entries()) await appendRows(dir.path, rows, schema, { appId: 'q', batchId: i });
  const adds = [...((await loadSnapshot(dir.path))?.files.values() ?? [])];
  assert.equal(adds.length, 3);
  const duck = await openDuck();
  let skippable = 0;
  try {
    for (const add of adds) {
      const file = await load(duck, resolveDataPath(dir.path, add.path));
      const s = sql(add.stats ?? '');
      for (const col of ['d', 'f']) {
        const lo = `(json_extract_string(${s}, '$.minValues.${col}'))::DOUBLE`;
        const hi = `(json_extract_string(${s}, '$.maxValues.${col}'))::DOUBLE`;
        for (const k of [-Infinity, -2, 0, 1.5, 2, 2.5, 3, 10, Infinity, NaN]) {
          // DuckDB compares NaN as Spark does (equal to itself, above every number); a file is kept
          // when its bounds say a row may match (or when it has no bounds).
          const checks: [string, string][] = [
            [`${col} > ${dbl(k)}`, `${hi} > ${dbl(k)}`],
            [`${col} >= ${dbl(k)}`, `${hi} >= ${dbl(k)}`],
            [`${col} < ${dbl(k)}`, `${lo} < ${dbl(k)}`],
            [`${col} <= ${dbl(k)}`, `${lo} <= ${dbl(k)}`],
            [`${col} = ${dbl(k)}`, `${lo} <= ${dbl(k)} AND ${hi} >= ${dbl(k)}`],
          ];
          for (const [where, keep] of checks) {
            const [r] = await duck.rows(`SELECT (SELECT count(*) FROM ${file} WHERE ${where})::DOUBLE AS n, coalesce(${keep}, true) AS keep`);
            if (r?.n !== 0) assert.equal(r?.keep, true, `${where} matches ${String(r?.n)} row(s) of a file the stats would skip (${add.stats ?? ''})`);
            else if (r.keep === false) skippable++;
          }
        }
      }
    }
  } finally {
    duck.close();
  }
  assert.ok(skippable > 20, `the stats still let files be skipped (${skippable} skips)`);
});

void test('a data file holding NaN carries no Parquet footer bounds for that column, so DuckDB reading it in place still finds the NaN rows', async () => {
  using dir = tempDir('float-footer');
  const nested = struct([field('id', 'long'), field('d', 'double'), field('s', struct([field('x', 'double')]))]);
  await appendRows(dir.path, [{ id: 1, d: NaN, s: { x: 1 } }, { id: 2, d: 2, s: { x: 2 } }], nested, { appId: 'q', batchId: 0 });
  await appendRows(dir.path, [{ id: 3, d: 1, s: { x: NaN } }, { id: 4, d: 2, s: { x: 2 } }], nested, { appId: 'q', batchId: 1 });
  await appendRows(dir.path, [{ id: 5, d: 1, s: { x: 1 } }, { id: 6, d: null, s: null }], nested, { appId: 'q', batchId: 2 });
  const files = [...((await loadSnapshot(dir.path))?.files.values() ?? [])].map((a) => sql(resolveDataPath(dir.path, a.path)));
  assert.equal(files.length, 3);
  const duck = await openDuck();
  try {
    const bounds = async (f: string): Promise<unknown[]> => (await duck.rows(`SELECT path_in_schema::VARCHAR AS p, stats_max AS hi FROM parquet_metadata(${f}) ORDER BY column_id`)).map((r) => [r.p, r.hi]);
    // A top-level NaN column loses its own bounds; a nested one can only turn off the whole file's.
    assert.deepEqual(await bounds(files[0] as string), [['id', '2'], ['d', null], ['s, x', '2.0']]);
    assert.deepEqual(await bounds(files[1] as string), [['id', null], ['d', null], ['s, x', null]]);
    assert.deepEqual(await bounds(files[2] as string), [['id', '6'], ['d', '1.0'], ['s, x', '1.0']], 'files without NaN keep their bounds');
    const ids = async (where: string): Promise<unknown[]> => (await duck.rows(`SELECT id::INT AS id FROM read_parquet([${files.join(', ')}]) WHERE ${where} ORDER BY id`)).map((r) => r.id);
    assert.deepEqual(await ids('d > 10'), [1]);
    assert.deepEqual(await ids('s.x > 10'), [3]);
  } finally {
    duck.close();
  }
});
