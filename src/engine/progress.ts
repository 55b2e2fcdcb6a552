// StreamingQueryProgress and StreamingQueryStatus, with Spark's field names, plus a human line.
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
}

export interface StreamingQueryStatus {
  message: string;
  isDataAvailable: boolean;
  isTriggerActive: boolean;
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
  return parts.join(' | ');
}

const EPOCH = new Date(0).toISOString();

function fmt(n: number): string {
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1);
}
