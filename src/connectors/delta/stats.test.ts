// Checks every data file and every add.stats value we write against what DuckDB reads from the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DataType, StructType } from '../../core/schema.ts';
import { loadSnapshot, resolveDataPath } from './protocol/snapshot.ts';
import { appendRows } from './table.ts';
import { openDuck, tempDir, WIDE_SCHEMA, wideRows, type Duck } from './test-helpers.ts';
import { computeStats, truncateMax, truncateMin } from './stats.ts';
import { asciiBounds, rowsToArrow } from '../../formats/parquet/arrow.ts';

type Stats = { numRecords: number; minValues: Record<string, unknown>; maxValues: Record<string, unknown>; nullCount: Record<string, unknown> };

/** JSON.parse that keeps integers beyond 2^53 exact (as strings), as the stats text holds them. */
function parseExact(text: string): Stats {
  return JSON.parse(text.replace(/([:[,])(-?\d{16,})(?=[,}\]])/g, '$1"$2"')) as Stats;
}

function sqlPath(path: readonly string[]): string {
  return path.map((p) => `"${p}"`).join('.');
}

function pick(o: Record<string, unknown>, path: readonly string[]): unknown {
  let cur: unknown = o;
  for (const p of path) cur = typeof cur === 'object' && cur !== null ? (cur as Record<string, unknown>)[p] : undefined;
  return cur;
}

/** DuckDB expressions giving min/max in the form our stats JSON uses, per leaf type. */
function minMaxExpr(t: DataType, col: string, fn: 'min' | 'max'): string | null {
  if (typeof t !== 'string') return null;
  switch (t) {
    case 'timestamp': case 'timestamp_ntz': return `epoch_ms(${fn}(${col}))::DOUBLE`;
    case 'date': return `strftime(${fn}(${col}), '%Y-%m-%d')`;
    case 'string': return `${fn}(${col})`;
    case 'long': return `${fn}(${col})::VARCHAR`;
    case 'integer': case 'short': case 'byte': case 'double': case 'float': return `${fn}(${col})::DOUBLE`;
    case 'boolean': case 'binary': return null;
    default: return `${fn}(${col})::DOUBLE`;
  }
}

function ourValue(t: DataType, v: unknown): unknown {
  if (t === 'timestamp') return Date.parse(String(v));
  if (t === 'timestamp_ntz') return Date.parse(`${String(v)}Z`);
  if (t === 'long') return String(v);
  return v;
}

function leaves(s: StructType, prefix: string[] = []): { path: string[]; type: DataType }[] {
  const out: { path: string[]; type: DataType }[] = [];
  for (const f of s.fields) {
    if (typeof f.type === 'object' && f.type.type === 'struct') out.push(...leaves(f.type, [...prefix, f.name]));
    else out.push({ path: [...prefix, f.name], type: f.type });
  }
  return out;
}

async function checkFile(duck: Duck, file: string, stats: Stats, schema: StructType): Promise<void> {
  const src = `read_parquet('${file.replace(/'/g, "''")}')`;
  const [count] = await duck.rows(`SELECT count(*)::DOUBLE AS n FROM ${src}`);
  assert.equal(stats.numRecords, count?.n, `numRecords of ${file}`);
  for (const leaf of leaves(schema)) {
    const col = sqlPath(leaf.path);
    const name = leaf.path.join('.');
    const [nulls] = await duck.rows(`SELECT (count(*) - count(${col}))::DOUBLE AS n FROM ${src}`);
    assert.equal(pick(stats.nullCount, leaf.path), nulls?.n, `nullCount of ${name}`);
    const minE = minMaxExpr(leaf.type, col, 'min');
    const maxE = minMaxExpr(leaf.type, col, 'max');
    if (minE === null || maxE === null) {
      assert.equal(pick(stats.minValues, leaf.path), undefined, `no min for ${name}`);
      continue;
    }
    const [mm] = await duck.rows(`SELECT ${minE} AS lo, ${maxE} AS hi FROM ${src}`);
    let lo = mm?.lo ?? undefined;
    let hi = mm?.hi ?? undefined;
    if (leaf.type === 'string' && typeof lo === 'string' && typeof hi === 'string') {
      lo = truncateMin(lo, 32);
      hi = truncateMax(hi, 32);
    }
    assert.deepEqual(ourValue(leaf.type, pick(stats.minValues, leaf.path)), lo, `min of ${name}`);
    assert.deepEqual(ourValue(leaf.type, pick(stats.maxValues, leaf.path)), hi, `max of ${name}`);
  }
}

void test('DuckDB reads every data file with the Delta types and matching stats', async () => {
  using dir = tempDir('stats');
  const duck = await openDuck();
  try {
    await appendRows(dir.path, wideRows(500, 7), WIDE_SCHEMA, { appId: 'q', batchId: 0, targetFileRows: 180 });
    await appendRows(dir.path, wideRows(3, 99), WIDE_SCHEMA, { appId: 'q', batchId: 1, compression: 'zstd' });
    const snap = await loadSnapshot(dir.path);
    assert.ok(snap !== null);
    assert.equal(snap.files.size, 4);
    for (const add of snap.files.values()) {
      const file = resolveDataPath(dir.path, add.path);
      const types = await duck.rows(`DESCRIBE SELECT * FROM read_parquet('${file}')`);
      const byName: Record<string, unknown> = Object.fromEntries(types.map((r): [string, unknown] => [String(r.column_name), r.column_type]));
      assert.deepEqual(byName, {
        id: 'BIGINT', name: 'VARCHAR', ts: 'TIMESTAMP WITH TIME ZONE', local: 'TIMESTAMP', day: 'DATE', qty: 'INTEGER', small: 'SMALLINT',
        tiny: 'TINYINT', price: 'DOUBLE', ratio: 'FLOAT', ok: 'BOOLEAN', blob: 'BLOB', amount: 'DECIMAL(12,3)',
        address: 'STRUCT(city VARCHAR, zip INTEGER, geo STRUCT(lat DOUBLE, lon DOUBLE))', tags: 'VARCHAR[]', attrs: 'MAP(VARCHAR, BIGINT)',
      });
      assert.equal(typeof add.stats, 'string');
      await checkFile(duck, file, parseExact(add.stats as string), WIDE_SCHEMA);
    }
  } finally {
    duck.close();
  }
});

