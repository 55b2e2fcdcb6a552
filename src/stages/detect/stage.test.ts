// Tests of the detect stage: inference with widening, history versions, and the four evolution modes.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ErrorCodes, SluiceError } from '../../core/errors.ts';
import type { Batch, Row } from '../../core/record.ts';
import { typeToString } from '../../core/schema.ts';
import { detectConfig } from './config.ts';
import { DetectStage } from './stage.ts';

const root = mkdtempSync(join(tmpdir(), 'sluice-detect-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

async function open(config: unknown, dir = join(root, String(++n))): Promise<{ s: DetectStage; dir: string }> {
  return { s: await DetectStage.open('detect', detectConfig.parse(config), dir), dir };
}

const batch = (batchId: number, rows: Row[]): Batch => ({ batchId, rows, rejected: [], schema: null });
const shape = (b: Batch): string[] => (b.schema?.fields ?? []).map((f) => `${f.name}:${typeToString(f.type)}`);
const plain = (rows: Row[]): Row[] => rows.map((r) => Object.fromEntries(Object.entries(r)));

describe('the detect stage', () => {
  it('infers types with widening within the first batch and records version 0', async () => {
    const { s, dir } = await open({});
    const out = await s.process(batch(0, [
      { id: 1, amount: 1, at: '2024-01-01T00:00:00Z', day: '2024-01-01', tags: ['a'], dev: { os: 'x' }, odd: 1 },
      { id: 2, amount: 2.5, odd: 'one', none: null },
    ]));
    assert.deepEqual(shape(out), ['id:bigint', 'amount:double', 'at:timestamp', 'day:date', 'tags:array<string>', 'dev:struct<os:string>', 'odd:string', 'none:string']);
    assert.deepEqual(out.rows[1]?.odd, 'one');
    assert.equal(out.rows[0]?.odd, '1', 'a column widened to string keeps the number as its text');
    assert.deepEqual(readdirSync(join(dir, 'schemas')), ['0000000000.json']);
    assert.deepEqual(s.metrics().schemaVersion, 0);
  });

  it('adds new columns in addNewColumns mode, one history version per change, and keeps known types', async () => {
    const { s, dir } = await open({ mode: 'addNewColumns' });
    await s.process(batch(0, [{ id: 1 }]));
    const b1 = await s.process(batch(1, [{ id: 2, extra: 'x' }, { id: 3, dev: { os: 'y' } }]));
    assert.deepEqual(shape(b1), ['id:bigint', 'extra:string', 'dev:struct<os:string>']);
    assert.deepEqual(plain(b1.rows), [{ id: 2, extra: 'x', dev: null }, { id: 3, extra: null, dev: { os: 'y' } }]);
    assert.deepEqual(s.metrics().addedColumns, ['extra', 'dev']);
    const b2 = await s.process(batch(2, [{ id: 4, dev: { os: 'z', ver: 2 } }, { id: 'five' }]));
    assert.deepEqual(shape(b2), ['id:bigint', 'extra:string', 'dev:struct<os:string,ver:bigint>']);
    assert.deepEqual(b2.rejected.map((r) => [r.rule, r.message]), [['schema', 'does not fit schema version 2: id: expected bigint (-9223372036854775808 to 9223372036854775807), found "five"']]);
    await s.process(batch(3, [{ id: 6 }]));
    assert.deepEqual(readdirSync(join(dir, 'schemas')).length, 3);
    const again = await open({ mode: 'addNewColumns' }, dir);
    assert.deepEqual(shape(await again.s.process(batch(4, [{ id: 7 }]))), ['id:bigint', 'extra:string', 'dev:struct<os:string,ver:bigint>']);
  });

  it('puts unknown and mismatched fields into _rescued_data in rescue mode, schema unchanged', async () => {
    const { s, dir } = await open({ mode: 'rescue' });
    await s.process(batch(0, [{ id: 1, dev: { os: 'x' } }]));
    const out = await s.process(batch(1, [{ id: 2, extra: true }, { id: 'three' }, { id: 4, dev: { os: 'y', ver: 1 } }, { id: 5 }]));
    assert.deepEqual(shape(out), ['id:bigint', 'dev:struct<os:string>', '_rescued_data:string']);
    assert.deepEqual(plain(out.rows), [
      { id: 2, dev: null, _rescued_data: '{"extra":true}' },
      { id: null, dev: null, _rescued_data: '{"id":"three"}' },
      { id: 4, dev: { os: 'y' }, _rescued_data: '{"dev.ver":1}' },
      { id: 5, dev: null, _rescued_data: null },
    ]);
    assert.equal(s.metrics().rescuedRows, 3);
    assert.deepEqual(readdirSync(join(dir, 'schemas')), ['0000000000.json']);
  });

  it('stops naming the new columns in failOnNewColumns mode; a restart declaring them continues', async () => {
    const { s, dir } = await open({ mode: 'failOnNewColumns' });
    await s.process(batch(0, [{ id: 1 }]));
    await assert.rejects(s.process(batch(1, [{ id: 2, zeta: 1, alpha: 'a' }])), (e: unknown) => {
      assert.ok(e instanceof SluiceError);
      assert.equal(e.code, ErrorCodes.SCHEMA_CHANGED);
      assert.match(e.message, /new columns alpha, zeta \(mode failOnNewColumns\)/);
      return true;
    });
    const restarted = await open({ mode: 'failOnNewColumns', schema: 'alpha STRING, zeta BIGINT' }, dir);
    const out = await restarted.s.process(batch(1, [{ id: 2, zeta: 1, alpha: 'a' }]));
    assert.deepEqual(shape(out), ['id:bigint', 'alpha:string', 'zeta:bigint']);
    assert.deepEqual(plain(out.rows), [{ id: 2, alpha: 'a', zeta: 1 }]);
    assert.equal(restarted.s.metrics().schemaVersion, 1);
  });

  it('ignores new columns in none mode and seeds types from a declared schema', async () => {
    const { s } = await open({ mode: 'none', schema: 'id STRING' });
    const first = await s.process(batch(0, [{ id: '1', n: 2 }]));
    assert.deepEqual(shape(first), ['id:string', 'n:bigint']);
    const out = await s.process(batch(1, [{ id: '2', n: 3, later: 1 }]));
    assert.deepEqual(plain(out.rows), [{ id: '2', n: 3 }]);
    assert.equal(out.rejected.length, 0);
  });

  it('widens known columns across batches with widen_types, as a new version, instead of rejecting', async () => {
    const { s, dir } = await open({ mode: 'addNewColumns', widen_types: true });
    await s.process(batch(0, [{ id: 1, n: 1, t: '2024-01-01' }]));
    const out = await s.process(batch(1, [{ id: 2, n: 2.5, t: 'soon' }, { id: 3, n: 3, t: '2024-01-02' }]));
    assert.deepEqual(shape(out), ['id:bigint', 'n:double', 't:string']);
    assert.deepEqual(plain(out.rows), [{ id: 2, n: 2.5, t: 'soon' }, { id: 3, n: 3, t: '2024-01-02' }]);
    assert.equal(out.rejected.length, 0);
    assert.deepEqual(s.metrics().widenedColumns, ['n: bigint -> double', 't: date -> string']);
    assert.deepEqual(readdirSync(join(dir, 'schemas')).length, 2);
    const strict = await open({ mode: 'addNewColumns' });
    await strict.s.process(batch(0, [{ id: 1, n: 1 }]));
    assert.equal((await strict.s.process(batch(1, [{ id: 2, n: 2.5 }]))).rejected.length, 1);
  });
});
