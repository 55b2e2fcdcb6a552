// The quality stage on real batches: each expectation kind, the profile, freshness and run totals.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { ConfigError } from '../../core/errors.ts';
import { createLogger } from '../../core/logger.ts';
import { withOrigin, type Batch, type Row } from '../../core/record.ts';
import { parseDdl } from '../../schema/ddl.ts';
import { validate } from '../../config/problems.ts';
import { QualityConfigSchema } from './config.ts';
import { ExpectationFailedError, QualityStage } from './index.ts';

const S = parseDdl('id BIGINT, amount DOUBLE, country STRING, ts TIMESTAMP');
const T0 = Date.parse('2024-05-01T12:00:00Z');
/** A timestamp as the value model holds it: microseconds since the epoch. */
const ts = (ms: number, extraUs = 0): bigint => BigInt(ms) * 1000n + BigInt(extraUs);

function rows(): Row[] {
  return [
    withOrigin({ id: 1, amount: 10, country: 'DE', ts: ts(T0 - 60_000) }, { file: 'in.jsonl', line: 1 }),
    withOrigin({ id: 2, amount: -5, country: 'FR', ts: ts(T0 - 30_000) }, { file: 'in.jsonl', line: 2 }),
    withOrigin({ id: 3, amount: null, country: 'DE', ts: ts(T0 - 120_000) }, { file: 'in.jsonl', line: 3 }),
    withOrigin({ id: null, amount: 7, country: 'XX', ts: null }, { file: 'in.jsonl', line: 4 }),
  ];
}

function make(config: unknown, now = T0): QualityStage {
  return new QualityStage('dq', QualityConfigSchema.parse(config), { now: () => now });
}

function batch(batchId = 0): Batch {
  return { batchId, rows: rows(), rejected: [], schema: S };
}

type Metrics = { expectations: Record<string, { passed: number; failed: number; action: string }>; rows_dropped: number; profile: Record<string, Record<string, unknown>>; freshness: Record<string, unknown>; run: Record<string, unknown> };

