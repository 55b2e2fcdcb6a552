// The StreamingQuery handle: its typed state through a run, its typed events, and that nothing
// outside the engine can write to it.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { z } from 'zod';
import { createSession, type TriggerSpec } from '../api/session.ts';
import { registry } from '../builtins/index.ts';
import { defineSink, type PreparedWrite, type Sink } from '../core/component.ts';
import { ErrorCodes, SluiceError } from '../core/errors.ts';
import { silentLogger } from '../core/logger.ts';
import type { Rejected, Row } from '../core/record.ts';
import { field, struct } from '../core/schema.ts';
import { MemoryStream } from '../connectors/memory/index.ts';
import type { ComponentRegistry } from '../plan/plan.ts';
import type { StreamingQueryProgress } from './progress.ts';
import { StreamingQuery } from './query.ts';
import type { BatchReport, RetryWait, StreamingQueryStatus } from './status.ts';

const root = mkdtempSync(join(tmpdir(), 'sluice-handle-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const unique = (p: string) => `${p}-${process.pid}-${++n}`;

const SCHEMA = struct([field('id', 'long', false)]);

/** A sink that sets aside rows with an odd id and fails its first `failures` commits. */
function scriptedRegistry(failures: number, retryable: boolean): ComponentRegistry {
  let failed = 0;
  const def = defineSink({
    type: 'scripted',
    summary: 'test sink',
    config: z.object({}).strict(),
    create(): Sink<PreparedWrite & { n: number }> {
      return {
        description: 'Scripted',
        identity: () => ({ type: 'scripted' }),
        open: () => Promise.resolve(),
        prepare(batch) {
          const odd = batch.rows.filter((r) => Number(r.id) % 2 === 1);
          const rejected: Rejected[] = odd.map((r) => ({ errorType: 'SINK_WRITE', stage: 'sink', message: `odd id ${String(r.id)}`, payload: JSON.stringify(r), origin: {} }));
          return Promise.resolve({ n: batch.rows.length - odd.length, rejected });
        },
        commit(prepared) {
          if (failed < failures) {
            failed++;
            return Promise.reject(new SluiceError(ErrorCodes.SINK_WRITE, `injected failure ${failed}`, { retryable }));
          }
          return Promise.resolve({ numOutputRows: prepared.n, skipped: false });
        },
        close: () => Promise.resolve(),
      };
    },
  });
  return { ...registry, sinks: new Map([...registry.sinks, ['scripted', def]]) };
}

async function start(rows: number, trigger: TriggerSpec, reg = scriptedRegistry(0, false), maxRows = 2): Promise<StreamingQuery> {
  const name = unique('q');
  new MemoryStream(name, SCHEMA).addData(...Array.from({ length: rows }, (_, i): Row => ({ id: i })));
  const writer = createSession({ logger: silentLogger, registry: reg }).readStream.format('memory').option('name', name).option('maxRowsPerTrigger', maxRows).load()
    .writeStream.format('scripted').option('checkpointLocation', join(root, name)).trigger(trigger);
  const plan = writer.plan();
  // Backoffs of a millisecond keep the retry test short; the waits are still real.
  const fast = { ...plan, errorHandling: { ...plan.errorHandling, retry: { ...plan.errorHandling.retry, initial_backoff: 1, max_backoff: 2 } } };
  return StreamingQuery.start(fast, { logger: silentLogger });
}

function shown(s: StreamingQueryStatus): string {
  if (s.state === 'processing') return `processing ${s.batchId}`;
  if (s.state === 'backing-off') return `backing-off (attempt ${s.retry.attempt})`;
  return s.state;
}

describe('the StreamingQuery handle', () => {
  it('reports each state of an available-now run as a typed event, from initializing to stopped', async () => {
    const q = await start(4, { availableNow: true });
    const states: string[] = [];
    let first: StreamingQueryStatus | undefined;
    q.on('state', (s, prev) => {
      first ??= prev;
      states.push(shown(s));
    });
    let terminated: unknown = 'not yet';
    q.on('terminated', (e) => (terminated = e));
    await q.awaitTermination();
    assert.equal(first?.state, 'initializing');
    assert.equal(first.message, 'Initializing');
    assert.deepEqual(states, ['planning', 'processing 0', 'planning', 'processing 1', 'planning', 'waiting', 'stopped']);
    assert.deepEqual(q.status, { state: 'stopped', message: 'Stopped', isDataAvailable: false, isTriggerActive: false });
    assert.equal(q.isActive, false);
    assert.equal(terminated, undefined);
  });

  it('reports each batch with its schema and the records set aside, just before its progress', async () => {
    const q = await start(4, { availableNow: true });
    const seen: string[] = [];
    const reports: BatchReport[] = [];
    q.on('batch', (b) => {
      seen.push(`batch ${b.progress.batchId}`);
      reports.push(b);
    });
    q.on('progress', (p: StreamingQueryProgress) => {
      seen.push(`progress ${p.batchId}`);
      assert.equal(p, reports[reports.length - 1]?.progress);
    });
    await q.awaitTermination();
    assert.deepEqual(seen, ['batch 0', 'progress 0', 'batch 1', 'progress 1']);
    assert.deepEqual(reports.map((b) => b.rejected.map((r) => r.message)), [['odd id 1'], ['odd id 3']]);
    assert.deepEqual(reports.map((b) => b.progress.numRejectedRows), [1, 1]);
    assert.deepEqual(reports.map((b) => b.schema), [SCHEMA, SCHEMA]);
    assert.deepEqual(q.lastSchema, SCHEMA);
  });

  it('shows a retry wait as the backing-off state with the failed attempt, then goes back to processing', async () => {
    const q = await start(2, { availableNow: true }, scriptedRegistry(2, true));
    const states: string[] = [];
    const waits: RetryWait[] = [];
    const during: StreamingQueryStatus[] = [];
    q.on('state', (s) => {
      states.push(shown(s));
      if (s.state === 'backing-off') during.push(s);
    });
    q.on('backoff', (w) => waits.push(w));
    await q.awaitTermination();
    assert.deepEqual(states, ['planning', 'processing 0', 'backing-off (attempt 1)', 'backing-off (attempt 2)', 'processing 0', 'planning', 'waiting', 'stopped']);
    assert.deepEqual(waits.map((w) => [w.what, w.attempt, w.error]), [
      ['sink Scripted: writing batch 0', 1, 'injected failure 1'],
      ['sink Scripted: writing batch 0', 2, 'injected failure 2'],
    ]);
    for (const [i, s] of during.entries()) {
      assert.ok(s.state === 'backing-off');
      assert.equal(s.retry, waits[i]);
      assert.equal(s.isTriggerActive, true);
      assert.equal(s.isDataAvailable, true);
      assert.match(s.message, /^Waiting to retry sink Scripted: writing batch 0 \(attempt \d failed: injected failure \d\)$/);
    }
  });

  it('waits between processing-time triggers in the waiting state, as Spark reports it', async () => {
    const q = await start(2, { processingTime: '1 hour' });
    try {
      const waiting = await new Promise<StreamingQueryStatus>((resolve) => q.on('state', (s) => s.state === 'waiting' && resolve(s)));
      assert.deepEqual(waiting, { state: 'waiting', message: 'Waiting for next trigger', isDataAvailable: true, isTriggerActive: false });
      assert.equal(q.lastProgress?.batchId, 0);
      assert.equal(q.isActive, true);
    } finally {
      await q.stop();
    }
    assert.equal(q.status.state, 'stopped');
  });

  it('ends in the failed state with the error code and message, and reports the error once when it terminates', async () => {
    const q = await start(2, { availableNow: true }, scriptedRegistry(1, false));
    const ends: unknown[] = [];
    q.on('terminated', (e) => ends.push(e));
    await assert.rejects(q.awaitTermination(), /injected failure 1/);
    assert.deepEqual(q.status, { state: 'failed', code: 'SLUICE_SINK_WRITE', error: 'injected failure 1', message: 'Failed', isDataAvailable: false, isTriggerActive: false });
    assert.equal(q.isActive, false);
    assert.deepEqual(ends, [q.exception]);
    assert.equal(q.exception?.code, ErrorCodes.SINK_WRITE);
  });

  it('keeps its state out of reach: no field can be written, and recentProgress is a copy', async () => {
    const q = await start(4, { availableNow: true });
    await q.awaitTermination();
    const views = ['id', 'runId', 'name', 'status', 'exception', 'isActive', 'lastProgress', 'recentProgress', 'lastActivityMs', 'lastSchema', 'sinkDescription'];
    for (const k of views) {
      const d = Object.getOwnPropertyDescriptor(StreamingQuery.prototype, k);
      assert.ok(d?.get !== undefined && d.set === undefined, `${k} is a getter without a setter`);
      assert.equal(Object.hasOwn(q, k), false, `${k} is not an own field`);
      assert.equal(Reflect.set(q, k, 'overwritten'), false, `${k} refuses a write`);
    }
    const list = q.recentProgress as StreamingQueryProgress[];
    list.length = 0;
    assert.deepEqual(q.recentProgress.map((p) => p.batchId), [0, 1]);
    assert.equal(q.status.state, 'stopped');
  });
});
