// The transform and quality stages through the CLI: the shipped example to Delta, read back with DuckDB,
// and the error paths a user meets (a typo in an expression, a function failing on some records).
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseProgress, runCli, REPO } from '../support/cli.ts';
import { readTableWithDuckDB } from '../support/table-check.ts';

const root = mkdtempSync(join(tmpdir(), 'sluice-transform-e2e-'));
after(() => rmSync(root, { recursive: true, force: true }));
const EXAMPLE = join(REPO, 'examples', 'transforms', 'pipeline.yaml');

type Input = { event_id: string; kind: string; amount: number | null; country: string; user_id: number; tags: string[]; device: { os: string; app_version: string } };

/** The example's input read independently of sluice: every well-formed line of the landing files. */
function inputRows(): Input[] {
  const dir = join(REPO, 'examples', 'data', 'landing');
  const out: Input[] = [];
  for (const f of readdirSync(dir).sort()) {
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      try {
        out.push(JSON.parse(line) as Input);
      } catch {
        // malformed sample lines are the source's to reject
      }
    }
  }
  return out;
}

function dlqEntries(checkpoint: string): Record<string, unknown>[] {
  const dir = join(checkpoint, 'rejected');
  return readdirSync(dir).flatMap((f) => readFileSync(join(dir, f), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>));
}

describe('the transforms example', () => {
  const out = join(root, 'example');

  it('shapes, checks and writes the rows, with stage figures in every progress', async () => {
    const r = await runCli(['run', EXAMPLE, '--available-now', '--progress', 'json'], { SLUICE_OUTPUT: out, SLUICE_SALT: 'pepper' });
    assert.equal(r.code, 0, r.stderr);
    const input = inputRows();
    const shaped = input.filter((x) => x.kind !== 'signup');
    const kept = shaped.filter((x) => x.amount === null || x.amount <= 490);
    const { progress, summary } = parseProgress(r.stdout);
    let filtered = 0;
    let dropped = 0;
    let warned = 0;
    for (const p of progress) {
      const stages = p.stages as { shape: { rows_filtered: number }; dq: { kind: string; rows_dropped: number; expectations: Record<string, { failed: number }>; profile: Record<string, { count: number }>; freshness: { max_event_time: string } } };
      filtered += stages.shape.rows_filtered;
      dropped += stages.dq.rows_dropped;
      warned += stages.dq.expectations.eu_country?.failed ?? 0;
      assert.equal(stages.dq.kind, 'quality');
      assert.ok((stages.dq.profile.amount_eur?.count ?? 0) > 0);
      assert.match(stages.dq.freshness.max_event_time, /^2026-11-01T/);
    }
    assert.equal(filtered, input.length - shaped.length);
    assert.equal(dropped, shaped.length - kept.length);
    assert.equal(warned, shaped.filter((x) => !['DE', 'FR', 'NL', 'ES', 'IT', 'PL'].includes(x.country)).length);
    assert.equal(summary?.rowsWritten, kept.length);

    const table = await readTableWithDuckDB(join(out, 'transforms'), 'event_id');
    assert.equal(table.rows.length, kept.length);
    assert.deepEqual(Object.keys(table.columnTypes).sort(), ['amount', 'amount_eur', 'country', 'device_app_version', 'device_os', 'event_date', 'event_id', 'event_kind', 'region', 'tag_count', 'ts', 'user_id']);
    assert.equal(table.columnTypes.user_id, 'VARCHAR');
    assert.equal(table.columnTypes.tag_count, 'INTEGER');
    assert.equal(table.columnTypes.amount_eur, 'DOUBLE');
    const src = kept[0];
    const row = table.rows.find((x) => x.event_id === src?.event_id);
    assert.ok(src !== undefined && row !== undefined);
    assert.equal(row.user_id, createHash('sha256').update('pepper').update(String(src.user_id)).digest('hex'));
    assert.equal(row.event_kind, src.kind);
    assert.equal(row.device_os, src.device.os);
    assert.equal(row.device_app_version, src.device.app_version.slice(0, 1) + '*'.repeat(src.device.app_version.length - 1));
    assert.equal(row.tag_count, src.tags.length);
    assert.equal(row.event_date, '2026-11-01');
    assert.equal(row.amount_eur, src.amount === null ? null : Math.round(src.amount * 0.92 * 100) / 100);
    assert.equal(row.region, ({ DE: 'DACH', FR: 'EU-West', NL: 'EU-West', ES: 'EU-South', IT: 'EU-South', PL: 'EU-East', GB: 'UK', US: 'NA' } as Record<string, string>)[src.country]);
  });

  it('puts the dropped records in the dead-letter queue with the expectation, the reason and the source line', () => {
    const entries = dlqEntries(join(out, 'checkpoints', 'transforms')).filter((e) => e.stage === 'dq');
    const input = inputRows().filter((x) => x.kind !== 'signup' && x.amount !== null && x.amount > 490);
    assert.equal(entries.length, input.length);
    for (const e of entries) {
      assert.equal(e.errorType, 'SCHEMA_VALIDATION');
      assert.equal(e.rule, 'amount_within_limit');
      assert.match(String(e.message), /amount IS NULL OR amount <= 490/);
      assert.equal(typeof (e.origin as { line?: unknown }).line, 'number');
      assert.ok(input.some((x) => x.event_id === (JSON.parse(String(e.payload)) as { event_id: string }).event_id));
    }
  });
});

