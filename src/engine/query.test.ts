// The micro-batch engine: triggers, retries of the sink commit, read-ahead and recovery of a planned batch.
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, rmSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createSession } from '../api/session.ts';
import { defineSink, defineSource, type PreparedWrite, type Sink, type Source } from '../core/component.ts';
import type { Row } from '../core/record.ts';
import { ErrorCodes, SluiceError } from '../core/errors.ts';
import { silentLogger } from '../core/logger.ts';
import { registry } from '../builtins/index.ts';
import { MemorySinkTable, MemoryStream } from '../connectors/memory/index.ts';
import type { ComponentRegistry } from '../plan/plan.ts';
import { z } from 'zod';

const root = mkdtempSync(join(tmpdir(), 'sluice-engine-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const unique = (p: string) => `${p}-${process.pid}-${++n}`;

/** A sink that fails the first `failures` writes of a batch, then writes to a memory table. */
function flakySink(failures: number, retryable: boolean) {
  let failed = 0;
  const calls: number[] = [];
  const def = defineSink({
    type: 'flaky',
    summary: 'test sink',
    config: z.object({ name: z.string() }).strict(),
    create(cfg): Sink<PreparedWrite & { rows: Row[] }> {
      const table = MemorySinkTable.named(cfg.name);
      return {
        description: `Flaky[${cfg.name}]`,
        identity: () => ({ type: 'flaky', name: cfg.name }),
        open: () => Promise.resolve(),
        prepare: (batch) => Promise.resolve({ rows: batch.rows, rejected: [] }),
        commit(prepared, batch) {
          calls.push(batch.batchId);
          if (failed < failures) {
            failed++;
            return Promise.reject(new SluiceError(ErrorCodes.SINK_WRITE, `injected failure ${failed}`, { retryable }));
          }
          if (table.batches.has(batch.batchId)) return Promise.resolve({ numOutputRows: 0, skipped: true });
          table.batches.set(batch.batchId, prepared.rows);
          return Promise.resolve({ numOutputRows: prepared.rows.length, skipped: false });
        },
        close: () => Promise.resolve(),
      };
    },
  });
  const reg: ComponentRegistry = { ...registry, sinks: new Map([...registry.sinks, ['flaky', def]]) };
  return { reg, calls };
}

function rowsOf(k: number, from = 0) {
  return Array.from({ length: k }, (_, i) => ({ id: from + i }));
}

describe('the micro-batch engine', () => {
  it('runs availableNow as several batches within the per-trigger limit, then stops', async () => {
    const name = unique('avail');
    new MemoryStream(name).addData(...rowsOf(25));
    const q = await createSession({ logger: silentLogger }).readStream.format('memory').option('name', name).option('maxRowsPerTrigger', 10).load()
      .writeStream.format('memory').option('name', name).option('checkpointLocation', join(root, name)).trigger({ availableNow: true }).start();
    await q.awaitTermination();
    assert.deepEqual(q.recentProgress.map((p) => p.numInputRows), [10, 10, 5]);
    assert.deepEqual(MemorySinkTable.named(name).rows.map((r) => r.id), rowsOf(25).map((r) => r.id));
    const p = q.lastProgress;
    assert.ok(p !== undefined);
    assert.equal(p.batchId, 2);
    assert.deepEqual(p.sources[0]?.startOffset, 20);
    assert.deepEqual(p.sources[0]?.endOffset, 25);
    for (const k of ['latestOffset', 'getBatch', 'addBatch', 'walCommit', 'triggerExecution']) assert.equal(typeof p.durationMs[k], 'number', k);
    assert.equal(p.sink.numOutputRows, 5);
  });

  it('runs the once trigger as a single batch that ignores the per-trigger limit', async () => {
    const name = unique('once');
    new MemoryStream(name).addData(...rowsOf(25));
    const q = await createSession({ logger: silentLogger }).readStream.format('memory').option('name', name).option('maxRowsPerTrigger', 10).load()
      .writeStream.format('memory').option('name', name).option('checkpointLocation', join(root, name)).trigger({ once: true }).start();
    await q.awaitTermination();
    assert.deepEqual(q.recentProgress.map((p) => p.numInputRows), [25]);
  });

  it('resumes after the last committed batch on restart, writing nothing twice', async () => {
    const name = unique('resume');
    const stream = new MemoryStream(name);
    stream.addData(...rowsOf(5));
    const start = () =>
      createSession({ logger: silentLogger }).readStream.format('memory').option('name', name).load()
        .writeStream.format('memory').option('name', name).option('checkpointLocation', join(root, name)).trigger({ availableNow: true }).start();
    await (await start()).awaitTermination();
    stream.addData(...rowsOf(3, 5));
    const q2 = await start();
    await q2.awaitTermination();
    assert.deepEqual(q2.recentProgress.map((p) => [p.batchId, p.numInputRows]), [[1, 3]]);
    assert.deepEqual(MemorySinkTable.named(name).rows.map((r) => r.id), [0, 1, 2, 3, 4, 5, 6, 7]);
    const offsets = readFileSync(join(root, name, 'offsets', '1'), 'utf8').split('\n');
    assert.equal(offsets[0], 'v1');
    assert.equal(offsets[2], '8');
  });

  it('re-runs a batch that was planned but not committed with exactly its recorded offsets', async () => {
    const name = unique('replay');
    const stream = new MemoryStream(name);
    stream.addData(...rowsOf(4));
    const { reg } = flakySink(1, false);
    const q1 = await createSession({ logger: silentLogger, registry: reg }).readStream.format('memory').option('name', name).load()
      .writeStream.format('flaky').option('name', name).option('checkpointLocation', join(root, name)).trigger({ availableNow: true }).start();
    await assert.rejects(q1.awaitTermination(), /injected failure 1/);
    assert.deepEqual(readdirSync(join(root, name, 'offsets')), ['0']);
    assert.deepEqual(readdirSync(join(root, name, 'commits')), []);
    stream.addData(...rowsOf(2, 4));
    const q2 = await createSession({ logger: silentLogger, registry: reg }).readStream.format('memory').option('name', name).load()
      .writeStream.format('flaky').option('name', name).option('checkpointLocation', join(root, name)).trigger({ availableNow: true }).start();
    await q2.awaitTermination();
    assert.deepEqual(q2.recentProgress.map((p) => [p.batchId, p.numInputRows]), [[0, 4], [1, 2]]);
    assert.deepEqual(MemorySinkTable.named(name).rows.map((r) => r.id), [0, 1, 2, 3, 4, 5]);
  });

  it('retries a retryable sink failure with backoff and writes the batch once', async () => {
    const name = unique('retry');
    new MemoryStream(name).addData(...rowsOf(3));
    const { reg, calls } = flakySink(2, true);
    const writer = createSession({ logger: silentLogger, registry: reg }).readStream.format('memory').option('name', name).load()
      .writeStream.format('flaky').option('name', name).option('checkpointLocation', join(root, name)).trigger({ availableNow: true });
    const plan = writer.plan();
    const fast = { ...plan, errorHandling: { ...plan.errorHandling, retry: { ...plan.errorHandling.retry, initial_backoff: 1, max_backoff: 5 } } };
    const { StreamingQuery } = await import('./query.ts');
    const q = await StreamingQuery.start(fast, { logger: silentLogger });
    await q.awaitTermination();
    assert.deepEqual(calls, [0, 0, 0]);
    assert.deepEqual(MemorySinkTable.named(name).rows.map((r) => r.id), [0, 1, 2]);
  });

  it('refuses a checkpoint that belongs to a query with a different source', async () => {
    const name = unique('mismatch');
    new MemoryStream(name).addData(...rowsOf(1));
    new MemoryStream(`${name}-other`).addData(...rowsOf(1));
    const cp = join(root, name);
    await (await createSession({ logger: silentLogger }).readStream.format('memory').option('name', name).load()
      .writeStream.format('memory').option('name', name).option('checkpointLocation', cp).trigger({ once: true }).start()).awaitTermination();
    await assert.rejects(
      createSession({ logger: silentLogger }).readStream.format('memory').option('name', `${name}-other`).load()
        .writeStream.format('memory').option('name', name).option('checkpointLocation', cp).trigger({ once: true }).start(),
      (e: unknown) => e instanceof SluiceError && e.code === ErrorCodes.CHECKPOINT_MISMATCH && /different source/.test(e.message),
    );
  });

  it('refuses a second live query on the same checkpoint', async () => {
    const name = unique('lock');
    new MemoryStream(name);
    const cp = join(root, name);
    const start = () => createSession({ logger: silentLogger }).readStream.format('memory').option('name', name).load()
      .writeStream.format('memory').option('name', name).option('checkpointLocation', cp).trigger({ processingTime: '50ms' }).start();
    const q1 = await start();
    await assert.rejects(start(), /is in use by process/).finally(() => q1.stop());
    await q1.stop();
    const q3 = await start();
    await q3.stop();
  });

  it('stops a processing-time query cleanly and reports the status', async () => {
    const name = unique('stop');
    const stream = new MemoryStream(name);
    stream.addData(...rowsOf(2));
    const q = await createSession({ logger: silentLogger }).readStream.format('memory').option('name', name).load()
      .writeStream.format('memory').option('name', name).option('checkpointLocation', join(root, name)).trigger({ processingTime: '20ms' }).start();
    await new Promise<void>((resolve) => q.once('progress', () => resolve()));
    await q.stop();
    assert.equal(q.status.message, 'Stopped');
    assert.equal(q.isActive, false);
    await q.awaitTermination();
    assert.deepEqual(MemorySinkTable.named(name).rows.length, 2);
  });

  it('reads the next batch while the sink writes the previous one, yet logs its offsets only after that commit', async () => {
    const name = unique('ahead');
    const cp = join(root, name);
    new MemoryStream(name).addData(...rowsOf(9));
    const events: string[] = [];
    const base = registry.sources.get('memory');
    assert.ok(base !== undefined);
    const traced = defineSource({
      type: 'traced',
      summary: 'test source',
      config: z.object({ name: z.string() }).strict(),
      create(cfg, ctx): Source {
        const inner = base.create({ name: cfg.name, maxRowsPerTrigger: 3 }, ctx);
        return { ...inner, readAhead: true, read: async (a, b) => (events.push(`read ${JSON.stringify(b)}`), inner.read(a, b)) };
      },
    });
    const slow = defineSink({
      type: 'slow',
      summary: 'test sink',
      config: z.object({}).strict(),
      create(): Sink<PreparedWrite & { n: number }> {
        return {
          description: 'Slow',
          identity: () => ({ type: 'slow' }),
          open: () => Promise.resolve(),
          prepare: (batch) => Promise.resolve({ n: batch.rows.length, rejected: [] }),
          async commit(prepared, batch) {
            events.push(`write ${batch.batchId}`);
            await new Promise((r) => setTimeout(r, 50));
            events.push(`written ${batch.batchId} offsets-next=${existsSync(join(cp, 'offsets', String(batch.batchId + 1)))}`);
            return { numOutputRows: prepared.n, skipped: false };
          },
          close: () => Promise.resolve(),
        };
      },
    });
    const reg: ComponentRegistry = { ...registry, sources: new Map([...registry.sources, ['traced', traced]]), sinks: new Map([...registry.sinks, ['slow', slow]]) };
    const q = await createSession({ logger: silentLogger, registry: reg }).readStream.format('traced').option('name', name).load()
      .writeStream.format('slow').option('checkpointLocation', cp).trigger({ availableNow: true }).start();
    await q.awaitTermination();
    assert.deepEqual(events, ['read 3', 'write 0', 'read 6', 'written 0 offsets-next=false', 'write 1', 'read 9', 'written 1 offsets-next=false', 'write 2', 'written 2 offsets-next=false']);
    assert.deepEqual(q.recentProgress.map((p) => p.numInputRows), [3, 3, 3]);
  });

  it('reports every API option problem at once', () => {
    assert.throws(
      () => createSession().readStream.format('memory').option('nam', 'x').load().writeStream.format('memroy').trigger({ processingTime: 'soon' }).plan(),
      (e: unknown) => {
        const msg = (e as Error).message;
        return /readStream.option\("nam"\): unknown key \(did you mean "name"\?\)/.test(msg) && /did you mean "memory"/.test(msg) && /trigger.processingTime/.test(msg);
      },
    );
  });
});
