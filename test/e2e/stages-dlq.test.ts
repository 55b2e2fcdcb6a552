// The dead-letter queue end to end: a Delta DLQ table survives a crash before the batch commits
// without duplicates, and an oversized batch is written in parts within one batch id.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseProgress, runCli } from '../support/cli.ts';
import { readTableWithDuckDB } from '../support/table-check.ts';

const root = mkdtempSync(join(tmpdir(), 'sluice-dlq-e2e-'));
after(() => rmSync(root, { recursive: true, force: true }));

function pipeline(name: string, body: string): { config: string; dir: string; landing: string } {
  const dir = join(root, name);
  const landing = join(dir, 'landing');
  mkdirSync(landing, { recursive: true });
  const config = join(dir, 'p.yaml');
  writeFileSync(config, body.replaceAll('$DIR', dir));
  return { config, dir, landing };
}

describe('the dead-letter queue in a pipeline', () => {
  it('writes rejected records to a Delta DLQ table once, even when the batch is re-run after a crash', async () => {
    const { config, dir, landing } = pipeline('delta-dlq', `
streaming:
  source: { type: file, config: { path: $DIR/landing, format: text } }
  processing:
    stages:
      - { type: parse }
      - type: validate
        name: checks
        config: { schema: "id BIGINT NOT NULL, amount DOUBLE", rules: [{ rule: range, column: amount, min: 0 }] }
  sink: { type: delta, config: { path: $DIR/table, checkpoint.location: $DIR/cp } }
  error_handling:
    dead_letter: { type: delta, path: $DIR/dlq }
`);
    const lines = ['{"id":1,"amount":5}', '{"id":2,"amount":-1}', 'not json', '{"amount":3}', '{"id":5,"amount":"7.5"}'];
    writeFileSync(join(landing, 'in.txt'), lines.join('\n') + '\n');
    const crashed = await runCli(['run', config, '--available-now'], { SLUICE_FAULT_INJECT: 'engine.before-commit:1' });
    assert.equal(crashed.signal ?? crashed.code, 'SIGKILL');
    assert.deepEqual(readdirSync(join(dir, 'cp', 'commits')), []);
    const resumed = await runCli(['run', config, '--available-now', '--progress', 'json']);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.deepEqual(parseProgress(resumed.stdout).progress.map((p) => [p.batchId, p.sinkSkipped, p.numRejectedRows]), [[0, true, 3]]);
    const dlq = await readTableWithDuckDB(join(dir, 'dlq'), 'origin.line');
    assert.deepEqual(dlq.rows.map((r) => [r.errorType, r.stage, r.rule, (r.origin as { line: string }).line, r.batchId]), [
      ['SCHEMA_VALIDATION', 'checks', 'range(amount)', '2', '0'],
      ['PROCESSING', 'parse_0', 'parse.json', '3', '0'],
      ['SCHEMA_VALIDATION', 'checks', 'schema', '4', '0'],
    ]);
    assert.equal(dlq.rows[1]?.payload, 'not json');
    assert.equal([...dlq.txns.keys()].filter((k) => k.endsWith('-dlq')).length, 1);
    const table = await readTableWithDuckDB(join(dir, 'table'), 'id');
    assert.deepEqual(table.rows.map((r) => [r.id, r.amount]), [['1', 5], ['5', 7.5]]);
  });

  it('splits a batch above max.batch.bytes into several data files of one commit, keeping every row', async () => {
    const { config, dir, landing } = pipeline('bounded', `
streaming:
  source: { type: file, config: { path: $DIR/landing } }
  processing:
    max.batch.bytes: 200 KB
  sink: { type: delta, config: { path: $DIR/table, checkpoint.location: $DIR/cp } }
`);
    writeFileSync(join(landing, 'big.jsonl'), Array.from({ length: 4000 }, (_, i) => JSON.stringify({ id: i, text: `row ${i} `.repeat(8) })).join('\n') + '\n');
    const r = await runCli(['run', config, '--available-now', '--progress', 'json'], { SLUICE_LOG_LEVEL: 'warn' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /batch above max.batch.bytes processed in parts/);
    const t = await readTableWithDuckDB(join(dir, 'table'), 'id');
    assert.equal(t.version, 0);
    assert.ok(t.files.length >= 5, `${t.files.length} data files`);
    assert.equal(t.rows.length, 4000);
    assert.equal(readFileSync(join(dir, 'table', '_delta_log', '00000000000000000000.json'), 'utf8').split('\n').filter((l) => l.startsWith('{"add"')).length, t.files.length);
  });

  it('stops on a record failing a rule with policy fail, naming it, before anything of the batch is written', async () => {
    const { config, dir, landing } = pipeline('fail-policy', `
streaming:
  source: { type: file, config: { path: $DIR/landing } }
  processing:
    stages:
      - type: validate
        name: checks
        config: { rules: [{ rule: not_null, column: id, policy: fail }, { rule: in, column: kind, values: [a, b] }] }
  sink: { type: delta, config: { path: $DIR/table, checkpoint.location: $DIR/cp } }
`);
    writeFileSync(join(landing, 'in.jsonl'), ['{"id":1,"kind":"a"}', '{"id":2,"kind":"z"}', '{"id":null,"kind":"b"}'].join('\n') + '\n');
    const r = await runCli(['run', config, '--available-now']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /stage checks: record at .*in\.jsonl:3 failed not_null\(id\): id is null \(policy fail\)/);
    assert.deepEqual(readdirSync(join(dir, 'cp', 'offsets')), ['0']);
    assert.deepEqual(readdirSync(join(dir, 'cp', 'commits')), []);
    assert.equal(readdirSync(dir).includes('table'), false);
    assert.equal(readdirSync(join(dir, 'cp')).includes('rejected'), false);
  });
});
