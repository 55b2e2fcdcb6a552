// The contract every source and every sink must keep, written once and run against each of them.
import { strict as assert } from 'node:assert';
import { writeBatch } from '../../src/core/component.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ComponentContext, Offset, Sink, Source } from '../../src/core/component.ts';
import type { Batch, Row } from '../../src/core/record.ts';
import { field, struct } from '../../src/core/schema.ts';
import { componentContext } from '../support/context.ts';
import { ts } from '../support/values.ts';

export function context(dir: string, overrides: Partial<ComponentContext> = {}): ComponentContext {
  return componentContext(dir, { queryId: 'conformance-query', pipelineName: 'conformance', ...overrides });
}

export interface SourceFixture {
  readonly name: string;
  /** Makes a source over the fixture's data; a second call over the same `ctx` is a restart. */
  create(ctx: ComponentContext): Source;
  /** Makes `n` more records available (ids continue from the previous call). */
  addData(n: number): Promise<void>;
  /** The per-trigger limit the fixture configured, if any. */
  readonly limit?: number;
  /** The id of a row, to compare what was read with what was added. */
  idOf(row: Row): number;
  close?(): Promise<void>;
}

export interface SinkFixture {
  readonly name: string;
  create(ctx: ComponentContext): Sink;
  /** The ids of the rows the sink holds (or printed, or produced), in any order. */
  readBack(): Promise<number[]>;
  /** True when a batch id the sink already holds is not written twice (exactly once); false for
   * at-least-once sinks. */
  readonly idempotent: boolean;
  /** An exactly-once sink that writes a replayed batch again in place of the first (a file replaced
   * whole) instead of recognising and skipping it. */
  readonly replaces?: boolean;
  close?(): Promise<void>;
}

const json = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x instanceof Uint8Array ? Buffer.from(x).toString('base64') : x));

async function plan(source: Source, start: Offset | null, respectLimits = true): Promise<Offset | null> {
  return source.latestOffset(start, { respectLimits });
}

/** Runs the source contract against a fixture. */
export function sourceConformance(make: () => Promise<SourceFixture>): void {
  let fx: SourceFixture;
  const root = mkdtempSync(join(tmpdir(), 'sluice-conformance-'));
  // Made before the first test, so that any one test can run alone.
  before(async () => {
    fx = await make();
  });
  after(async () => {
    await fx?.close?.();
    rmSync(root, { recursive: true, force: true });
  });
  let n = 0;
  const fresh = () => context(join(root, String(++n)));

  it('reads exactly the records added, batch after batch, and plans nothing new when there is none', async () => {
    const ctx = fresh();
    const src = fx.create(ctx);
    await src.open();
    const seen: number[] = [];
    let start: Offset | null = null;
    for (const count of [7, 5]) {
      await fx.addData(count);
      for (let guard = 0; guard < 50; guard++) {
        const end = await plan(src, start);
        if (end === null || json(end) === json(start)) break;
        const data = await src.read(start, end);
        seen.push(...data.rows.map((r) => fx.idOf(r)));
        await src.commit(end);
        start = end;
      }
    }
    assert.deepEqual([...seen].sort((a, b) => a - b), Array.from({ length: 12 }, (_, i) => i));
    const again = await plan(src, start);
    assert.ok(again === null || json(again) === json(start), `planned ${json(again)} after everything was read`);
    await src.close();
  });

  it('replays a planned range identically after a restart, from offsets that went through JSON', async () => {
    const ctx = fresh();
    const first = fx.create(ctx);
    await first.open();
    await fx.addData(4);
    const end = await plan(first, null);
    assert.ok(end !== null);
    const a = await first.read(null, end);
    await first.close();
    const second = fx.create(ctx);
    await second.open();
    const b = await second.read(null, JSON.parse(JSON.stringify(end)) as Offset);
    await second.close();
    assert.ok(a.rows.length > 0);
    // Order across partitions is not part of the contract; the set of rows and their values are.
    const sorted = (rs: Row[]) => rs.map((r) => json(r)).sort();
    assert.deepEqual(sorted(b.rows), sorted(a.rows));
  });

  it('keeps each batch within its per-trigger limit unless told to ignore limits', async (t) => {
    if (fx.limit === undefined) {
      t.skip(`${fx.name} has no per-trigger limit configured`);
      return;
    }
    const src = fx.create(fresh());
    await src.open();
    await fx.addData(fx.limit * 3);
    const end = await plan(src, null);
    assert.ok(end !== null);
    const limited = await src.read(null, end);
    assert.ok(limited.rows.length <= fx.limit, `${limited.rows.length} rows in a batch limited to ${fx.limit}`);
    await src.close();
    // A planned offset is final (a source may have recorded what it covers), so the unlimited plan
    // comes from another query over the same data.
    const other = fx.create(fresh());
    await other.open();
    const all = await plan(other, null, false);
    assert.ok(all !== null);
    assert.ok((await other.read(null, all)).rows.length > fx.limit);
    await other.close();
  });

  it('has a JSON identity that is the same for every instance', () => {
    const a = fx.create(fresh());
    const b = fx.create(fresh());
    assert.equal(json(a.identity()), json(b.identity()));
    assert.deepEqual(JSON.parse(JSON.stringify(a.identity())), a.identity());
    assert.equal(typeof a.description, 'string');
  });
}

