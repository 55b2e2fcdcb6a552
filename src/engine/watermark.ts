// Event-time statistics of a batch and the watermark they advance (max event time minus the delay).
import type { Row } from '../core/record.ts';
import { parseTimestamp, timestampToEpochMs } from '../schema/values/temporal.ts';

export interface EventTimeStats {
  readonly maxMs: number | undefined;
  /** Spark's progress `eventTime` map: avg, max, min, watermark as ISO strings. */
  readonly progress: Record<string, string>;
}

export function eventTimeStats(rows: readonly Row[], column: string | undefined, watermarkMs: number): EventTimeStats {
  if (column === undefined) return { maxMs: undefined, progress: {} };
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let n = 0;
  for (const row of rows) {
    const ms = toMillis(row[column]);
    if (ms === undefined) continue;
    if (ms < min) min = ms;
    if (ms > max) max = ms;
    sum += ms;
    n++;
  }
  const progress: Record<string, string> = { watermark: new Date(watermarkMs).toISOString() };
  if (n === 0) return { maxMs: undefined, progress };
  progress.min = new Date(min).toISOString();
  progress.max = new Date(max).toISOString();
  progress.avg = new Date(Math.round(sum / n)).toISOString();
  return { maxMs: max, progress };
}

/** Milliseconds of an event time: a timestamp of the value model, or timestamp text in a batch
 * whose schema is not known yet. */
function toMillis(v: unknown): number | undefined {
  if (typeof v === 'bigint') return timestampToEpochMs(v);
  if (typeof v === 'string') {
    const us = parseTimestamp(v);
    return us === undefined ? undefined : timestampToEpochMs(us);
  }
  return undefined;
}
