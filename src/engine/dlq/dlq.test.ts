// Tests of the dead-letter queue targets (replays never duplicate) and of the batch memory bound.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { ComponentContext, Stage } from '../../core/component.ts';
import type { Rejected, Row } from '../../core/record.ts';
import { readTableRows } from '../../connectors/delta/reader.ts';
import { DeadLetterSchema, resolveDeadLetter } from '../../plan/dead-letter.ts';
import { registry } from '../../builtins/index.ts';
import { deadLetterPlan } from '../../../test/support/dlq.ts';
import { DLQ_TABLE_SCHEMA, createDeadLetterQueue, envelopeToRow, toEnvelope } from './index.ts';
import { appendRows } from '../../connectors/delta/table.ts';
import { RejectedLog } from '../rejected.ts';
import { estimateBatchBytes, runStagesBounded } from '../stage-runner.ts';
import { componentContext } from '../../../test/support/context.ts';

const root = mkdtempSync(join(tmpdir(), 'sluice-dlq-'));
after(() => rmSync(root, { recursive: true, force: true }));

function ctx(dir: string): ComponentContext {
  return componentContext(dir, { queryId: 'q1', stateDir: join(dir, 'dlq') });
}

const rejected = (k: number): Rejected[] => Array.from({ length: k }, (_, i) => ({
  errorType: 'SCHEMA_VALIDATION', stage: 'checks', rule: 'not_null(id)', message: `row ${i} has no id`, payload: `{"n":${i}}`, origin: { file: 'in.jsonl', line: i + 1 },
}));

describe('the dead-letter queue', () => {
  it('writes one JSON-lines file per batch in the checkpoint and replaces it on a replay', async () => {
    const dir = join(root, 'folder');
    const q = createDeadLetterQueue(deadLetterPlan({}, dir), ctx(dir));
    const r = await q.write(3, rejected(2), Date.UTC(2024, 0, 1));
    assert.equal(r.written, 2);
    await q.write(3, rejected(2), Date.UTC(2024, 0, 1));
    assert.deepEqual(await q.write(4, [], 0), { written: 0, location: null });
    const all = await new RejectedLog(dir).readAll();
    assert.equal(all.length, 2);
    assert.deepEqual(all[1], {
      errorType: 'SCHEMA_VALIDATION', stage: 'checks', rule: 'not_null(id)', message: 'row 1 has no id', payload: '{"n":1}',
      origin: { file: 'in.jsonl', line: 2 }, batchId: 3, timestamp: '2024-01-01T00:00:00.000Z',
    });
    assert.deepEqual(readdirSync(join(dir, 'rejected')), ['batch-0000000003.jsonl']);
  });

  it('appends to a Delta table once per batch id, under the txn appId <queryId>-dlq', async () => {
    const table = join(root, 'dlq-table');
    const q = createDeadLetterQueue(deadLetterPlan({ type: 'delta', path: table }, join(root, 'cp-delta')), ctx(join(root, 'cp-delta')));
    assert.equal((await q.write(0, rejected(3), 0)).written, 3);
    assert.equal((await q.write(0, rejected(3), 0)).written, 0);
    assert.equal((await q.write(1, rejected(1), 0)).written, 1);
    const rows = await readTableRows(table);
    assert.equal(rows.length, 4);
    const first = rows[0] as Row;
    assert.equal(first.message, 'row 0 has no id');
    assert.deepEqual(first.origin, { file: 'in.jsonl', line: 1, topic: null, partition: null, offset: null });
    assert.equal(first.timestamp, 0n);
  });

  it('carries payloadEncoding base64 through the folder and Delta targets, and adds its column to an older DLQ table', async () => {
    const bytes: Rejected = { errorType: 'SCHEMA_VALIDATION', stage: 'source', rule: 'invalidUtf8', message: 'line 2 is not valid UTF-8', payload: '/w==', payloadEncoding: 'base64', origin: { file: 'in.json', line: 2 } };
    const dir = join(root, 'folder-encoding');
    await createDeadLetterQueue(deadLetterPlan({}, dir), ctx(dir)).write(0, [bytes, ...rejected(1)], 0);
    const all = await new RejectedLog(dir).readAll();
    assert.deepEqual(all.map((e) => e.payloadEncoding), ['base64', undefined]);
    // A DLQ table written before the envelope had payloadEncoding: the next batch adds the column.
    const table = join(root, 'dlq-old-table');
    const { payloadEncoding: _dropped, ...oldSchemaRow } = envelopeToRow(toEnvelope(rejected(1)[0] as Rejected, 0, new Date(0).toISOString()));
    const oldSchema = { ...DLQ_TABLE_SCHEMA, fields: DLQ_TABLE_SCHEMA.fields.filter((f) => f.name !== 'payloadEncoding') };
    await appendRows(table, [oldSchemaRow], oldSchema, { appId: 'q1-dlq', batchId: 0 });
    const q = createDeadLetterQueue(deadLetterPlan({ type: 'delta', path: table }, join(root, 'cp-old')), ctx(join(root, 'cp-old')));
    assert.equal((await q.write(1, [bytes], 0)).written, 1);
    const rows = await readTableRows(table);
    assert.deepEqual(rows.map((r) => [r.batchId, r.payload, r.payloadEncoding ?? null]), [[0, '{"n":0}', null], [1, '/w==', 'base64']]);
  });

  it('refuses a delta target without a path, a kafka target without a topic and an unknown sink, naming the keys', () => {
    const problems = (o: Record<string, unknown>): string[] => resolveDeadLetter(DeadLetterSchema.parse(o), registry, root, 'dead_letter').problems.map((p) => `${p.path}: ${p.message}`);
    assert.deepEqual(problems({ type: 'delta' }), ['dead_letter.path: a delta dead-letter queue needs the table path']);
    assert.deepEqual(problems({ type: 'kafka', kafka: { 'kafka.bootstrap.servers': 'localhost:9092' } }), ['dead_letter.kafka.topic: the dead-letter topic is required']);
    assert.deepEqual(problems({ type: 'jsnol' }), ['dead_letter.type: unknown dead-letter sink (did you mean "jsonl"?)']);
    assert.deepEqual(problems({ type: 'jsonl', config: { path: join(root, 'any'), extra: 1 } }).length, 1);
  });

  it('writes to any registered sink, here a jsonl folder named by its own config', async () => {
    const dir = join(root, 'jsonl-target');
    const q = createDeadLetterQueue(deadLetterPlan({ type: 'jsonl', config: { path: dir } }, join(root, 'cp-jsonl')), ctx(join(root, 'cp-jsonl')));
    const r = await q.write(7, rejected(1), 0);
    assert.deepEqual(r, { written: 1, location: join(dir, 'batch-0000000007.jsonl') });
    assert.deepEqual((await new RejectedLog('', dir).readAll()).map((e) => [e.batchId, e.message]), [[7, 'row 0 has no id']]);
  });
});

