// The `quality` stage: expectations (warn, drop, fail), a per-batch column profile and freshness,
// reported per batch under one `quality` object with the run's totals beside it.
import { defineStage, type JsonValue, type Stage } from '../../core/component.ts';
import { ConfigError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { Batch, Row } from '../../core/record.ts';
import type { StructType } from '../../core/schema.ts';
import { parseTimestampText } from '../../expr/timestamps.ts';
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
  readonly expectations: Expectation[];
  readonly profile: readonly string[];
  readonly freshness: string | undefined;
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
  maxEventMs: number | undefined;
}

function copyOf(p: ColumnProfile, precision: number | undefined): ColumnProfile {
  const c = new ColumnProfile(precision);
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
  private runMaxEventMs: number | undefined;

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
    const column = (path: string, name: string): string => {
      if (schema === null) return name;
      const f = findColumn(schema, name);
      if (f !== undefined) return f.name;
      throw new ConfigError([{ path: `stage ${this.name}: ${path}`, message: `unknown column ${JSON.stringify(name)}`, expected: `one of ${schema.fields.map((x) => x.name).join(', ')}` }], `stage ${this.name}`);
    };
    c = {
      expectations: compileExpectations(this.name, this.list, schema),
      profile: (this.config.profile?.columns ?? []).map((n, i) => column(`profile.columns[${i}]`, n)),
      freshness: this.config.freshness === undefined ? undefined : column('freshness.column', this.config.freshness.column),
    };
    if (this.cache.size > 32) this.cache.clear();
    this.cache.set(key, c);
    return c;
  }

  process(batch: Batch): Batch {
    const c = this.compiled(batch.schema);
    const r = checkExpectations(this.name, c.expectations, batch.rows, batch.batchId, this.config.dropped_records === 'dlq');
    // The engine may run a large batch through the stages in slices: the figures are the batch's.
    let cur = this.current;
    if (cur?.batchId !== batch.batchId) {
      cur = { batchId: batch.batchId, rows_in: 0, rows_out: 0, rows_dropped: 0, rows_errored: 0, passed: new Map(), failed: new Map(), profiles: new Map(), maxEventMs: undefined };
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
    for (const col of c.profile) {
      const p = new ColumnProfile(this.config.profile?.precision);
      for (const row of r.rows) p.add(row[col]);
      const run = this.runProfile.get(col);
      if (run === undefined) this.runProfile.set(col, copyOf(p, this.config.profile?.precision));
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

  private freshness(cur: BatchFigures, column: string, rows: readonly Row[]): Record<string, JsonValue> {
    let max = cur.maxEventMs;
    for (const row of rows) {
      const t = eventTimeMs(row[column]);
      if (t !== undefined && (max === undefined || t > max)) max = t;
    }
    cur.maxEventMs = max;
    if (max !== undefined && (this.runMaxEventMs === undefined || max > this.runMaxEventMs)) this.runMaxEventMs = max;
    const newest = max ?? this.runMaxEventMs;
    const lag = newest === undefined ? null : this.now() - newest;
    const limit = this.config.freshness?.warn_after;
    const stale = lag !== null && limit !== undefined && lag > limit;
    if (stale) this.opts.logger?.warn('data is stale', { stage: this.name, column, newestEventTime: new Date(newest ?? 0).toISOString(), lagMs: lag, warnAfterMs: limit });
    return { column, max_event_time: max === undefined ? null : new Date(max).toISOString(), lag_ms: lag, stale };
  }

  /** Totals since the stage started: expectation counts, the merged profile, the newest event time. */
  summary(): Record<string, JsonValue> {
    const expectations: Record<string, JsonValue> = {};
    for (const [name, c] of this.runExpectations) expectations[name] = { ...c, failure_rate: c.passed + c.failed === 0 ? 0 : Math.round((c.failed / (c.passed + c.failed)) * 1e6) / 1e6 };
    const out: Record<string, JsonValue> = { ...this.run, expectations };
    if (this.runProfile.size > 0) out.profile = Object.fromEntries([...this.runProfile].map(([k, p]) => [k, p.toJSON()]));
    if (this.config.freshness !== undefined) out.max_event_time = this.runMaxEventMs === undefined ? null : new Date(this.runMaxEventMs).toISOString();
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

/** Event time as epoch milliseconds: timestamps, ISO text, or numbers taken as milliseconds. */
function eventTimeMs(v: unknown): number | undefined {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : v.getTime();
  if (typeof v === 'string') return parseTimestampText(v)?.getTime();
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'bigint') return Number(v);
  return undefined;
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