void test('DuckDB reads back the exact values written, including nested, big and pre-1970 values', async () => {
  using dir = tempDir('values');
  const duck = await openDuck();
  try {
    const rows = wideRows(40, 3);
    await appendRows(dir.path, rows, WIDE_SCHEMA, { appId: 'q', batchId: 0 });
    const snap = await loadSnapshot(dir.path);
    const add = [...(snap?.files.values() ?? [])][0];
    assert.ok(add !== undefined);
    const got = await duck.rows(
      `SELECT id::VARCHAR AS id, name, epoch_ms(ts)::DOUBLE AS ts, strftime(day, '%Y-%m-%d') AS day, amount::VARCHAR AS amount,
              address.geo.lat AS lat, tags, cardinality(attrs)::DOUBLE AS nattrs
       FROM read_parquet('${resolveDataPath(dir.path, add.path)}')`,
    );
    assert.equal(got.length, rows.length);
    got.forEach((g, i) => {
      const r = rows[i] as Record<string, unknown>;
      assert.equal(g.id, String(r.id));
      assert.equal(g.name, r.name);
      assert.equal(g.ts, r.ts === null ? null : (r.ts as Date).getTime());
      assert.equal(g.day, r.day === null ? null : (r.day as Date).toISOString().slice(0, 10));
      assert.equal(g.amount, r.amount);
      const addr = r.address as { geo: { lat: number } | null } | null;
      assert.equal(g.lat, addr?.geo?.lat ?? null);
      assert.deepEqual(g.tags, r.tags);
      assert.equal(g.nattrs, r.attrs === null ? null : 2);
    });
  } finally {
    duck.close();
  }
});

void test('stats cover only the first 32 leaf columns when the table has more', async () => {
  const { struct, field } = await import('../../core/schema.ts');
  const { rowsToArrow } = await import('../../formats/parquet/arrow.ts');
  const { computeStats } = await import('./stats.ts');
  const schema = struct([
    field('nested', struct(Array.from({ length: 30 }, (_, i) => field(`n${i}`, 'integer')))),
    ...Array.from({ length: 5 }, (_, i) => field(`c${i}`, 'long')),
  ]);
  const row: Record<string, unknown> = { nested: Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`n${i}`, i])) };
  for (let i = 0; i < 5; i++) row[`c${i}`] = i;
  const stats = JSON.parse(computeStats(rowsToArrow([row], schema), schema)) as Stats;
  assert.equal(Object.keys(stats.nullCount.nested as object).length, 30);
  assert.deepEqual(Object.keys(stats.nullCount).sort(), ['c0', 'c1', 'nested']);
  assert.deepEqual(stats.maxValues.c1, 1);
  assert.equal(stats.minValues.c2, undefined);
});

void test('a truncated string max stays at or above every value with the same prefix', () => {
  const long = 'a'.repeat(32) + 'zzz';
  const max = truncateMax(long, 32);
  assert.equal(max.length, 33);
  assert.ok(Buffer.compare(Buffer.from(max), Buffer.from(long)) >= 0);
  const wide = 'a'.repeat(32) + '\u00ff';
  assert.ok(Buffer.compare(Buffer.from(truncateMax(wide, 32)), Buffer.from(wide)) >= 0);
  assert.equal(truncateMin(long, 32), 'a'.repeat(32));
  assert.equal(truncateMax('short', 32), 'short');
});

void test('string bounds noted while building ASCII columns equal those compared from the encoded bytes', () => {
  const schema: StructType = {
    type: 'struct',
    fields: [
      { name: 'ids', type: 'string', nullable: true, metadata: {} },
      { name: 'long', type: 'string', nullable: true, metadata: {} },
      { name: 'mixed', type: 'string', nullable: true, metadata: {} },
      { name: 'numeric', type: 'string', nullable: true, metadata: {} },
    ],
  };
  const rows = [
    { ids: 'evt-000010', long: 'b'.repeat(80), mixed: 'zebra', numeric: 'b' },
    { ids: 'evt-000002', long: 'a'.repeat(70) + 'z', mixed: '\u00e9t\u00e9', numeric: '10' },
    { ids: null, long: 'c', mixed: '\u{1F600}', numeric: 'a' },
    { ids: '', long: null, mixed: '\uFF21', numeric: null },
  ];
  const table = rowsToArrow(rows, schema);
  const fast = computeStats(table, schema);
  // The same table without the noted bounds takes the byte-comparing path for every column.
  for (const child of table.batches[0]?.data.children ?? []) asciiBounds.delete(child);
  assert.equal(fast, computeStats(table, schema));
  assert.deepEqual(parseExact(fast).minValues, { ids: '', long: 'a'.repeat(32), mixed: 'zebra', numeric: '10' });
});
