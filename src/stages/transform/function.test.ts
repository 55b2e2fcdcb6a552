// `function` steps: user modules in JavaScript and TypeScript, loaded from disk and run on real batches.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError, ErrorCodes, SluiceError } from '../../core/errors.ts';
import { originOf, withOrigin, type Row } from '../../core/record.ts';
import { typeToString } from '../../core/schema.ts';
import { parseDdl } from '../../schema/ddl.ts';
import { TransformConfigSchema } from './config.ts';
import { TransformStage } from './index.ts';

const dir = mkdtempSync(join(tmpdir(), 'sluice-transform-fn-'));
after(() => rmSync(dir, { recursive: true, force: true }));

writeFileSync(
  join(dir, 'enrich.ts'),
  `import type { Batch, Row } from '${join(process.cwd(), 'src/core/record.ts')}';
export async function enrich(batch: Batch): Promise<Row[]> {
  await new Promise((r) => setImmediate(r));
  return batch.rows.map((r) => ({ ...r, region: r.country === 'DE' ? 'EU' : 'other' }));
}
`,
);
writeFileSync(
  join(dir, 'picky.mjs'),
  `export default function picky(batch) {
  for (const r of batch.rows) if (r.id === 2) throw new Error('id 2 is not allowed');
  return { ...batch, rows: batch.rows.map((r) => ({ ...r, seen: true })) };
}
export function broken() { return 42; }
export function rejects(batch) {
  return { ...batch, rows: batch.rows.slice(1), rejected: [{ errorType: 'PROCESSING', stage: 'user', message: 'first row refused', payload: null, origin: {} }] };
}
`,
);

writeFileSync(
  join(dir, 'times.mjs'),
  `// Sees value-model rows: ts is microseconds (bigint), day a day number, price decimal text.
export function seen(batch) {
  return batch.rows.map((r) => ({ ...r, kinds: [typeof r.ts, typeof r.day, typeof r.price].join(',') }));
}
export function asJs(batch) {
  return batch.rows.map((r) => ({ ...r, ts: new Date(Number(r.ts / 1000n)), day: '2024-02-29', price: 1.5, at: new Date(0) }));
}
export function overflow(batch) {
  return batch.rows.map((r) => ({ ...r, price: r.id === 2 ? '123456789.123' : r.price, day: r.id === 3 ? '10000-01-01' : r.day }));
}
`,
);

const S = parseDdl('id BIGINT, country STRING');
const T = parseDdl('id BIGINT, ts TIMESTAMP, day DATE, price DECIMAL(10,2)');
const timeRows = (): Row[] => [1, 2, 3].map((id) => withOrigin({ id, ts: 1709287200123456n, day: 19782, price: '12.50' }, { file: 't', line: id }));
const rows = (): Row[] => [withOrigin({ id: 1, country: 'DE' }, { file: 'a', line: 1 }), withOrigin({ id: 2, country: 'FR' }, { file: 'a', line: 2 }), { id: 3, country: 'US' }];

async function stage(steps: unknown[]): Promise<TransformStage> {
  return TransformStage.create('fn', TransformConfigSchema.parse({ steps }), dir);
}

