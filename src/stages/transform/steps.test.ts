// The transform stage's declarative steps, each through the stage itself on real rows and schemas.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { ConfigError } from '../../core/errors.ts';
import { ORIGIN, originOf, withOrigin, type Batch, type Row } from '../../core/record.ts';
import { field, struct, typeToString, type StructType } from '../../core/schema.ts';
import { parseDdl } from '../../schema/ddl.ts';
import { daysFromCivil, parseTimestamp } from '../../schema/values/index.ts';
import { validate } from '../../config/problems.ts';
import { TransformConfigSchema } from './config.ts';
import { TransformStage } from './index.ts';

const us = (iso: string): bigint => parseTimestamp(iso) ?? 0n;

async function stage(steps: unknown[]): Promise<TransformStage> {
  return TransformStage.create('t', TransformConfigSchema.parse({ steps }));
}

function batch(rows: Row[], schema: StructType | null): Batch {
  return { batchId: 7, rows, rejected: [], schema };
}

async function run(steps: unknown[], rows: Row[], schema: StructType | null): Promise<Batch> {
  return (await stage(steps)).process(batch(rows, schema));
}

const S = parseDdl('id BIGINT, name STRING, amount DOUBLE, country STRING');
const rows = (): Row[] => [
  { id: 1, name: 'Ada', amount: 12.5, country: 'DE' },
  { id: 2, name: null, amount: 3, country: 'FR' },
  { id: 3, name: 'Bo', amount: null, country: 'US' },
];