const SCHEMA = struct([field('id', 'long', false), field('name', 'string'), field('at', 'timestamp')]);
const rows = (from: number, count: number): Row[] => Array.from({ length: count }, (_, i) => ({ id: from + i, name: `row ${from + i}`, at: ts('2023-11-14T22:13:20Z') + BigInt((from + i) * 1_000_000) }));
const batch = (batchId: number, rs: Row[]): Batch => ({ batchId, rows: rs, rejected: [], schema: SCHEMA });

/** Runs the sink contract against a fixture: the two phases, replays, an empty batch, health and close.
 * The tests run in order on one sink folder; batch ids grow from test to test. */
export function sinkConformance(make: () => Promise<SinkFixture>): void {
  let fx: SinkFixture;
  const root = mkdtempSync(join(tmpdir(), 'sluice-conformance-sink-'));
  before(async () => {
    fx = await make();
  });
  after(async () => {
    await fx?.close?.();
    rmSync(root, { recursive: true, force: true });
  });
  const sorted = async (): Promise<number[]> => (await fx.readBack()).sort((a, b) => a - b);
  const ids = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

  it('writes batches so that every row can be read back', async () => {
    const sink = fx.create(context(root));
    await sink.open();
    const r0 = await writeBatch(sink, batch(0, rows(0, 5)));
    const r1 = await writeBatch(sink, batch(1, rows(5, 3)));
    assert.deepEqual([r0.numOutputRows, r1.numOutputRows, r0.skipped, r1.skipped], [5, 3, false, false]);
    assert.deepEqual(await sorted(), ids(0, 8));
    await sink.close();
  });

  it('handles a replayed batch id as its guarantee says: skipped when exactly once, written again when at least once', async () => {
    const sink = fx.create(context(root));
    await sink.open();
    const r = await writeBatch(sink, batch(1, rows(5, 3)));
    if (fx.idempotent) {
      assert.equal(r.skipped, fx.replaces !== true);
      assert.deepEqual(await sorted(), ids(0, 8));
    } else {
      assert.equal(r.skipped, false);
      assert.deepEqual(await sorted(), [0, 1, 2, 3, 4, 5, 5, 6, 6, 7, 7]);
    }
    await sink.close();
  });

  it('needs nothing of the rows after prepare, and a commit retried with the same prepared batch writes it once', async () => {
    const sink = fx.create(context(root));
    await sink.open();
    const before = await sorted();
    const b = batch(2, rows(100, 4));
    const prepared = await sink.prepare(b);
    // The engine drops the rows once they are prepared.
    b.rows = [];
    assert.deepEqual(prepared.rejected, []);
    const first = await sink.commit(prepared, { batchId: 2 });
    assert.equal(first.numOutputRows, 4);
    const again = await sink.commit(prepared, { batchId: 2 });
    const after = await sorted();
    if (fx.idempotent) {
      assert.equal(again.skipped, fx.replaces !== true);
      assert.deepEqual(after, [...before, 100, 101, 102, 103].sort((x, y) => x - y));
    } else {
      // At least once: nothing lost; a sink that remembers what was acknowledged sends nothing again.
      const added = after.filter((x) => x >= 100);
      for (const id of [100, 101, 102, 103]) {
        const n = added.filter((x) => x === id).length;
        assert.ok(n === 1 || n === 2, `row ${id} written ${n} times`);
      }
    }
    await sink.close();
  });

  it('after a crash between commit and checkpoint, the restarted sink prepares the batch again and its commit adds nothing when exactly once', async () => {
    const crashed = fx.create(context(root));
    await crashed.open();
    await writeBatch(crashed, batch(3, rows(200, 2)));
    // No close: the process died. A new instance over the same checkpoint re-runs batch 3.
    const restarted = fx.create(context(root));
    await restarted.open();
    const before = await sorted();
    const prepared = await restarted.prepare(batch(3, rows(200, 2)));
    const skips = fx.idempotent && fx.replaces !== true;
    if (skips) assert.equal(prepared.skipped, true, 'prepare says the sink holds the batch, so the engine keeps its dead letters');
    const r = await restarted.commit(prepared, { batchId: 3 });
    if (fx.idempotent) {
      assert.equal(r.skipped, skips);
      assert.deepEqual(await sorted(), before);
    } else {
      assert.equal((await sorted()).length, before.length + 2);
    }
    await restarted.close();
    await crashed.close();
  });

  it('accepts an empty batch', async () => {
    const sink = fx.create(context(root));
    await sink.open();
    const r = await writeBatch(sink, batch(4, []));
    assert.equal(r.numOutputRows, 0);
    await sink.close();
  });

  it('reports its health when it has a check, and closes twice without harm', async () => {
    const sink = fx.create(context(root));
    await sink.open();
    const h = await sink.health?.();
    if (h !== undefined) {
      assert.equal(typeof h.detail, 'string');
      assert.equal(h.healthy, true, h.detail);
    }
    await sink.close();
    await sink.close();
  });

  it('has a JSON identity that is the same for every instance', () => {
    const a = fx.create(context(root));
    const b = fx.create(context(root));
    assert.equal(json(a.identity()), json(b.identity()));
    assert.deepEqual(JSON.parse(JSON.stringify(a.identity())), a.identity());
  });
}

export { describe };
