// The `quality` stage: expectations (warn, drop, fail), a per-batch column profile and freshness,
// reported per batch under one `quality` object with the run's totals beside it.
import { defineStage, type JsonValue, type Stage } from '../../core/component.ts';
import { ConfigError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { Batch, Row } from '../../core/record.ts';
import type { DataType, StructType } from '../../core/schema.ts';
import { castFunction } from '../../expr/cast.ts';
import { formatTimestamp, parseTimestamp, timestampToEpochMs } from '../../schema/values/index.ts';
import { findColumn } from '../transform/step.ts';
import { QualityConfigSchema, type ExpectationAction, type QualityConfig } from './config.ts';
import { checkExpectations, compileExpectations, expectationList, type Expectation } from './expectations.ts';
import { ColumnProfile } from './profile.ts';

export interface QualityOptions {
  readonly logger?: Logger | undefined;
  /** The clock freshness is measured against (tests pin it). */
  readonly now?: (() => number) | undefined;
}

interface Compiled {
  readonly schema: StructType | null;
  readonly expectations: Expectation[];
  readonly profile: readonly { readonly name: string; readonly type: DataType | 'unknown' }[];
  readonly freshness: { readonly name: string; readonly eventTime: (v: unknown) => bigint | undefined } | undefined;
}

type Counts = { action: ExpectationAction; expression: string; passed: number; failed: number };

interface BatchFigures {
  readonly batchId: number;
  rows_in: number;
  rows_out: number;
  rows_dropped: number;
  rows_errored: number;
  readonly passed: Map<string, number>;
  readonly failed: Map<string, number>;
  readonly profiles: Map<string, ColumnProfile>;
  maxEventUs: bigint | undefined;
}

function copyOf(p: ColumnProfile, precision: number | undefined, type: DataType | 'unknown'): ColumnProfile {
  const c = new ColumnProfile(precision, type);
  c.merge(p);
  return c;
}

export class QualityStage implements Stage {
  private readonly list: ReturnType<typeof expectationList>;
  private readonly cache = new Map<string, Compiled>();
  private readonly now: () => number;
  private last: Record<string, JsonValue> | undefined;
  private current: BatchFigures | undefined;
  private readonly run = { batches: 0, rows_in: 0, rows_out: 0, rows_dropped: 0, rows_errored: 0 };
  private readonly runExpectations = new Map<string, Counts>();
  private readonly runProfile = new Map<string, ColumnProfile>();
  private runMaxEventUs: bigint | undefined;

  constructor(
    readonly name: string,
    private readonly config: QualityConfig,
    private readonly opts: QualityOptions = {},
  ) {
    this.list = expectationList(config);
    this.now = opts.now ?? Date.now;
    for (const e of this.list) this.runExpectations.set(e.name, { action: e.action, expression: e.expression, passed: 0, failed: 0 });
    // Compiling without a schema up front surfaces syntax errors when the stage is created.
    this.compiled(null);
  }

  private compiled(schema: StructType | null): Compiled {
    const key = schema === null ? 'null' : JSON.stringify(schema);
    let c = this.cache.get(key);
    if (c !== undefined) return c;
    const column = (path: string, name: string): { name: string; type: DataType | 'unknown' } => {
      if (schema === null) return { name, type: 'unknown' };
      const f = findColumn(schema, name);
      if (f !== undefined) return { name: f.name, type: f.type };
      throw new ConfigError([{ path: `stage ${this.name}: ${path}`, message: `unknown column ${JSON.stringify(name)}`, expected: `one of ${schema.fields.map((x) => x.name).join(', ')}` }], `stage ${this.name}`);
    };
    const fresh = this.config.freshness === undefined ? undefined : column('freshness.column', this.config.freshness.column);
    c = {
      schema,
      expectations: compileExpectations(this.name, this.list, schema),
      profile: (this.config.profile?.columns ?? []).map((n, i) => column(`profile.columns[${i}]`, n)),
      freshness: fresh === undefined ? undefined : { name: fresh.name, eventTime: eventTimeReader(fresh.type) },
    };
    if (this.cache.size > 32) this.cache.clear();
    this.cache.set(key, c);
    return c;
  }

  process(batch: Batch): Batch {
    const c = this.compiled(batch.schema);
    const r = checkExpectations(this.name, c.expectations, batch.rows, batch.batchId, this.config.dropped_records === 'dlq', c.schema);
    // The engine may run a large batch through the stages in slices: the figures are the batch's.
    let cur = this.current;
    if (cur?.batchId !== batch.batchId) {
      cur = { batchId: batch.batchId, rows_in: 0, rows_out: 0, rows_dropped: 0, rows_errored: 0, passed: new Map(), failed: new Map(), profiles: new Map(), maxEventUs: undefined };
      this.current = cur;
      this.run.batches++;
    }
    cur.rows_in += batch.rows.length;
    cur.rows_out += r.rows.length;
    cur.rows_dropped += r.dropped;
    cur.rows_errored += r.errors;
    this.run.rows_in += batch.rows.length;
    this.run.rows_out += r.rows.length;
    this.run.rows_dropped += r.dropped;
    this.run.rows_errored += r.errors;
    const expectations: Record<string, JsonValue> = {};
    c.expectations.forEach((e, i) => {
      const passed = (cur.passed.get(e.name) ?? 0) + (r.passed[i] ?? 0);
      const failed = (cur.failed.get(e.name) ?? 0) + (r.failed[i] ?? 0);
      cur.passed.set(e.name, passed);
      cur.failed.set(e.name, failed);
      expectations[e.name] = { action: e.action, expression: e.expression, passed, failed };
      const run = this.runExpectations.get(e.name);
      if (run !== undefined) {
        run.passed += r.passed[i] ?? 0;
        run.failed += r.failed[i] ?? 0;
      }
    });
    const profile: Record<string, JsonValue> = {};
    for (const { name: col, type } of c.profile) {
      const p = new ColumnProfile(this.config.profile?.precision, type);
      for (const row of r.rows) p.add(row[col]);
      const run = this.runProfile.get(col);
      if (run === undefined) this.runProfile.set(col, copyOf(p, this.config.profile?.precision, type));
      else run.merge(p);
      const acc = cur.profiles.get(col);
      if (acc === undefined) cur.profiles.set(col, p);
      else acc.merge(p);
      profile[col] = (acc ?? p).toJSON();
    }
    const out: Record<string, JsonValue> = {
      kind: 'quality',
      batchId: batch.batchId,
      rows_in: cur.rows_in,
      rows_out: cur.rows_out,
      rows_dropped: cur.rows_dropped,
      rows_errored: cur.rows_errored,
      expectations,
    };
    if (c.profile.length > 0) out.profile = profile;
    if (c.freshness !== undefined) out.freshness = this.freshness(cur, c.freshness, r.rows);
    out.run = this.summary();
    this.last = out;
    return { ...batch, rows: r.rows, rejected: r.rejected.length === 0 ? batch.rejected : [...batch.rejected, ...r.rejected] };
  }

  private freshness(cur: BatchFigures, column: NonNullable<Compiled['freshness']>, rows: readonly Row[]): Record<string, JsonValue> {
    let max = cur.maxEventUs;
    for (const row of rows) {
      const t = column.eventTime(row[column.name]);
      if (t !== undefined && (max === undefined || t > max)) max = t;
    }
    cur.maxEventUs = max;
    if (max !== undefined && (this.runMaxEventUs === undefined || max > this.runMaxEventUs)) this.runMaxEventUs = max;
    const newest = max ?? this.runMaxEventUs;
    const lag = newest === undefined ? null : this.now() - timestampToEpochMs(newest);
    const limit = this.config.freshness?.warn_after;
    const stale = lag !== null && limit !== undefined && lag > limit;
    if (stale && newest !== undefined) this.opts.logger?.warn('data is stale', { stage: this.name, column: column.name, newestEventTime: formatTimestamp(newest), lagMs: lag, warnAfterMs: limit });
    return { column: column.name, max_event_time: max === undefined ? null : formatTimestamp(max), lag_ms: lag, stale };
  }

  /** Totals since the stage started: expectation counts, the merged profile, the newest event time. */
  summary(): Record<string, JsonValue> {
    const expectations: Record<string, JsonValue> = {};
    for (const [name, c] of this.runExpectations) expectations[name] = { ...c, failure_rate: c.passed + c.failed === 0 ? 0 : Math.round((c.failed / (c.passed + c.failed)) * 1e6) / 1e6 };
    const out: Record<string, JsonValue> = { ...this.run, expectations };
    if (this.runProfile.size > 0) out.profile = Object.fromEntries([...this.runProfile].map(([k, p]) => [k, p.toJSON()]));
    if (this.config.freshness !== undefined) out.max_event_time = this.runMaxEventUs === undefined ? null : formatTimestamp(this.runMaxEventUs);
    return out;
  }

  metrics(): Record<string, unknown> {
    return this.last ?? { kind: 'quality', run: this.summary() };
  }

  close(): Promise<void> {
    if (this.run.batches > 0) this.opts.logger?.info('quality summary', { stage: this.name, ...this.summary() });
    return Promise.resolve();
  }
}

/** Reads a column's event time as a timestamp (microseconds): timestamps as they are, dates at
 * midnight, text as Spark's CAST reads it, and untyped numbers as epoch milliseconds. */
function eventTimeReader(type: DataType | 'unknown'): (v: unknown) => bigint | undefined {
  if (type === 'timestamp' || type === 'timestamp_ntz' || type === 'date') {
    const cast = castFunction('timestamp', type);
    return (v) => {
      if (typeof v === 'bigint') return v;
      return v === null || v === undefined ? undefined : ((cast(v) as bigint | null) ?? undefined);
    };
  }
  return (v) => {
    if (typeof v === 'string') return parseTimestamp(v);
    if (typeof v === 'number') return Number.isFinite(v) ? BigInt(Math.floor(v * 1000)) : undefined;
    if (typeof v === 'bigint') return v * 1000n;
    return undefined;
  };
}

export const qualityStage = defineStage({
  type: 'quality',
  summary: 'Expectations as in Delta Live Tables (expect, expect_or_drop, expect_or_fail), a per-batch column profile and freshness.',
  config: QualityConfigSchema,
  // Expectations drop or stop rows, never change columns: the schema passes through.
  plan: (_config, input) => ({ output: input, problems: [] }),
  create: (config, ctx) => new QualityStage(ctx.stageName, config, { logger: ctx.logger }),
});

export { QualityConfigSchema, type QualityConfig } from './config.ts';
export { ExpectationFailedError } from './expectations.ts';
export { HyperLogLog } from './hll.ts';
