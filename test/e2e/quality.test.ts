// expect_or_fail through the CLI: the run stops before the batch is written, and after the
// expectation is fixed the same batch runs again from the checkpoint.
import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseProgress, runCli } from '../support/cli.ts';
import { readTableWithDuckDB } from '../support/table-check.ts';

const root = mkdtempSync(join(tmpdir(), 'sluice-quality-e2e-'));
after(() => rmSync(root, { recursive: true, force: true }));

describe('expect_or_fail through the CLI', () => {
  const data = join(root, 'in');
  mkdirSync(data, { recursive: true });
  writeFileSync(join(data, 'a.jsonl'), ['{"id":1,"amount":5,"ts":"2026-01-01T00:00:00Z"}', '{"id":2,"amount":-1,"ts":"2026-01-02T00:00:00Z"}', '{"id":3,"amount":null,"ts":null}'].join('\n') + '\n');
  const file = join(root, 'p.yaml');
  const write = (condition: string): void =>
    writeFileSync(
      file,
      `streaming:
  name: strict
  source: { type: file, config: { path: ${data}, format: json, schema: "id BIGINT, amount DOUBLE, ts TIMESTAMP" } }
  processing:
    stages:
      - type: quality
        name: dq
        config:
          expect_or_fail: { non_negative: "${condition}" }
          profile: [amount]
          freshness: { column: ts }
  sink: { type: delta, config: { path: ${join(root, 'table')}, checkpoint.location: ${join(root, 'cp')} } }
`,
    );

  it('stops with an error naming the expectation and the record, writing nothing', async () => {
    write('amount >= 0');
    const r = await runCli(['run', file, '--available-now']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /SLUICE_STAGE_FAILED/);
    assert.match(r.stderr, /expectation "non_negative" \(amount >= 0\) failed on the record at .*a\.jsonl:2 in batch 0/);
    assert.equal(existsSync(join(root, 'table', '_delta_log', '00000000000000000000.json')), false);
  });

  it('runs the same batch once the expectation is changed, with the quality figures in its progress', async () => {
    write('amount >= -10');
    const r = await runCli(['run', file, '--available-now', '--progress', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const { progress } = parseProgress(r.stdout);
    assert.deepEqual(progress.map((p) => p.batchId), [0]);
    const dq = (progress[0]?.stages as { dq: { expectations: { non_negative: { passed: number; failed: number } }; profile: { amount: Record<string, unknown> }; freshness: Record<string, unknown> } }).dq;
    // NULL passes an expectation, as in a CHECK constraint.
    assert.deepEqual(dq.expectations.non_negative, { action: 'fail', expression: 'amount >= -10', passed: 3, failed: 0 });
    assert.deepEqual(dq.profile.amount, { count: 3, nulls: 1, null_rate: 0.333333, distinct_approx: 2, min: -1, max: 5, mean: 2 });
    assert.equal(dq.freshness.max_event_time, '2026-01-02T00:00:00.000Z');
    const table = await readTableWithDuckDB(join(root, 'table'), 'id');
    assert.equal(table.rows.length, 3);
  });
});