describe('function steps', () => {
  it('load a TypeScript module relative to the working directory and run its async export', async () => {
    const st = await stage([{ function: { module: './enrich.ts', export: 'enrich' } }, { filter: "region = 'EU'" }]);
    const out = await st.process({ batchId: 0, rows: rows(), rejected: [], schema: S });
    assert.deepEqual(out.rows.map((r) => [r.id, r.region]), [[1, 'EU']]);
    assert.deepEqual(out.schema?.fields.map((f) => `${f.name}:${typeToString(f.type)}`), ['id:bigint', 'country:string', 'region:string']);
  });

  it('send only the records a throwing function fails on to the DLQ, with their origin, and pass the rest', async () => {
    const st = await stage([{ function: { module: 'picky.mjs' } }]);
    const out = await st.process({ batchId: 0, rows: rows(), rejected: [], schema: S });
    assert.deepEqual(out.rows.map((r) => [r.id, r.seen]), [[1, true], [3, true]]);
    assert.equal(out.rejected.length, 1);
    const r = out.rejected[0];
    assert.equal(r?.errorType, 'PROCESSING');
    assert.equal(r?.stage, 'fn');
    assert.equal(r?.rule, 'steps[0].function');
    assert.equal(r?.message, 'id 2 is not allowed');
    assert.deepEqual(r?.origin, { file: 'a', line: 2 });
    assert.deepEqual(JSON.parse(r?.payload ?? ''), { id: 2, country: 'FR' });
  });

  it('keep the records a function rejects itself', async () => {
    const out = await (await stage([{ function: { module: 'picky.mjs', export: 'rejects' } }])).process({ batchId: 0, rows: rows(), rejected: [], schema: S });
    assert.equal(out.rows.length, 2);
    assert.deepEqual(out.rejected.map((r) => r.message), ['first row refused']);
  });

  it('fail the batch when a function returns neither a batch nor rows', async () => {
    const st = await stage([{ function: { module: 'picky.mjs', export: 'broken' } }]);
    await assert.rejects(async () => st.process({ batchId: 0, rows: rows(), rejected: [], schema: S }), (err: unknown) => err instanceof SluiceError && err.code === ErrorCodes.STAGE_FAILED && /returned number/.test(err.message));
  });

  it('hand rows to the function in the value model: bigint microseconds, day numbers and decimal text', async () => {
    const out = await (await stage([{ function: { module: 'times.mjs', export: 'seen' } }])).process({ batchId: 0, rows: timeRows(), rejected: [], schema: T });
    assert.deepEqual(out.rows.map((r) => r.kinds), ['bigint,number,string', 'bigint,number,string', 'bigint,number,string']);
    assert.equal(out.rows[0]?.ts, 1709287200123456n);
  });

  it('convert a Date, ISO text or a number the function returns to its column type', async () => {
    const out = await (await stage([{ function: { module: 'times.mjs', export: 'asJs' } }])).process({ batchId: 0, rows: timeRows(), rejected: [], schema: T });
    assert.equal(out.rejected.length, 0);
    assert.deepEqual(out.rows.map((r) => [r.ts, r.day, r.price, r.at]), [1, 2, 3].map(() => [1709287200123000n, 19782, '1.50', 0n]));
    assert.deepEqual(out.schema?.fields.map((f) => `${f.name}:${typeToString(f.type)}`), ['id:bigint', 'ts:timestamp', 'day:date', 'price:decimal(10,2)', 'at:timestamp']);
    assert.deepEqual(originOf(out.rows[1] as Row), { file: 't', line: 2 });
  });

  it('send a returned row whose value does not fit its column to the DLQ as a schema violation naming it', async () => {
    const out = await (await stage([{ function: { module: 'times.mjs', export: 'overflow' } }])).process({ batchId: 0, rows: timeRows(), rejected: [], schema: T });
    assert.deepEqual(out.rows.map((r) => r.id), [1]);
    assert.deepEqual(out.rejected.map((r) => [r.errorType, r.rule, r.origin]), [['SCHEMA_VALIDATION', 'steps[0].function', { file: 't', line: 2 }], ['SCHEMA_VALIDATION', 'steps[0].function', { file: 't', line: 3 }]]);
    assert.match(out.rejected[0]?.message ?? '', /price: expected decimal\(10,2\).*123456789\.123/);
    assert.match(out.rejected[1]?.message ?? '', /day: expected date.*10000-01-01/);
  });

  it('refuse a missing module or export when the stage is created', async () => {
    await assert.rejects(stage([{ function: { module: 'nope.ts' } }]), (err: unknown) => err instanceof ConfigError && /module not found/.test(err.message));
    await assert.rejects(stage([{ function: { module: 'picky.mjs', export: 'absent' } }]), (err: unknown) => err instanceof ConfigError && /no exported function "absent"; expected one of broken, default, rejects/.test(err.message));
  });
});