describe('quality expectations', () => {
  it('expect counts failures and keeps every record; NULL results pass as in a CHECK constraint', () => {
    const st = make({ expect: { positive_amount: 'amount > 0' } });
    const out = st.process(batch());
    assert.equal(out.rows.length, 4);
    assert.equal(out.rejected.length, 0);
    const m = st.metrics() as Metrics;
    assert.deepEqual(m.expectations.positive_amount, { action: 'warn', expression: 'amount > 0', passed: 3, failed: 1 });
  });

  it('expect_or_drop removes failing records and sends them to the DLQ naming the expectations', () => {
    const st = make({ expect_or_drop: { has_id: 'id IS NOT NULL', known_country: "country IN ('DE', 'FR')" } });
    const out = st.process(batch());
    assert.deepEqual(out.rows.map((r) => r.id), [1, 2, 3]);
    assert.equal(out.rejected.length, 1);
    const r = out.rejected[0];
    assert.equal(r?.errorType, 'SCHEMA_VALIDATION');
    assert.equal(r?.stage, 'dq');
    assert.equal(r?.rule, 'has_id');
    assert.match(r?.message ?? '', /has_id \(id IS NOT NULL\), known_country/);
    assert.deepEqual(r?.origin, { file: 'in.jsonl', line: 4 });
    assert.equal((JSON.parse(r?.payload ?? '{}') as Row).country, 'XX');
    const typedPayload = make({ expect_or_drop: { not_then: "ts <> '2024-05-01 11:59:30'" } }).process(batch()).rejected[0]?.payload;
    assert.deepEqual(JSON.parse(typedPayload ?? '{}'), { id: 2, amount: -5, country: 'FR', ts: '2024-05-01T11:59:30.000Z' });
    assert.equal((st.metrics() as Metrics).rows_dropped, 1);
  });

  it('expect_or_drop with dropped_records: discard only counts', () => {
    const st = make({ expect_or_drop: { has_id: 'id IS NOT NULL' }, dropped_records: 'discard' });
    const out = st.process(batch());
    assert.equal(out.rows.length, 3);
    assert.equal(out.rejected.length, 0);
    assert.equal((st.metrics() as Metrics).expectations.has_id?.failed, 1);
  });

  it('expect_or_fail stops the batch with an error naming the expectation, the record and the batch', () => {
    const st = make({ expect_or_fail: { sane_amount: 'amount >= 0' } });
    assert.throws(() => st.process(batch(5)), (err: unknown) => {
      assert.ok(err instanceof ExpectationFailedError);
      assert.equal(err.retryable, false);
      assert.match(err.message, /expectation "sane_amount" \(amount >= 0\) failed on the record at in\.jsonl:2 in batch 5/);
      assert.equal(err.details.reason, 'EXPECTATION_FAILED');
      return true;
    });
  });

  it('sends a record whose condition cannot be evaluated to the DLQ as a processing error', () => {
    const st = make({ expect: { pattern: "country RLIKE id_pattern" } });
    const out = st.process({ batchId: 0, rows: [{ country: 'DE', id_pattern: '(' }, { country: 'DE', id_pattern: 'D.' }], rejected: [], schema: null });
    assert.equal(out.rows.length, 1);
    assert.equal(out.rejected[0]?.errorType, 'PROCESSING');
  });

  it('reports a syntax error when the configuration is loaded and an unknown column once the schema is known, with positions', () => {
    const bad = validate(QualityConfigSchema, { expect: { bad: 'amount >' } }, 'streaming.processing.stages[1].config');
    assert.ok(!bad.ok && bad.problems[0]?.path === 'streaming.processing.stages[1].config.expect.bad' && /position 9 of expression "amount >"/.test(bad.problems[0].message));
    const st = make({ expect_or_drop: { typo: 'amout > 0' } });
    assert.throws(() => st.process(batch()), (err: unknown) => err instanceof ConfigError && /stage dq: expect_or_drop\.typo.*unknown column "amout" at position 1/s.test(err.message));
    const prof = make({ profile: ['amout'] });
    assert.throws(() => prof.process(batch()), /stage dq: profile\.columns\[0\]: unknown column "amout"/);
  });

  it('refuses a stage that checks nothing and duplicate expectation names', () => {
    assert.equal(QualityConfigSchema.safeParse({}).success, false);
    assert.equal(QualityConfigSchema.safeParse({ expect: { a: 'x > 1' }, expect_or_drop: { a: 'x > 2' } }).success, false);
  });
});

