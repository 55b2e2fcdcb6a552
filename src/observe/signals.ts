// What monitoring derives from each batch (latency, rejections by cause, stage figures) and the
// named signals alert rules compare against thresholds.
import type { JsonValue } from '../core/component.ts';
import type { Rejected } from '../core/record.ts';
import type { StreamingQueryProgress } from '../engine/progress.ts';

export interface RejectionCount {
  readonly stage: string;
  readonly errorType: string;
  readonly rule?: string;
  readonly count: number;
}

/** Facts about one committed batch beyond its progress object. */
export interface BatchFacts {
  readonly committedAtMs: number;
  /** Commit time minus the batch's average event time; undefined without an event-time column. */
  readonly latencySeconds: number | undefined;
  readonly rejections: readonly RejectionCount[];
  readonly stageRuleFailures: readonly { stage: string; rule: string; count: number }[];
  readonly quality: readonly { stage: string; measure: string; value: number }[];
  readonly schemaVersion: number;
  /** Records behind the source's latest offset, or files pending for a file source. */
  readonly lag: number | undefined;
}

/** Counts the batch's rejected records by stage, type and rule. */
export function countRejections(p: StreamingQueryProgress, rejected: readonly Rejected[]): RejectionCount[] {
  if (p.numRejectedRows === 0) return [];
  const byKey = new Map<string, { stage: string; errorType: string; rule?: string; count: number }>();
  for (const r of rejected) {
    const key = `${r.stage}\u0000${r.errorType}\u0000${r.rule ?? ''}`;
    const prev = byKey.get(key);
    if (prev === undefined) byKey.set(key, { stage: r.stage, errorType: r.errorType, ...(r.rule === undefined ? {} : { rule: r.rule }), count: 1 });
    else prev.count++;
  }
  // Records the listener did not see (a progress replayed from elsewhere) still count.
  if (rejected.length < p.numRejectedRows) byKey.set('?', { stage: 'unknown', errorType: 'PROCESSING', count: p.numRejectedRows - rejected.length });
  return [...byKey.values()];
}

export function latencySeconds(p: StreamingQueryProgress, committedAtMs: number): number | undefined {
  const avg = p.eventTime.avg === undefined ? NaN : Date.parse(p.eventTime.avg);
  return Number.isNaN(avg) ? undefined : Math.max(0, (committedAtMs - avg) / 1000);
}

export function sourceLag(p: StreamingQueryProgress): number | undefined {
  let total: number | undefined;
  for (const s of p.sources) {
    const v = s.metrics.maxOffsetsBehindLatest ?? s.metrics.numFilesOutstanding;
    const n = v === undefined ? NaN : Number(v);
    if (Number.isFinite(n)) total = (total ?? 0) + n;
  }
  return total;
}

/** One point per batch for charts: small, so that days of history stay cheap. */
export interface HistoryPoint {
  readonly t: number;
  readonly batchId: number;
  readonly rowsIn: number;
  readonly rowsOut: number;
  readonly inputRowsPerSecond: number;
  readonly processedRowsPerSecond: number;
  readonly durationMs: number;
  readonly latencySeconds: number | null;
  readonly rejected: number;
  readonly errors: number;
  readonly lag: number | null;
}

export function toPoint(p: StreamingQueryProgress, f: BatchFacts): HistoryPoint {
  return {
    t: f.committedAtMs,
    batchId: p.batchId,
    rowsIn: p.numInputRows,
    rowsOut: p.sink.numOutputRows,
    inputRowsPerSecond: p.inputRowsPerSecond,
    processedRowsPerSecond: p.processedRowsPerSecond,
    durationMs: p.batchDuration,
    latencySeconds: f.latencySeconds ?? null,
    rejected: p.numRejectedRows,
    errors: f.rejections.filter((r) => r.errorType !== 'SCHEMA_VALIDATION').reduce((s, r) => s + r.count, 0),
    lag: f.lag ?? null,
  };
}

export interface ProcessFigures {
  readonly rssBytes: number;
  readonly eventLoopLagSeconds: number;
}

/** The named signals of alert rules, from the recent batches and the process. */
export function computeSignals(points: readonly HistoryPoint[], nowMs: number, proc: ProcessFigures, lastActivityMs: number): Record<string, number | undefined> {
  const last = points[points.length - 1];
  const prev = points[points.length - 2];
  const recent = points.filter((p) => p.t >= nowMs - 60_000);
  const rowsIn = recent.reduce((s, p) => s + p.rowsIn, 0);
  const bad = recent.reduce((s, p) => s + p.rejected, 0);
  return {
    errorRate: rowsIn === 0 ? 0 : bad / rowsIn,
    rejectedRows: last?.rejected ?? 0,
    latencySeconds: last?.latencySeconds ?? undefined,
    lagRecords: last?.lag ?? undefined,
    lagGrowth: last?.lag == null || prev?.lag == null ? undefined : last.lag - prev.lag,
    secondsSinceLastBatch: (nowMs - (last?.t ?? lastActivityMs)) / 1000,
    inputRowsPerSecond: last?.inputRowsPerSecond,
    processedRowsPerSecond: last?.processedRowsPerSecond,
    batchDurationSeconds: last === undefined ? undefined : last.durationMs / 1000,
    rssBytes: proc.rssBytes,
    eventLoopLagSeconds: proc.eventLoopLagSeconds,
  };
}

/** A dotted path into the last progress (`sources.0.metrics.numFilesOutstanding`), as a number. */
export function progressField(p: StreamingQueryProgress | undefined, path: string): number | undefined {
  let v: unknown = p;
  for (const key of path.split('.')) {
    if (Array.isArray(v)) v = (v as unknown[])[Number(key)];
    else if (isObject(v)) v = v[key];
    else return undefined;
  }
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : typeof v === 'boolean' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

function isObject(v: unknown): v is Record<string, JsonValue> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
