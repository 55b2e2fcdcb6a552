// Every value that arrives is stored exactly: boundary values of every type go from JSON lines and CSV
// files through a pipeline into a Delta table, and DuckDB reading the table's Parquet files must return
// exactly what DuckDB returns reading the same input files with the same column types (both as text).
// The oracle is DuckDB, not our code. Also through schema inference (the detect stage) and through
// partition values, and values that do not fit their type go to the dead-letter queue, never rounded.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { parsePipelineText } from '../../src/plan/load.ts';
import { registry } from '../../src/builtins/index.ts';
import { loadSnapshot, resolveDataPath } from '../../src/connectors/delta/protocol/snapshot.ts';
import { silentLogger } from '../../src/core/logger.ts';
import type { DataType, StructType } from '../../src/core/schema.ts';
import { RejectedLog } from '../../src/engine/rejected.ts';
import { StreamingQuery } from '../../src/engine/query.ts';

const root = mkdtempSync(join(tmpdir(), 'sluice-torture-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** Column name, sluice DDL type, DuckDB type. TIMESTAMP is an instant: DuckDB's TIMESTAMPTZ (UTC). */
const COLUMNS: readonly (readonly [string, string, string])[] = [
  ['id', 'BIGINT NOT NULL', 'BIGINT'],
  ['b', 'BOOLEAN', 'BOOLEAN'],
  ['i8', 'TINYINT', 'TINYINT'],
  ['i16', 'SMALLINT', 'SMALLINT'],
  ['i32', 'INT', 'INTEGER'],
  ['i64', 'BIGINT', 'BIGINT'],
  ['f', 'FLOAT', 'FLOAT'],
  ['d', 'DOUBLE', 'DOUBLE'],
  ['dc', 'DECIMAL(38,10)', 'DECIMAL(38,10)'],
  ['dc2', 'DECIMAL(9,3)', 'DECIMAL(9,3)'],
  ['s', 'STRING', 'VARCHAR'],
  ['dt', 'DATE', 'DATE'],
  ['ts', 'TIMESTAMP', 'TIMESTAMPTZ'],
  ['ntz', 'TIMESTAMP_NTZ', 'TIMESTAMP'],
];
const NESTED: readonly (readonly [string, string, string])[] = [
  ['arr', 'ARRAY<BIGINT>', 'BIGINT[]'],
  ['st', 'STRUCT<t: TIMESTAMP, xs: ARRAY<STRUCT<c: DECIMAL(20,2), d: DATE>>>', 'STRUCT(t TIMESTAMPTZ, xs STRUCT(c DECIMAL(20,2), d DATE)[])'],
  ['m', 'MAP<STRING, BIGINT>', 'MAP(VARCHAR, BIGINT)'],
  ['deep', 'ARRAY<ARRAY<ARRAY<ARRAY<STRING>>>>', 'VARCHAR[][][][]'],
];

// JSON lines written as text, so that the numbers are exactly these digits. Decimals beyond 15 digits
// are quoted: DuckDB's JSON reader takes an unquoted number through a double, so it would be no oracle
// for them (sluice reads them exactly either way; see src/schema/values/json.test.ts).
const JSON_ROWS = [
  '{"id":1,"b":true,"i8":127,"i16":32767,"i32":2147483647,"i64":9223372036854775807,"f":3.4028235e38,"d":1.7976931348623157e308,"dc":"9999999999999999999999999999.9999999999","dc2":999999.999,"s":"NUL\\u0000 astral \\ud83d\\ude00 quote \\" backslash \\\\ newline \\n tab \\t","dt":"9999-12-31","ts":"9999-12-31T23:59:59.999999Z","ntz":"9999-12-31T23:59:59.999999","arr":[9223372036854775807,9007199254740993,-9007199254740993],"st":{"t":"9999-12-31T23:59:59.999999Z","xs":[{"c":"999999999999999999.99","d":"9999-12-31"}]},"m":{"max":9223372036854775807,"none":null},"deep":[[[["x","y"]]]]}',
  '{"id":2,"b":false,"i8":-128,"i16":-32768,"i32":-2147483648,"i64":-9223372036854775808,"f":-3.4028235e38,"d":-1.7976931348623157e308,"dc":"-9999999999999999999999999999.9999999999","dc2":-999999.999,"s":"","dt":"0001-01-01","ts":"0001-01-01T00:00:00Z","ntz":"0001-01-01T00:00:00","arr":[-9223372036854775808],"st":{"t":"0001-01-01T00:00:00Z","xs":[]},"m":{},"deep":[]}',
  '{"id":3,"i64":9007199254740993,"f":1.401298464324817e-45,"d":-0.0,"dc":"-0.0000000001","dc2":0.001,"s":"\\u00e9t\\u00e9 \\u4e2d\\u6587 \\ud800\\udc00","dt":"1970-01-01","ts":"1969-12-31T23:59:59.999999Z","ntz":"1969-12-31T23:59:59.999999","arr":[null,1],"st":{"t":null,"xs":[null,{"c":null,"d":null}]},"m":{"k":null},"deep":[null,[null,[null,[null,"z"]]]]}',
  '{"id":4,"i64":-9007199254740993,"f":0.1,"d":5e-324,"dc":"1234567890123456789012345678.1234567890","dc2":-0.5,"dt":"2024-02-29","ts":"2024-02-29T12:34:56.123456+05:30","ntz":"2024-02-29T12:34:56.123456","arr":[],"st":null,"m":null,"deep":null}',
  '{"id":5,"i64":"9223372036854775807","i32":"-5","d":2.2250738585072014e-308,"dc":0.1,"dt":"1900-02-28","ts":"2000-02-29T23:59:59.000001-08:00","ntz":"1900-01-01T00:00:00.5","s":"x"}',
  '{"id":6,"d":"NaN","f":"Infinity","dt":"1969-12-31","ts":"1900-01-01T00:00:00.000001Z","ntz":"2038-01-19T03:14:07.999999"}',
  '{"id":7,"d":"-Infinity","ts":"1583-10-15T00:00:00Z","dt":"1582-10-15"}',
  '{"id":8}',
];

const CSV_ROWS = [
  'id,b,i8,i16,i32,i64,f,d,dc,dc2,s,dt,ts,ntz',
  '1,true,127,32767,2147483647,9223372036854775807,3.4028235e38,1.7976931348623157e308,9999999999999999999999999999.9999999999,999999.999,"quote "" comma, astral \u{1F600}",9999-12-31,9999-12-31T23:59:59.999999Z,9999-12-31T23:59:59.999999',
  '2,false,-128,-32768,-2147483648,-9223372036854775808,-3.4028235e38,-1.7976931348623157e308,-9999999999999999999999999999.9999999999,-999999.999,plain,0001-01-01,0001-01-01T00:00:00Z,0001-01-01T00:00:00',
  '3,TRUE,0,0,0,9007199254740993,1.401298464324817e-45,-0.0,-0.0000000001,0.001,été,1970-01-01,1969-12-31T23:59:59.999999Z,1969-12-31T23:59:59.999999',
  '4,False,,,,-9007199254740993,0.1,5e-324,1234567890123456789012345678.1234567890,-0.5,,2024-02-29,2024-02-29T12:34:56.123456+05:30,2024-02-29 12:34:56.123456',
  '5,,,,,,NaN,Infinity,0.1,,"multi\nline",1900-02-28,2000-02-29 23:59:59.000001-08:00,1900-01-01 00:00:00.5',
  '6,,,,,,,-Infinity,,,,,,',
];

function ddl(cols: readonly (readonly [string, string, string])[]): string {
  return cols.map(([n, t]) => `${n} ${t}`).join(', ');
}

function duckColumns(cols: readonly (readonly [string, string, string])[]): string {
  return `{${cols.map(([n, , t]) => `${n}: '${t}'`).join(', ')}}`;
}

/** The DuckDB type of a sluice type, for inputs read with the schema sluice inferred. */
function duckType(t: DataType): string {
  if (typeof t === 'string') {
    const simple: Record<string, string> = {
      string: 'VARCHAR', long: 'BIGINT', integer: 'INTEGER', short: 'SMALLINT', byte: 'TINYINT', double: 'DOUBLE', float: 'FLOAT',
      boolean: 'BOOLEAN', binary: 'BLOB', date: 'DATE', timestamp: 'TIMESTAMPTZ', timestamp_ntz: 'TIMESTAMP',
    };
    return simple[t] ?? t.toUpperCase();
  }
  if (t.type === 'array') return `${duckType(t.elementType)}[]`;
  if (t.type === 'map') return `MAP(${duckType(t.keyType)}, ${duckType(t.valueType)})`;
  return `STRUCT(${t.fields.map((f) => `"${f.name}" ${duckType(f.type)}`).join(', ')})`;
}

async function duck<T>(fn: (q: (sql: string) => Promise<Record<string, unknown>[]>) => Promise<T>): Promise<T> {
  const inst = await DuckDBInstance.create(':memory:');
  const conn = await inst.connect();
  try {
    await conn.run("SET TimeZone='UTC'");
    return await fn(async (sql) => (await conn.runAndReadAll(sql)).getRowObjectsJson());
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
}

/** A SQL string literal; a NUL character, which SQL text cannot hold, is spliced in with chr(0). */
const quote = (s: string): string => `'${s.replace(/'/g, "''").replaceAll('\u0000', "' || chr(0) || '")}'`;
const asText = (names: readonly string[]): string => names.map((n) => `CAST("${n}" AS VARCHAR) AS "${n}"`).join(', ');

interface Table {
  readonly schema: StructType;
  readonly files: readonly { readonly path: string; readonly partitionValues: Readonly<Record<string, string | null>> }[];
}

async function table(path: string): Promise<Table> {
  const snap = await loadSnapshot(path);
  assert.ok(snap !== null, `a Delta table at ${path}`);
  return { schema: snap.schema, files: [...snap.files.values()].map((a) => ({ path: resolveDataPath(path, a.path), partitionValues: a.partitionValues })) };
}

/** The table's rows as DuckDB reads its Parquet files, every column cast to text, ordered by id.
 * Partition columns come from each file's partition values, cast by DuckDB to the column's type. */
async function tableAsText(path: string): Promise<Record<string, unknown>[]> {
  const t = await table(path);
  const names = t.schema.fields.map((f) => f.name);
  return duck(async (q) => {
    const parts = t.files.map((f) => {
      const cols = t.schema.fields.map((c) => {
        if (!(c.name in f.partitionValues)) return `"${c.name}"`;
        const v = f.partitionValues[c.name] ?? null;
        return `CAST(${v === null ? 'NULL' : quote(v)} AS ${duckType(c.type)}) AS "${c.name}"`;
      });
      return `SELECT ${cols.join(', ')} FROM read_parquet(${quote(f.path)})`;
    });
    return q(`SELECT ${asText(names)} FROM (${parts.join(' UNION ALL BY NAME ')}) ORDER BY id`);
  });
}

async function run(name: string, yaml: (landing: string, table: string, checkpoint: string) => string, files: Record<string, string>): Promise<{ table: string; checkpoint: string; landing: string }> {
  const dir = join(root, name);
  const landing = join(dir, 'landing');
  mkdirSync(landing, { recursive: true });
  for (const [f, text] of Object.entries(files)) writeFileSync(join(landing, f), text);
  const tablePath = join(dir, 'table');
  const checkpoint = join(dir, 'checkpoint');
  const plan = parsePipelineText(yaml(landing, tablePath, checkpoint), registry, { trigger: { kind: 'availableNow' } });
  const query = await StreamingQuery.start(plan, { logger: silentLogger });
  await query.awaitTermination();
  return { table: tablePath, checkpoint, landing };
}

const fileToDelta = (format: string, schema: string, extra = '') => (landing: string, tablePath: string, checkpoint: string): string => `
streaming:
  source: { type: file, config: { path: ${landing}, format: ${format}, schema: "${schema}"${format === 'csv' ? ", header: true, escape: '\"'" : ''} } }
  sink: { type: delta, config: { path: ${tablePath}, checkpoint.location: ${checkpoint}${extra} } }
`;

describe('values are stored exactly', () => {
  it('JSON lines with boundary values of every type reach the Delta table as DuckDB reads the same input', async () => {
    const cols = [...COLUMNS, ...NESTED];
    const r = await run('json', fileToDelta('json', ddl(cols)), { 'in.jsonl': JSON_ROWS.join('\n') + '\n' });
    assert.deepEqual(await new RejectedLog(r.checkpoint).readAll(), []);
    const expected = await duck((q) => q(`SELECT ${asText(cols.map((c) => c[0]))} FROM read_json(${quote(join(r.landing, 'in.jsonl'))}, format = 'newline_delimited', columns = ${duckColumns(cols)}) ORDER BY id`));
    assert.equal(expected.length, JSON_ROWS.length);
    assert.deepEqual(await tableAsText(r.table), expected);
  });

  it('CSV cells with boundary values of every type reach the Delta table as DuckDB reads the same input', async () => {
    const r = await run('csv', fileToDelta('csv', ddl(COLUMNS)), { 'in.csv': CSV_ROWS.join('\n') + '\n' });
    assert.deepEqual(await new RejectedLog(r.checkpoint).readAll(), []);
    const expected = await duck((q) => q(`SELECT ${asText(COLUMNS.map((c) => c[0]))} FROM read_csv(${quote(join(r.landing, 'in.csv'))}, header = true, columns = ${duckColumns(COLUMNS)}) ORDER BY id`));
    assert.equal(expected.length, CSV_ROWS.length - 1);
    assert.deepEqual(await tableAsText(r.table), expected);
  });

  it('partition values of every primitive type are written so that DuckDB reads back the input values', async () => {
    const partitionBy = ['b', 'i64', 'd', 's', 'dt', 'ts', 'ntz'];
    const cols = [...COLUMNS, ...NESTED];
    const r = await run('partitioned', fileToDelta('json', ddl(cols), `, partitionBy: [${partitionBy.join(', ')}]`), { 'in.jsonl': JSON_ROWS.join('\n') + '\n' });
    const t = await table(r.table);
    assert.ok(t.files.length >= JSON_ROWS.length - 1, 'one file per distinct partition');
    const expected = await duck((q) => q(`SELECT ${asText(cols.map((c) => c[0]))} FROM read_json(${quote(join(r.landing, 'in.jsonl'))}, format = 'newline_delimited', columns = ${duckColumns(cols)}) ORDER BY id`));
    assert.deepEqual(await tableAsText(r.table), expected);
  });

  it('through schema inference (parse and detect stages) the inferred types hold the input values exactly', async () => {
    // One type per column across rows, so that inference settles on the column's natural type.
    const rows = [
      '{"id":1,"i64":9223372036854775807,"d":1.7976931348623157e308,"big":12345678901234567.891,"dt":"0001-01-01","ts":"9999-12-31T23:59:59.999999Z","arr":[9007199254740993],"st":{"t":"2024-02-29T12:34:56.123456+05:30","n":-9223372036854775808}}',
      '{"id":2,"i64":-9007199254740993,"d":-0.0,"big":0.1,"dt":"2024-02-29","ts":"1969-12-31T23:59:59.999999Z","arr":[null],"st":{"t":null,"n":1}}',
      '{"id":3,"d":5e-324,"dt":"9999-12-31","ts":"0001-01-01T00:00:00Z","s":"\\ud83d\\ude00 \\u0000"}',
    ];
    const r = await run('detect', (landing, tablePath, checkpoint) => `
streaming:
  source: { type: file, config: { path: ${landing}, format: text } }
  processing:
    stages:
      - { type: parse, config: { format: json } }
      - { type: detect, config: { mode: addNewColumns } }
  sink: { type: delta, config: { path: ${tablePath}, checkpoint.location: ${checkpoint}, mergeSchema: true } }
`, { 'in.jsonl': rows.join('\n') + '\n' });
    const t = await table(r.table);
    const types = Object.fromEntries(t.schema.fields.map((f) => [f.name, duckType(f.type)]));
    assert.deepEqual(
      { id: types.id, i64: types.i64, d: types.d, big: types.big, dt: types.dt, ts: types.ts },
      { id: 'BIGINT', i64: 'BIGINT', d: 'DOUBLE', big: 'DOUBLE', dt: 'DATE', ts: 'TIMESTAMPTZ' },
    );
    const names = t.schema.fields.map((f) => f.name);
    const columns = `{${t.schema.fields.map((f) => `"${f.name}": '${duckType(f.type)}'`).join(', ')}}`;
    const expected = await duck((q) => q(`SELECT ${asText(names)} FROM read_json(${quote(join(r.landing, 'in.jsonl'))}, format = 'newline_delimited', columns = ${columns}) ORDER BY id`));
    assert.deepEqual(await tableAsText(r.table), expected);
  });

  it('a value that does not fit its type is a SCHEMA_VALIDATION dead letter naming the column and the value, never a wrapped or rounded value', async () => {
    const bad = [
      '{"id":1,"i64":9223372036854775808}',
      '{"id":2,"i8":128}',
      '{"id":3,"dt":"10000-01-01"}',
      '{"id":4,"ts":"9999-12-31T23:59:59-01:00"}',
      '{"id":5,"dc2":1.0005}',
      '{"id":6,"f":1e39}',
      '{"id":7,"arr":[1,9223372036854775808]}',
      '{"id":8,"i32":2.5}',
      '{"id":9,"dt":"2023-02-29"}',
      '{"id":10,"i64":1}',
    ];
    const r = await run('bad', fileToDelta('json', ddl([...COLUMNS, ...NESTED])), { 'in.jsonl': bad.join('\n') + '\n' });
    const dead = await new RejectedLog(r.checkpoint).readAll();
    assert.deepEqual(dead.map((e) => [e.errorType, e.origin.line, e.message]), [
      ['SCHEMA_VALIDATION', 1, 'i64: expected bigint (-9223372036854775808 to 9223372036854775807), found 9223372036854775808'],
      ['SCHEMA_VALIDATION', 2, 'i8: expected tinyint (-128 to 127), found 128'],
      ['SCHEMA_VALIDATION', 3, 'dt: expected date (YYYY-MM-DD, years 0001-9999), found "10000-01-01"'],
      ['SCHEMA_VALIDATION', 4, 'ts: expected timestamp (ISO-8601, years 0001-9999), found "9999-12-31T23:59:59-01:00"'],
      ['SCHEMA_VALIDATION', 5, 'dc2: expected decimal(9,3) (at most 6 integer and 3 fraction digits), found 1.0005'],
      ['SCHEMA_VALIDATION', 6, 'f: expected float (within ±3.4028235E38), found 1e+39'],
      ['SCHEMA_VALIDATION', 7, 'arr[1]: expected bigint (-9223372036854775808 to 9223372036854775807), found 9223372036854775808'],
      ['SCHEMA_VALIDATION', 8, 'i32: expected int (-2147483648 to 2147483647), found 2.5'],
      ['SCHEMA_VALIDATION', 9, 'dt: expected date (YYYY-MM-DD, years 0001-9999), found "2023-02-29"'],
    ]);
    assert.deepEqual(dead.map((e) => e.payload?.startsWith(`{"id":${e.origin.line ?? 0},`)), dead.map(() => true), 'the payload keeps the input digits');
    assert.equal(dead[0]?.payload, '{"id":1,"i64":9223372036854775808}');
    const rows = await tableAsText(r.table);
    assert.deepEqual(rows.map((x) => [x.id, x.i64]), [['10', '1']]);
  });
});