describe('the batch memory bound', () => {
  const counting: Stage & { calls: number[] } = {
    name: 'count',
    calls: [],
    process(b) {
      this.calls.push(b.rows.length);
      return { ...b, rows: b.rows.map((r) => ({ ...r, seen: true })) };
    },
  };

  it('runs an oversized batch through the stages in slices and asks the sink for smaller parts', async () => {
    const rows: Row[] = Array.from({ length: 1000 }, (_, i) => ({ id: i, text: 'x'.repeat(100) }));
    const bytes = estimateBatchBytes(rows);
    assert.ok(bytes > 200_000, String(bytes));
    counting.calls = [];
    const r = await runStagesBounded([counting], { batchId: 5, rows, rejected: [], schema: null }, Math.floor(bytes / 4));
    assert.ok(r.parts >= 4 && r.parts <= 5, String(r.parts));
    assert.equal(counting.calls.length, r.parts);
    assert.equal(r.batch.rows.length, 1000);
    assert.deepEqual(r.batch.rows.map((x) => x.id), rows.map((x) => x.id));
    assert.ok(r.batch.rows.every((x) => x.seen === true));
    const partRows = r.batch.partRows;
    assert.ok(partRows !== undefined && partRows <= 250, String(partRows));
  });

  it('leaves a batch within the bound whole, and sends a single record above it to the DLQ as RESOURCE', async () => {
    counting.calls = [];
    const small = await runStagesBounded([counting], { batchId: 0, rows: [{ a: 1 }], rejected: [], schema: null }, 10_000);
    assert.equal(small.parts, 1);
    assert.deepEqual(counting.calls, [1]);
    const huge = { id: 'big', blob: 'y'.repeat(50_000) };
    const r = await runStagesBounded([counting], { batchId: 1, rows: [{ id: 'a' }, huge, { id: 'b' }], rejected: [], schema: null }, 20_000);
    assert.deepEqual(r.batch.rows.map((x) => x.id), ['a', 'b']);
    assert.equal(r.batch.rejected.length, 1);
    const rej = r.batch.rejected[0];
    assert.equal(rej?.errorType, 'RESOURCE');
    assert.match(rej?.message ?? '', /exceeds the batch memory bound of 20000 bytes/);
    assert.ok((rej?.payload ?? '').length <= 1027);
  });
});