describe('transform steps', () => {
  it('select keeps the named columns in order, resolving names case-insensitively', async () => {
    const out = await run([{ select: ['COUNTRY', 'id'] }], rows(), S);
    assert.deepEqual(out.rows[0], { country: 'DE', id: 1 });
    assert.deepEqual(out.schema?.fields.map((f) => f.name), ['country', 'id']);
  });

  it('rename changes column names and keeps their types and positions', async () => {
    const out = await run([{ rename: { name: 'customer' } }], rows(), S);
    assert.deepEqual(Object.keys(out.rows[0] ?? {}), ['id', 'customer', 'amount', 'country']);
    assert.deepEqual(out.schema?.fields.map((f) => `${f.name}:${typeToString(f.type)}`), ['id:bigint', 'customer:string', 'amount:double', 'country:string']);
  });

  it('drop removes columns and ignores ones that do not exist, as Spark does', async () => {
    const out = await run([{ drop: ['amount', 'nope'] }], rows(), S);
    assert.deepEqual(out.rows[1], { id: 2, name: null, country: 'FR' });
    assert.deepEqual(out.schema?.fields.map((f) => f.name), ['id', 'name', 'country']);
  });

  it('cast converts values with Spark rules and changes the schema type; invalid values become NULL', async () => {
    const s = parseDdl('a STRING, b STRING');
    const out = await run([{ cast: { a: 'int', b: 'decimal(5,1)' } }], [{ a: '12.9', b: '1.25' }, { a: 'x', b: null }], s);
    assert.deepEqual(out.rows, [{ a: 12, b: '1.3' }, { a: null, b: null }]);
    assert.deepEqual(out.schema?.fields.map((f) => f.type), ['integer', 'decimal(5,1)']);
    // Timestamps, dates and decimals come out in the value model's forms.
    const t = await run([{ cast: { a: 'timestamp', b: 'date', c: 'string', d: 'bigint' } }], [{ a: '1969-12-31 23:59:59.999999', b: '0001-01-01', c: -1n, d: 1n }], parseDdl('a STRING, b STRING, c TIMESTAMP, d TIMESTAMP'));
    assert.deepEqual(t.rows, [{ a: -1n, b: daysFromCivil(1, 1, 1), c: '1969-12-31 23:59:59.999999', d: 0 }]);
  });

  it('filter keeps only rows where the condition is TRUE (NULL drops) and counts the rest', async () => {
    const st = await stage([{ filter: 'amount > 5 OR country = \'US\'' }]);
    const out = await st.process(batch(rows(), S));
    assert.deepEqual(out.rows.map((r) => r.id), [1, 3]);
    const none = await run([{ filter: 'amount > 5' }], rows(), S);
    assert.deepEqual(none.rows.map((r) => r.id), [1]);
    assert.equal(st.metrics().rows_filtered, 1);
  });

  it('with_column adds a typed column and replaces an existing one whatever its case', async () => {
    const out = await run([{ with_column: { name: 'gross', expr: 'round(amount * 1.19, 2)' } }, { with_column: { name: 'Name', expr: 'upper(name)' } }], rows(), S);
    assert.deepEqual(out.rows[0], { id: 1, name: 'ADA', amount: 12.5, country: 'DE', gross: 14.88 });
    assert.deepEqual(out.schema?.fields.map((f) => `${f.name}:${typeToString(f.type)}`), ['id:bigint', 'name:string', 'amount:double', 'country:string', 'gross:double']);
  });

  it('with_column of an expression of unknown type takes its type from the data', async () => {
    const out = await run([{ with_column: { name: 'n', expr: 'NULL' } }, { with_column: { name: 'k', expr: 'coalesce(NULL, id)' } }], rows(), S);
    assert.equal(out.schema?.fields.find((f) => f.name === 'n')?.type, 'string');
    assert.equal(out.schema?.fields.find((f) => f.name === 'k')?.type, 'long');
  });

  it('flatten turns nested structs into parent_child columns, with and without a schema', async () => {
    const s = parseDdl('id BIGINT, device STRUCT<os: STRING, app: STRUCT<v: STRING, build: INT>>, tags ARRAY<STRING>');
    const r = { id: 1, device: { os: 'ios', app: { v: '1.2', build: 7 } }, tags: ['a'] };
    const out = await run([{ flatten: {} }], [r, { id: 2, device: null, tags: [] }], s);
    assert.deepEqual(out.rows[0], { id: 1, device_os: 'ios', device_app_v: '1.2', device_app_build: 7, tags: ['a'] });
    assert.deepEqual(out.rows[1], { id: 2, device_os: null, device_app_v: null, device_app_build: null, tags: [] });
    assert.deepEqual(out.schema?.fields.map((f) => `${f.name}:${f.nullable}`), ['id:true', 'device_os:true', 'device_app_v:true', 'device_app_build:true', 'tags:true']);
    const dyn = await run([{ flatten: { separator: '.' } }], [r], null);
    assert.deepEqual(dyn.rows[0], { id: 1, 'device.os': 'ios', 'device.app.v': '1.2', 'device.app.build': 7, tags: ['a'] });
    assert.equal(dyn.schema, null);
  });

  it('explode gives one row per element, with position, and outer keeps empty arrays', async () => {
    const s = parseDdl('id BIGINT, tags ARRAY<STRING>');
    const input = [{ id: 1, tags: ['a', 'b'] }, { id: 2, tags: [] }, { id: 3, tags: null }];
    const inner = await run([{ explode: { column: 'tags', as: 'tag', position: 'pos' } }], input, s);
    assert.deepEqual(inner.rows, [{ id: 1, pos: 0, tag: 'a' }, { id: 1, pos: 1, tag: 'b' }]);
    assert.deepEqual(Object.keys(inner.rows[0] ?? {}), ['id', 'pos', 'tag']);
    assert.deepEqual(inner.schema?.fields.map((f) => `${f.name}:${typeToString(f.type)}`), ['id:bigint', 'pos:int', 'tag:string']);
    const outer = await run([{ explode: { column: 'tags', outer: true } }], input, s);
    assert.deepEqual(outer.rows, [{ id: 1, tags: 'a' }, { id: 1, tags: 'b' }, { id: 2, tags: null }, { id: 3, tags: null }]);
  });

  it('fill_null replaces NULL with defaults converted to the column type and marks the column not null', async () => {
    const out = await run([{ fill_null: { amount: '0', name: 'unknown' } }], rows(), S);
    assert.deepEqual(out.rows.map((r) => [r.name, r.amount]), [['Ada', 12.5], ['unknown', 3], ['Bo', 0]]);
    assert.equal(out.schema?.fields.find((f) => f.name === 'amount')?.nullable, false);
    await assert.rejects(stage([{ fill_null: { amount: 'zero' } }]).then((st) => st.process(batch(rows(), S))), /does not convert to its type double/);
    // Defaults for timestamps, dates and decimals take the value model's forms.
    const t = await run([{ fill_null: { ts: '1970-01-01 00:00:00.000001', d: '2024-02-29', price: 1.5 } }], [{ ts: null, d: null, price: null }], parseDdl('ts TIMESTAMP, d DATE, price DECIMAL(10,2)'));
    assert.deepEqual(t.rows, [{ ts: 1n, d: daysFromCivil(2024, 2, 29), price: '1.50' }]);
  });

  it('hash and mask read timestamps, dates and decimals in their string form', async () => {
    const out = await run([{ mask: { columns: ['ts', 'd', 'price'], keep_first: 4 } }], [{ ts: us('2024-02-29T10:00:00.5Z'), d: daysFromCivil(1, 1, 1), price: '-0.50' }], parseDdl('ts TIMESTAMP, d DATE, price DECIMAL(10,2)'));
    assert.deepEqual(out.rows, [{ ts: '2024*****************', d: '0001******', price: '-0.5*' }]);
  });

  it('hash replaces values with a salted hex digest, equal for equal inputs, NULL kept', async () => {
    const out = await run([{ hash: { columns: ['name', 'id'], salt: 'pepper' } }], [{ id: 1, name: 'Ada' }, { id: 1, name: 'Ada' }, { id: 2, name: null }], parseDdl('id BIGINT, name STRING'));
    const [a, b, c] = out.rows;
    assert.match(String(a?.name), /^[0-9a-f]{64}$/);
    assert.equal(a?.name, b?.name);
    assert.equal(a?.id, b?.id);
    assert.notEqual(a?.id, c?.id);
    assert.equal(c?.name, null);
    assert.equal(out.schema?.fields[0]?.type, 'string');
    const md5 = await run([{ hash: { columns: ['name'], algorithm: 'md5' } }], [{ name: 'abc' }], null);
    assert.equal(md5.rows[0]?.name, '900150983cd24fb0d6963f7d28e17f72');
  });

  it('mask hides characters and keeps the requested ends, masking a value no longer than the ends whole', async () => {
    const out = await run([{ mask: { columns: ['card', 'pin'], keep_last: 4, char: '#' } }], [{ card: '4111111111111111', pin: '12' }, { card: null, pin: '12345' }], null);
    assert.deepEqual(out.rows, [{ card: '############1111', pin: '##' }, { card: null, pin: '#2345' }]);
    const emoji = await run([{ mask: { columns: ['e'], keep_last: 1 } }], [{ e: 'a😀b' }], null);
    assert.equal(emoji.rows[0]?.e, '**b');
    const first = await run([{ mask: { columns: ['e'], keep_first: 1 } }], [{ e: 'jane@x.io' }], null);
    assert.equal(first.rows[0]?.e, 'j********');
  });

  it('parse_timestamp reads ISO text by default or a Spark pattern; invalid text is NULL or goes to the DLQ', async () => {
    const s = parseDdl('t STRING, u STRING');
    const out = await run([{ parse_timestamp: { column: 't' } }, { parse_timestamp: { column: 'u', format: 'dd/MM/yyyy HH:mm', as: 'u_ts' } }], [{ t: '2024-03-01T10:00:00Z', u: '05/03/2024 08:30' }, { t: 'garbage', u: null }], s);
    assert.equal(out.rows[0]?.t, us('2024-03-01T10:00:00Z'));
    assert.equal(out.rows[0]?.u_ts, us('2024-03-05T08:30:00Z'));
    assert.equal(out.rows[1]?.t, null);
    assert.deepEqual(out.schema?.fields.map((f) => `${f.name}:${typeToString(f.type)}`), ['t:timestamp', 'u:string', 'u_ts:timestamp']);
    const strict = await run([{ parse_timestamp: { column: 't', on_invalid: 'dlq' } }], [withOrigin({ t: 'garbage' }, { file: 'in.jsonl', line: 4 })], s);
    assert.equal(strict.rows.length, 0);
    assert.equal(strict.rejected[0]?.errorType, 'PROCESSING');
    assert.equal(strict.rejected[0]?.rule, 'steps[0].parse_timestamp');
    assert.match(strict.rejected[0]?.message ?? '', /cannot parse "garbage"/);
    assert.deepEqual(strict.rejected[0]?.origin, { file: 'in.jsonl', line: 4 });
  });

  it('parse_timestamp keeps microseconds and years 0001-9999, and reads numbers as epoch seconds', async () => {
    const s = parseDdl('t STRING, n BIGINT, d DATE');
    const rows0 = [
      { t: '0001-01-01 00:00:00.000001', n: -1, d: daysFromCivil(2024, 2, 29) },
      { t: '9999-12-31T23:59:59.999999Z', n: 1, d: null },
      { t: '10000-01-01', n: null, d: null },
    ];
    const out = await run([{ parse_timestamp: { column: 't' } }, { parse_timestamp: { column: 'n' } }, { parse_timestamp: { column: 'd' } }], rows0, s);
    assert.deepEqual(out.rows.map((r) => [r.t, r.n, r.d]), [
      [us('0001-01-01T00:00:00.000001Z'), -1_000_000n, us('2024-02-29T00:00:00Z')],
      [253402300799999999n, 1_000_000n, null],
      [null, null, null],
    ]);
    const pattern = await run([{ parse_timestamp: { column: 't', format: 'dd.MM.yyyy HH:mm:ss.SSSSSS' } }], [{ t: '29.02.1960 12:00:00.000500' }], parseDdl('t STRING'));
    assert.equal(pattern.rows[0]?.t, us('1960-02-29T12:00:00.0005Z'));
  });

  it('format_timestamp renders timestamps with a Spark pattern, to the microsecond', async () => {
    const s = struct([field('t', 'timestamp')]);
    const out = await run([{ format_timestamp: { column: 't', format: 'yyyy-MM-dd HH:mm', as: 'day' } }], [{ t: us('2024-03-01T10:05:00Z') }, { t: null }], s);
    assert.deepEqual(out.rows.map((r) => r.day), ['2024-03-01 10:05', null]);
    assert.equal(out.schema?.fields[1]?.type, 'string');
    const fine = await run([{ format_timestamp: { column: 't', format: 'yyyy-MM-dd HH:mm:ss.SSSSSS' } }], [{ t: -1n }, { t: us('0001-01-01T00:00:00Z') }], s);
    assert.deepEqual(fine.rows.map((r) => r.t), ['1969-12-31 23:59:59.999999', '0001-01-01 00:00:00.000000']);
    // Without a schema, text is read as a timestamp first.
    const text = await run([{ format_timestamp: { column: 't', format: 'yyyy/MM/dd' } }], [{ t: '2024-02-29 10:00' }], null);
    assert.equal(text.rows[0]?.t, '2024/02/29');
  });

  it('steps chain in order and keep each record origin', async () => {
    const input = [withOrigin({ id: 1, tags: ['x', 'y'], amount: 2 }, { topic: 't', partition: 0, offset: '5' })];
    const out = await run([{ explode: { column: 'tags' } }, { select: ['id', 'tags'] }, { with_column: { name: 'k', expr: "concat(tags, '!')" } }], input, null);
    assert.deepEqual(out.rows.map((r) => Object.fromEntries(Object.entries(r))), [{ id: 1, tags: 'x', k: 'x!' }, { id: 1, tags: 'y', k: 'y!' }]);
    for (const r of out.rows) assert.deepEqual(originOf(r), { topic: 't', partition: 0, offset: '5' });
    assert.equal(Object.getOwnPropertySymbols(out.rows[0] ?? {}).includes(ORIGIN), true);
  });

  it('sends a row whose condition cannot be evaluated to the DLQ and keeps going', async () => {
    const out = await run([{ filter: 'name RLIKE pattern' }], [{ name: 'ab', pattern: 'a.' }, withOrigin({ name: 'ab', pattern: '(' }, { file: 'f', line: 2 }), { name: 'x', pattern: 'a' }], null);
    assert.deepEqual(out.rows.map((r) => r.name), ['ab']);
    assert.equal(out.rejected.length, 1);
    assert.equal(out.rejected[0]?.rule, 'steps[0].filter');
    assert.deepEqual(out.rejected[0]?.origin, { file: 'f', line: 2 });
    assert.deepEqual(JSON.parse(out.rejected[0]?.payload ?? 'null'), { name: 'ab', pattern: '(' });
  });

  it('takes back the rows an explode passed on when a later step fails on one of them', async () => {
    const st = await stage([{ explode: { column: 'xs' } }, { filter: "xs <> 'skip'" }, { parse_timestamp: { column: 'xs', on_invalid: 'dlq' } }]);
    const out = await st.process(batch([{ id: 1, xs: ['2024-01-01', 'skip', 'oops'] }, { id: 2, xs: ['2024-02-01'] }], null));
    assert.deepEqual(out.rows, [{ id: 2, xs: us('2024-02-01T00:00:00Z') }]);
    assert.equal(out.rejected.length, 1);
    assert.equal((JSON.parse(out.rejected[0]?.payload ?? 'null') as Row).id, 1);
    assert.deepEqual(st.metrics(), { rows_in: 2, rows_out: 1, rows_filtered: 0, rows_rejected: 1 });
  });

  it('keeps rejected records from earlier stages and batch fields such as txns', async () => {
    const st = await stage([{ filter: 'id > 1' }]);
    const earlier = { errorType: 'SCHEMA_VALIDATION' as const, stage: 'v', message: 'm', payload: 'p', origin: {} };
    const out = await st.process({ batchId: 1, rows: rows(), rejected: [earlier], schema: S, markers: [{ appId: 'a', version: 3 }] });
    assert.deepEqual(out.rejected, [earlier]);
    assert.deepEqual(out.markers, [{ appId: 'a', version: 3 }]);
  });

  it('reports rows in, out, filtered and rejected for the last batch', async () => {
    const st = await stage([{ filter: 'id < 3' }, { explode: { column: 'xs' } }]);
    await st.process(batch([{ id: 1, xs: [1, 2] }, { id: 2, xs: 'oops' }, { id: 3, xs: [1] }], null));
    assert.deepEqual(st.metrics(), { rows_in: 3, rows_out: 2, rows_filtered: 1, rows_rejected: 1 });
  });

  it('tells its output schema before running when it has no function steps', async () => {
    const st = await stage([{ select: ['id', 'amount'] }, { cast: { amount: 'string' } }]);
    assert.deepEqual(st.outputSchema(S)?.fields.map((f) => `${f.name}:${typeToString(f.type)}`), ['id:bigint', 'amount:string']);
  });
});