describe('quality profile and freshness', () => {
  it('profiles the configured columns of the rows passed on', () => {
    const st = make({ expect_or_drop: { has_id: 'id IS NOT NULL' }, profile: { columns: ['amount', 'country'] } });
    st.process(batch());
    const m = st.metrics() as Metrics;
    assert.deepEqual(m.profile.amount, { count: 3, nulls: 1, null_rate: 0.333333, distinct_approx: 2, min: -5, max: 10, mean: 2.5 });
    assert.deepEqual(m.profile.country, { count: 3, nulls: 0, null_rate: 0, distinct_approx: 2, min: 'DE', max: 'FR', mean: null });
  });

  it('measures freshness as now minus the newest event time and flags stale data', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'warn', write: (l: string) => lines.push(l) });
    const st = new QualityStage('dq', QualityConfigSchema.parse({ freshness: { column: 'ts', warn_after: '20 seconds' } }), { now: () => T0, logger });
    st.process(batch());
    const m = st.metrics() as Metrics;
    assert.deepEqual(m.freshness, { column: 'ts', max_event_time: '2024-05-01T11:59:30.000Z', lag_ms: 30_000, stale: true });
    assert.ok(lines.some((l) => l.includes('data is stale')));
    const fresh = make({ freshness: { column: 'ts', warn_after: '1 minute' } });
    fresh.process(batch());
    assert.equal((fresh.metrics() as Metrics).freshness.stale, false);
  });

  it('keeps event times to the microsecond and reads untyped text and epoch milliseconds', () => {
    const st = make({ freshness: { column: 'ts' }, profile: ['ts'] });
    st.process({ batchId: 0, rows: [{ id: 1, ts: ts(T0 - 1000, 1) }, { id: 2, ts: ts(T0 - 1000) }, { id: 3, ts: -1n }], rejected: [], schema: S });
    const m = st.metrics() as Metrics;
    assert.equal(m.freshness.max_event_time, '2024-05-01T11:59:59.000001Z');
    assert.equal(m.freshness.lag_ms, 1000);
    // A timestamp column's range is in Spark's string form, not microseconds, and has no mean.
    assert.deepEqual([m.profile.ts?.min, m.profile.ts?.max, m.profile.ts?.mean], ['1969-12-31 23:59:59.999999', '2024-05-01 11:59:59.000001', null]);
    const untyped = make({ freshness: { column: 'at' } });
    untyped.process({ batchId: 0, rows: [{ at: '2024-05-01T11:59:00.5Z' }, { at: T0 - 90_000 }], rejected: [], schema: null });
    assert.deepEqual((untyped.metrics() as Metrics).freshness, { column: 'at', max_event_time: '2024-05-01T11:59:00.500Z', lag_ms: 59_500, stale: false });
  });

  it('profiles dates and decimals in their own order and string form', () => {
    const schema = parseDdl('d DATE, price DECIMAL(10,2)');
    const st = new QualityStage('dq', QualityConfigSchema.parse({ profile: ['d', 'price'] }));
    st.process({ batchId: 0, rows: [{ d: -719162, price: '9.50' }, { d: 2932896, price: '10.00' }, { d: 0, price: '-0.10' }], rejected: [], schema });
    const m = st.metrics() as Metrics;
    assert.deepEqual([m.profile.d?.min, m.profile.d?.max], ['0001-01-01', '9999-12-31']);
    assert.deepEqual([m.profile.price?.min, m.profile.price?.max, m.profile.price?.mean], ['-0.10', '10.00', 6.466667]);
  });

  it('keeps run totals across batches: expectation counts, merged profile, newest event time', () => {
    const st = make({ expect: { positive_amount: 'amount > 0' }, profile: ['country'], freshness: { column: 'ts' } });
    st.process(batch(0));
    st.process(batch(1));
    const run = (st.metrics() as Metrics).run;
    assert.equal(run.batches, 2);
    assert.equal(run.rows_in, 8);
    assert.deepEqual(run.expectations, { positive_amount: { action: 'warn', expression: 'amount > 0', passed: 6, failed: 2, failure_rate: 0.25 } });
    assert.equal((run.profile as Record<string, { count: number; distinct_approx: number }>).country?.count, 8);
    assert.equal((run.profile as Record<string, { count: number; distinct_approx: number }>).country?.distinct_approx, 3);
    assert.equal(run.max_event_time, '2024-05-01T11:59:30.000Z');
    assert.equal(JSON.stringify(st.metrics()).length > 0, true);
  });
});

describe('quality figures of a batch run in slices', () => {
  it('add up the slices of one batch and count the batch once in the run', () => {
    const st = make({ expect: { positive_amount: 'amount > 0' }, profile: ['country'], freshness: { column: 'ts' } });
    const all = rows();
    st.process({ batchId: 9, rows: all.slice(0, 2), rejected: [], schema: S });
    st.process({ batchId: 9, rows: all.slice(2), rejected: [], schema: S });
    const m = st.metrics() as Metrics;
    assert.equal((m as unknown as { rows_in: number }).rows_in, 4);
    assert.deepEqual(m.expectations.positive_amount, { action: 'warn', expression: 'amount > 0', passed: 3, failed: 1 });
    assert.equal(m.profile.country?.count, 4);
    assert.equal(m.profile.country?.distinct_approx, 3);
    assert.equal(m.freshness.max_event_time, '2024-05-01T11:59:30.000Z');
    assert.equal(m.run.batches, 1);
    assert.equal((m.run.profile as Record<string, { count: number }>).country?.count, 4);
  });
});
