// `function` steps: user modules in JavaScript and TypeScript, loaded from disk and run on real batches.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError, ErrorCodes, SluiceError } from '../../core/errors.ts';
import { withOrigin, type Row } from '../../core/record.ts';
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

const S = parseDdl('id BIGINT, country STRING');
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

  it('refuse a missing module or export when the stage is created', async () => {
    await assert.rejects(stage([{ function: { module: 'nope.ts' } }]), (err: unknown) => err instanceof ConfigError && /module not found/.test(err.message));
    await assert.rejects(stage([{ function: { module: 'picky.mjs', export: 'absent' } }]), (err: unknown) => err instanceof ConfigError && /no exported function "absent"; expected one of broken, default, rejects/.test(err.message));
  });
});