describe('transform configuration errors', () => {
  it('a syntax error is a config problem when the configuration is loaded, naming the step, the expression and the position', () => {
    const r = validate(TransformConfigSchema, { steps: [{ drop: ['x'] }, { filter: 'amount > > 3' }, { with_column: { name: 'y', expr: 'upper(a, b)' } }, { filter: 'length(name) + 1' }] }, 'streaming.processing.stages[0].config');
    assert.equal(r.ok, false);
    const problems = r.ok ? [] : r.problems;
    assert.deepEqual(problems.map((p) => p.path), ['streaming.processing.stages[0].config.steps[1].filter', 'streaming.processing.stages[0].config.steps[2].with_column.expr', 'streaming.processing.stages[0].config.steps[3].filter']);
    assert.match(problems[0]?.message ?? '', /position \d+ of expression "amount > > 3"/);
    assert.match(problems[1]?.message ?? '', /upper takes 1 argument but was given 2 at position 1/);
    assert.match(problems[2]?.message ?? '', /a condition must be boolean/);
  });

  it('an unknown column fails as soon as the input schema is known, with the list of columns', async () => {
    const st = await stage([{ with_column: { name: 'x', expr: 'amout * 2' } }]);
    await assert.rejects(async () => st.process(batch(rows(), S)), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /stage t: steps\[0\]\.with_column.*unknown column "amout" at position 1 of expression "amout \* 2"/s);
      assert.match(err.message, /id, name, amount, country/);
      return true;
    });
  });

  it('unknown columns in select, rename, cast and explode of a non-array are config errors naming the step', async () => {
    for (const [steps, re] of [
      [[{ select: ['id', 'nope'] }], /steps\[0\]\.select: unknown column "nope"/],
      [[{ rename: { nope: 'x' } }], /steps\[0\]\.rename: unknown column "nope"/],
      [[{ cast: { id: 'integr' } }], /steps\[0\]\.cast: unknown type "integr"/],
      [[{ explode: { column: 'name' } }], /steps\[0\]\.explode: column "name" is string, not an array/],
      [[{ rename: { name: 'id' } }], /two columns named "id"/],
    ] as const) {
      await assert.rejects(async () => (await stage([...steps])).process(batch(rows(), S)), re);
    }
  });

  it('a step with no key, two keys or an unknown key is refused by the config schema', () => {
    assert.equal(TransformConfigSchema.safeParse({ steps: [{}] }).success, false);
    assert.equal(TransformConfigSchema.safeParse({ steps: [{ filter: 'a', drop: ['b'] }] }).success, false);
    assert.equal(TransformConfigSchema.safeParse({ steps: [{ filtr: 'a' }] }).success, false);
    assert.equal(TransformConfigSchema.safeParse({ steps: [] }).success, false);
  });
});

describe('transform metrics', () => {
  it('add up slices of one batch and start again with the next batch', async () => {
    const st = await stage([{ filter: 'id > 1' }]);
    await st.process({ batchId: 4, rows: rows().slice(0, 2), rejected: [], schema: S });
    await st.process({ batchId: 4, rows: rows().slice(2), rejected: [], schema: S });
    assert.deepEqual(st.metrics(), { rows_in: 3, rows_out: 2, rows_filtered: 1, rows_rejected: 0 });
    await st.process({ batchId: 5, rows: rows().slice(2), rejected: [], schema: S });
    assert.deepEqual(st.metrics(), { rows_in: 1, rows_out: 1, rows_filtered: 0, rows_rejected: 0 });
  });
});
