// StreamingQueryProgress with Spark's field names, built from a finished batch, plus a human line.
import type { JsonValue, Offset } from '../core/component.ts';

export interface SourceProgress {
  description: string;
  startOffset: Offset | null;
  endOffset: Offset | null;
  latestOffset: Offset | null;
  numInputRows: number;
  inputRowsPerSecond: number;
  processedRowsPerSecond: number;
  metrics: Record<string, string>;
}

export interface SinkProgress {
  description: string;
  numOutputRows: number;
  metrics: Record<string, string>;
}

export interface StreamingQueryProgress {
  id: string;
  runId: string;
  name: string;
  timestamp: string;
  batchId: number;
  batchDuration: number;
  numInputRows: number;
  inputRowsPerSecond: number;
  processedRowsPerSecond: number;
  durationMs: Record<string, number>;
  eventTime: Record<string, string>;
  stateOperators: JsonValue[];
  sources: SourceProgress[];
  sink: SinkProgress;
  /** Records the batch could not process (sluice's addition to Spark's fields). */
  numRejectedRows: number;
  rejectedPath: string | null;
  /** True when the sink already held this batch (a replay after a crash) and wrote nothing. */
  sinkSkipped: boolean;
  /** Per-stage figures (validation statistics, quality) keyed by stage name. */
  stages: Record<string, JsonValue>;
  /** Data quality of the batch (expectations, column profile, freshness, run totals) keyed by quality
   * stage name; absent when the pipeline has no quality stage. Built by `collectQuality(stages)`. */
  quality?: Record<string, JsonValue>;
}

/** The quality stages' figures among all stage metrics (they carry `kind: 'quality'`). */
export function collectQuality(stages: Record<string, JsonValue>): Record<string, JsonValue> | undefined {
  const out: Record<string, JsonValue> = {};
  let any = false;
  for (const [name, m] of Object.entries(stages)) {
    if (m !== null && typeof m === 'object' && !Array.isArray(m) && m.kind === 'quality') {
      out[name] = m;
      any = true;
    }
  }
  return any ? out : undefined;
}

function qualityPart(quality: Record<string, JsonValue>): string | undefined {
  let failed = 0;
  let dropped = 0;
  let stale = false;
  for (const m of Object.values(quality)) {
    if (m === null || typeof m !== 'object' || Array.isArray(m)) continue;
    if (typeof m.rows_dropped === 'number') dropped += m.rows_dropped;
    const exps = m.expectations;
    if (exps !== null && typeof exps === 'object' && !Array.isArray(exps)) {
      for (const e of Object.values(exps)) if (e !== null && typeof e === 'object' && !Array.isArray(e) && typeof e.failed === 'number') failed += e.failed;
    }
    const f = m.freshness;
    if (f !== null && typeof f === 'object' && !Array.isArray(f) && f.stale === true) stale = true;
  }
  if (failed === 0 && dropped === 0 && !stale) return undefined;
  return `quality: ${failed} expectation failure${failed === 1 ? '' : 's'}${dropped > 0 ? `, ${dropped} dropped` : ''}${stale ? ', stale data' : ''}`;
}

/** What a finished batch tells its progress report. */
export interface BatchFacts {
  readonly query: { readonly id: string; readonly runId: string; readonly name: string };
  readonly batchId: number;
  readonly timestampMs: number;
  /** Since the previous trigger started (or this batch's duration for the first). */
  readonly sinceLastMs: number;
  readonly durations: Readonly<Record<string, number>>;
  readonly numInputRows: number;
  readonly source: { readonly description: string; readonly start: JsonValue; readonly end: JsonValue; readonly metrics: Record<string, string> };
  readonly sink: { readonly description: string; readonly metrics: Record<string, string>; readonly result: { readonly numOutputRows: number; readonly skipped: boolean; readonly details?: Record<string, JsonValue> } };
  readonly eventTime: Record<string, string>;
  readonly numRejectedRows: number;
  readonly rejectedPath: string | null;
  readonly stages: Record<string, JsonValue>;
  readonly quality: Record<string, JsonValue> | undefined;
}

