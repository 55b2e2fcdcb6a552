// Tests of the detect stage with column names that differ only by case, and with names every
// object inherits: one column per name regardless of case, values kept, clashes to the DLQ.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Batch, Row } from '../../core/record.ts';
import { typeToString } from '../../core/schema.ts';
import { detectConfig } from './config.ts';
import { DetectStage } from './stage.ts';

const root = mkdtempSync(join(tmpdir(), 'sluice-detect-case-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

const open = (config: unknown): Promise<DetectStage> => DetectStage.open('detect', detectConfig.parse(config), join(root, String(++n)));
const batch = (batchId: number, rows: Row[]): Batch => ({ batchId, rows, rejected: [], schema: null });
const shape = (b: Batch): string[] => (b.schema?.fields ?? []).map((f) => `${f.name}:${typeToString(f.type)}`);
const plain = (rows: Row[]): unknown[] => JSON.parse(JSON.stringify(rows)) as unknown[];

describe('the detect stage with names that differ only by case', () => {
  it('makes one column of the first batch\'s spellings, holding every record\'s value', async () => {
    const s = await open({});
    const out = await s.process(batch(0, [
      { id: 1, userId: 'a', dev: { os: 'x' } },
      { id: 2, UserID: 'b', DEV: { OS: 'y', Ver: 1 } },
      { ID: 3, dev: { Os: 'z', ver: 2 } },
    ]));
    // The spelling inference meets first names the column.
    assert.deepEqual(shape(out), ['id:bigint', 'userId:string', 'dev:struct<os:string,ver:bigint>']);
    assert.deepEqual(plain(out.rows), [
      { id: 1, userId: 'a', dev: { os: 'x', ver: null } },
      { id: 2, userId: 'b', dev: { os: 'y', ver: 1 } },
      { id: 3, userId: null, dev: { os: 'z', ver: 2 } },
    ]);
    assert.deepEqual(out.rejected, []);
  });

  it('reads a later record spelling a known column otherwise into that column, at any level, adding only new names', async () => {
    const s = await open({ mode: 'addNewColumns' });
    await s.process(batch(0, [{ id: 1, dev: { os: 'x' }, tags: [{ k: 'a' }], attrs: { one: { v: 1 } } }]));
    const out = await s.process(batch(1, [
      { ID: 2, Dev: { OS: 'y' }, tags: [{ K: 'b' }], attrs: { One: { V: 2 } } },
      { id: 3, Extra: 'e1' },
      { id: 4, extra: 'e2' },
    ]));
    assert.deepEqual(shape(out), ['id:bigint', 'dev:struct<os:string>', 'tags:array<struct<k:string>>', 'attrs:struct<one:struct<v:bigint>>', 'Extra:string']);
    assert.deepEqual(s.metrics().addedColumns, ['Extra']);
    assert.deepEqual(plain(out.rows), [
      { id: 2, dev: { os: 'y' }, tags: [{ k: 'b' }], attrs: { one: { v: 2 } }, Extra: null },
      { id: 3, dev: null, tags: null, attrs: null, Extra: 'e1' },
      { id: 4, dev: null, tags: null, attrs: null, Extra: 'e2' },
    ]);
  });

  it('sends a record holding two spellings with different values to the DLQ naming both, and merges equal or null ones', async () => {
    // Also for a new column: it joins the schema once, and the record holding it twice is refused.
    const s = await open({});
    await s.process(batch(0, [{ id: 1, name: 'n' }]));
    const out = await s.process(batch(1, [
      { id: 2, ID: 3 },
      { id: 4, ID: 4, Name: 'same', name: 'same' },
      { id: null, ID: 5, NAME: null },
      { id: 6, dev: 1, DEV: 2 },
    ]));
    assert.deepEqual(shape(out), ['id:bigint', 'name:string', 'dev:bigint']);
    assert.deepEqual(plain(out.rows), [{ id: 4, name: 'same', dev: null }, { id: 5, name: null, dev: null }]);
    assert.deepEqual(out.rejected.map((r) => [r.rule, r.message, r.payload]), [
      ['schema', 'ID and id differ only by case and hold different values (column names are case-insensitive, so they are one column)', '{"id":2,"ID":3}'],
      ['schema', 'DEV and dev differ only by case and hold different values (column names are case-insensitive, so they are one column)', '{"id":6,"dev":1,"DEV":2}'],
    ]);
  });

  it('does not stop failOnNewColumns for a known column spelled otherwise', async () => {
    const s = await open({ mode: 'failOnNewColumns' });
    await s.process(batch(0, [{ id: 1 }]));
    const out = await s.process(batch(1, [{ Id: 2 }]));
    assert.deepEqual(plain(out.rows), [{ id: 2 }]);
  });

  it('rescues a field spelled otherwise in rescue mode, as Auto Loader does with case-sensitive reading', async () => {
    const s = await open({ mode: 'rescue' });
    const first = await s.process(batch(0, [{ id: 1 }, { ID: 2 }]));
    assert.deepEqual(shape(first), ['id:bigint', '_rescued_data:string']);
    assert.deepEqual(plain(first.rows), [{ id: 1, _rescued_data: null }, { id: null, _rescued_data: '{"ID":2}' }]);
  });
});

describe('the detect stage with names every object inherits', () => {
  it('rescues __proto__ and constructor fields as ordinary keys', async () => {
    const s = await open({ mode: 'rescue' });
    await s.process(batch(0, [{ id: 1 }]));
    const out = await s.process(batch(1, [JSON.parse('{"id":2,"__proto__":"x","constructor":"c"}') as Row]));
    assert.deepEqual(out.rows.map((r) => [r.id, r._rescued_data]), [[2, '{"__proto__":"x","constructor":"c"}']]);
  });
});