describe('transform errors through the CLI', () => {
  const data = join(root, 'in');
  mkdirSync(data, { recursive: true });
  writeFileSync(join(data, 'a.jsonl'), ['{"id":1,"amount":5}', '{"id":2,"amount":-1}', '{"id":3,"amount":7}', '{"id":4,"amount":9}'].join('\n') + '\n');
  writeFileSync(join(root, 'picky.mjs'), "export function picky(batch) { return batch.rows.map((r) => { if (r.id === 3) throw new Error('no threes'); return { ...r, ok: true }; }); }\n");

  const pipeline = (name: string, stages: string): string => {
    const file = join(root, `${name}.yaml`);
    writeFileSync(
      file,
      `streaming:
  name: ${name}
  source: { type: file, config: { path: ${data}, format: json, schema: "id BIGINT, amount DOUBLE" } }
  processing:
    stages:
${stages}
  sink: { type: delta, config: { path: ${join(root, name, 'table')}, checkpoint.location: ${join(root, name, 'cp')} } }
`,
    );
    return file;
  };

  it('a typo in an expression stops the run with the stage, the expression and the position', async () => {
    const file = pipeline('typo', `      - { type: transform, name: shape, config: { steps: [ { with_column: { name: x, expr: "amout * 2" } } ] } }`);
    const r = await runCli(['run', file, '--available-now']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /SLUICE_CONFIG_INVALID/);
    assert.match(r.stderr, /stage shape: steps\[0\]\.with_column/);
    assert.match(r.stderr, /unknown column "amout" at position 1 of expression "amout \* 2"/);
  });

  it('sluice validate reports a syntax error in an expression with its place in the file and its position', async () => {
    const file = pipeline('syntax', `      - { type: transform, name: shape, config: { steps: [ { filter: "amount > > 3" } ] } }`);
    const r = await runCli(['validate', file]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /streaming\.processing\.stages\[0\]\.config\.steps\[0\]\.filter/);
    assert.match(r.stderr, /position \d+ of expression "amount > > 3"/);
  });

  it('a function failing on one record sends that record to the DLQ and writes the others', async () => {
    const file = pipeline('picky', `      - { type: transform, name: shape, config: { steps: [ { function: { module: ${join(root, 'picky.mjs')}, export: picky } } ] } }`);
    const r = await runCli(['run', file, '--available-now', '--progress', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const table = await readTableWithDuckDB(join(root, 'picky', 'table'), 'id');
    assert.deepEqual(table.rows.map((x) => [Number(x.id), x.ok]), [[1, true], [2, true], [4, true]]);
    const [entry, ...rest] = dlqEntries(join(root, 'picky', 'cp'));
    assert.equal(rest.length, 0);
    assert.equal(entry?.errorType, 'PROCESSING');
    assert.equal(entry?.rule, 'steps[0].function');
    assert.equal(entry?.message, 'no threes');
    assert.deepEqual(entry?.origin, { file: join(data, 'a.jsonl'), line: 3 });
  });
});
