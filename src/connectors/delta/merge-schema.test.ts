// Tests of Delta schema evolution (mergeSchema): new columns arrive as one metaData action in the batch's commit.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { field, struct } from '../../core/schema.ts';
import { readTableWithDuckDB } from '../../../test/support/table-check.ts';
import { appendRows } from './table.ts';

const root = mkdtempSync(join(tmpdir(), 'sluice-merge-'));
after(() => rmSync(root, { recursive: true, force: true }));

function commitActions(table: string, version: number): Record<string, unknown>[] {
  const text = readFileSync(join(table, '_delta_log', `${String(version).padStart(20, '0')}.json`), 'utf8');
  return text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('Delta mergeSchema', () => {
  it('adds new columns with a metaData action in the same commit, keeping the table id', async () => {
    const table = join(root, 't1');
    const opts = { appId: 'q', mergeSchema: true };
    await appendRows(table, [{ id: 1 }], struct([field('id', 'long')]), { ...opts, batchId: 0 });
    const s1 = struct([field('id', 'long'), field('dev', struct([field('os', 'string')])), field('note', 'string')]);
    await appendRows(table, [{ id: 2, dev: { os: 'x' }, note: 'n' }], s1, { ...opts, batchId: 1 });
    const s2 = struct([field('id', 'long'), field('dev', struct([field('os', 'string'), field('ver', 'long')])), field('note', 'string')]);
    await appendRows(table, [{ id: 3, dev: { os: 'y', ver: 7 }, note: null }], s2, { ...opts, batchId: 2 });
    await appendRows(table, [{ id: 4, dev: null, note: 'same' }], s2, { ...opts, batchId: 3 });
    const metas = [0, 1, 2, 3].map((v) => commitActions(table, v).filter((a) => 'metaData' in a).map((a) => a.metaData as { id: string; schemaString: string }));
    assert.deepEqual(metas.map((m) => m.length), [1, 1, 1, 0]);
    const ids = new Set(metas.flat().map((m) => m.id));
    assert.equal(ids.size, 1);
    const last = JSON.parse(metas[2]?.[0]?.schemaString ?? '{}') as { fields: { name: string }[] };
    assert.deepEqual(last.fields.map((f) => f.name), ['id', 'dev', 'note']);
    const read = await readTableWithDuckDB(table, 'id');
    // DuckDB's JSON rows carry BIGINT as text.
    assert.deepEqual(read.rows.map((r) => r.id), ['1', '2', '3', '4']);
    assert.deepEqual(read.rows[1]?.dev, { os: 'x', ver: null });
    assert.deepEqual(read.rows[2]?.dev, { os: 'y', ver: '7' });
    assert.equal(readdirSync(join(table, '_delta_log')).filter((n) => n.endsWith('.json')).length, 4);
  });

  it('still refuses new columns without mergeSchema and changed types with it', async () => {
    const table = join(root, 't2');
    await appendRows(table, [{ id: 1 }], struct([field('id', 'long')]), { appId: 'q', batchId: 0 });
    await assert.rejects(appendRows(table, [{ id: 2, x: 'a' }], struct([field('id', 'long'), field('x', 'string')]), { appId: 'q', batchId: 1 }), /extra column\(s\) x \(set mergeSchema: true/);
    await assert.rejects(appendRows(table, [{ id: 'a' }], struct([field('id', 'string')]), { appId: 'q', batchId: 1, mergeSchema: true }), /changed type\(s\) id/);
  });
});
