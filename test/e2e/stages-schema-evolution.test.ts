// Schema evolution end to end: files whose records gain fields over time, through the CLI into Delta,
// in each detect mode; the Delta log is replayed to check the schema history it records.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseProgress, runCli } from '../support/cli.ts';
import { readTableWithDuckDB } from '../support/table-check.ts';

const root = mkdtempSync(join(tmpdir(), 'sluice-evolve-'));
after(() => rmSync(root, { recursive: true, force: true }));

const FILES: Record<string, unknown>[][] = [
  [{ id: 1, name: 'a' }, { id: 2, name: 'b' }],
  [{ id: 3, name: 'c', score: 1.5 }],
  [{ id: 4, name: 'd', score: 2, tags: ['x'] }, { id: 5, name: 'e' }],
  [{ id: 6, name: 'f', score: 3.25 }],
];

function setup(mode: string, extra = ''): { dir: string; config: string; table: string; write: (detectSchema?: string) => void } {
  const dir = join(root, mode);
  const landing = join(dir, 'landing');
  mkdirSync(landing, { recursive: true });
  FILES.forEach((rows, i) => writeFileSync(join(landing, `part-${i}.jsonl`), rows.map((r) => JSON.stringify(r)).join('\n') + '\n'));
  const table = join(dir, 'table');
  const config = join(dir, 'pipeline.yaml');
  const write = (detectSchema?: string): void => writeFileSync(config, `
streaming:
  name: evolve-${mode}
  source:
    type: file
    config: { path: ${landing}, format: text, pattern: "*.jsonl", maxFilesPerTrigger: 1 }
  processing:
    stages:
      - type: parse
      - type: detect
        name: detect
        config:
          mode: ${mode}${detectSchema === undefined ? '' : `\n          schema: "${detectSchema}"`}${extra}
  sink:
    type: delta
    config: { path: ${table}, mergeSchema: true, checkpoint.location: ${join(dir, 'checkpoint')} }
`);
  write();
  return { dir, config, table, write };
}

/** The schema of every metaData action in the Delta log, replayed commit by commit. */
function metaDataHistory(table: string): { version: number; columns: string[] }[] {
  const log = join(table, '_delta_log');
  const out: { version: number; columns: string[] }[] = [];
  for (const name of readdirSync(log).filter((n) => /^\d{20}\.json$/.test(n)).sort()) {
    for (const line of readFileSync(join(log, name), 'utf8').trim().split('\n')) {
      const a = JSON.parse(line) as { metaData?: { schemaString: string } };
      if (a.metaData === undefined) continue;
      const s = JSON.parse(a.metaData.schemaString) as { fields: { name: string }[] };
      out.push({ version: Number(name.slice(0, 20)), columns: s.fields.map((f) => f.name) });
    }
  }
  return out;
}

const run = (config: string) => runCli(['run', config, '--available-now', '--progress', 'json']);

describe('schema evolution through the detect stage', () => {
  it('addNewColumns: one metaData per change in the Delta log, schema versions and added columns in progress', async () => {
    const { config, table, dir } = setup('addNewColumns');
    const r = await run(config);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(metaDataHistory(table), [
      { version: 0, columns: ['id', 'name'] },
      { version: 1, columns: ['id', 'name', 'score'] },
      { version: 2, columns: ['id', 'name', 'score', 'tags'] },
    ]);
    const { progress } = parseProgress(r.stdout);
    const detect = progress.map((p) => (p.stages as Record<string, { schemaVersion: number; addedColumns: string[] }>).detect);
    assert.deepEqual(detect.map((d) => [d?.schemaVersion, d?.addedColumns]), [[0, ['id', 'name']], [1, ['score']], [2, ['tags']], [2, []]]);
    assert.deepEqual(readdirSync(join(dir, 'checkpoint', 'stages', '1', 'schemas')).length, 3);
    const t = await readTableWithDuckDB(table, 'id');
    assert.deepEqual(t.rows.map((x) => [x.id, x.score, x.tags]), [['1', null, null], ['2', null, null], ['3', 1.5, null], ['4', 2, ['x']], ['5', null, null], ['6', 3.25, null]]);
  });

  it('rescue: the schema stays fixed and unknown fields land in _rescued_data', async () => {
    const { config, table } = setup('rescue');
    const r = await run(config);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(metaDataHistory(table), [{ version: 0, columns: ['id', 'name', '_rescued_data'] }]);
    const t = await readTableWithDuckDB(table, 'id');
    assert.deepEqual(t.rows.map((x) => [x.id, x._rescued_data]), [
      ['1', null], ['2', null], ['3', '{"score":1.5}'], ['4', '{"score":2,"tags":["x"]}'], ['5', null], ['6', '{"score":3.25}'],
    ]);
  });

  it('failOnNewColumns: stops naming the new column with a consistent checkpoint; a restart declaring it continues', async () => {
    const { config, table, dir, write } = setup('failOnNewColumns');
    const first = await run(config);
    assert.notEqual(first.code, 0);
    assert.match(first.stderr, /new column score \(mode failOnNewColumns\)/);
    assert.match(first.stderr, /SLUICE_SCHEMA_CHANGED/);
    assert.deepEqual(readdirSync(join(dir, 'checkpoint', 'commits')), ['0']);
    let t = await readTableWithDuckDB(table);
    assert.equal(t.rows.length, 2);
    write('score DOUBLE, tags ARRAY<STRING>');
    const second = await run(config);
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(parseProgress(second.stdout).progress.map((p) => p.batchId), [1, 2, 3]);
    assert.deepEqual(metaDataHistory(table), [
      { version: 0, columns: ['id', 'name'] },
      { version: 1, columns: ['id', 'name', 'score', 'tags'] },
    ]);
    t = await readTableWithDuckDB(table, 'id');
    assert.deepEqual(t.rows.map((x) => x.id), ['1', '2', '3', '4', '5', '6']);
  });

  it('none: new columns are ignored and the schema never changes', async () => {
    const { config, table } = setup('none');
    const r = await run(config);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(metaDataHistory(table), [{ version: 0, columns: ['id', 'name'] }]);
    assert.equal((await readTableWithDuckDB(table)).rows.length, 6);
  });
});