/** Spark's StreamingQueryProgress of one batch. */
export function batchProgress(f: BatchFacts): StreamingQueryProgress {
  const total = f.durations.triggerExecution ?? 0;
  const inputRowsPerSecond = rate(f.numInputRows, f.sinceLastMs);
  const processedRowsPerSecond = rate(f.numInputRows, total);
  const sinkMetrics: Record<string, string> = { ...f.sink.metrics };
  for (const [k, v] of Object.entries(f.sink.result.details ?? {})) sinkMetrics[k] = typeof v === 'string' ? v : JSON.stringify(v);
  return {
    id: f.query.id,
    runId: f.query.runId,
    name: f.query.name,
    timestamp: new Date(f.timestampMs).toISOString(),
    batchId: f.batchId,
    batchDuration: total,
    numInputRows: f.numInputRows,
    inputRowsPerSecond,
    processedRowsPerSecond,
    durationMs: { ...f.durations },
    eventTime: f.eventTime,
    stateOperators: [],
    sources: [{
      description: f.source.description,
      startOffset: f.source.start,
      endOffset: f.source.end,
      latestOffset: f.source.end,
      numInputRows: f.numInputRows,
      inputRowsPerSecond,
      processedRowsPerSecond,
      metrics: f.source.metrics,
    }],
    sink: { description: f.sink.description, numOutputRows: f.sink.result.skipped ? 0 : f.sink.result.numOutputRows, metrics: sinkMetrics },
    numRejectedRows: f.numRejectedRows,
    rejectedPath: f.rejectedPath,
    sinkSkipped: f.sink.result.skipped,
    stages: f.stages,
    ...(f.quality === undefined ? {} : { quality: f.quality }),
  };
}

export function rate(rows: number, ms: number): number {
  return ms <= 0 ? 0 : Math.round((rows * 100_000) / ms) / 100;
}

/** One short line per batch for people; the JSON form carries everything. */
export function formatProgressLine(p: StreamingQueryProgress): string {
  const d = p.durationMs;
  const parts = [
    `batch ${p.batchId}`,
    `${p.numInputRows} rows in`,
    `${p.sink.numOutputRows} written${p.sinkSkipped ? ' (already in sink, skipped)' : ''}`,
  ];
  if (p.numRejectedRows > 0) parts.push(`${p.numRejectedRows} rejected`);
  parts.push(`${fmt(p.processedRowsPerSecond)} rows/s`, `${d.triggerExecution ?? 0} ms`);
  const version = p.sink.metrics.version;
  if (version !== undefined) parts.push(`table version ${version}`);
  if (p.eventTime.watermark !== undefined && p.eventTime.watermark !== EPOCH) parts.push(`watermark ${p.eventTime.watermark}`);
  const quality = p.quality === undefined ? undefined : qualityPart(p.quality);
  if (quality !== undefined) parts.push(quality);
  const failedRules = rulePart(p.stages);
  if (failedRules !== undefined) parts.push(failedRules);
  return parts.join(' | ');
}

/** Validation rules that failed in the batch, from stage figures shaped `rules: {name: {failed}}`. */
function rulePart(stages: Record<string, JsonValue>): string | undefined {
  const failed: string[] = [];
  for (const m of Object.values(stages)) {
    const rules = m !== null && typeof m === 'object' && !Array.isArray(m) ? m.rules : undefined;
    if (rules === null || typeof rules !== 'object' || Array.isArray(rules) || rules === undefined) continue;
    for (const [name, r] of Object.entries(rules)) {
      const n = r !== null && typeof r === 'object' && !Array.isArray(r) ? r.failed : undefined;
      if (typeof n === 'number' && n > 0) failed.push(`${name} ${n}`);
    }
  }
  return failed.length === 0 ? undefined : `failed rules: ${failed.join(', ')}`;
}

const EPOCH = new Date(0).toISOString();

function fmt(n: number): string {
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1);
}
