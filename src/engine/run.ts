// The mutable state of one run of a query: where it stands in the stream, its status, its recent
// progress. Written only by the engine (trigger loop, recovery, batch phases); the StreamingQuery
// handle reads it, and every change of state goes out as a typed event.
import type { EventEmitter } from 'node:events';
import type { Offset } from '../core/component.ts';
import { ErrorCodes, SluiceError, errorMessage } from '../core/errors.ts';
import type { StructType } from '../core/schema.ts';
import type { QueryParts } from './bootstrap.ts';
import type { StreamingQueryProgress } from './progress.ts';
import { ReadAhead } from './read-ahead.ts';
import { withRetry, type RetryEvent } from './retry.ts';
import { Status, type BatchReport, type QueryEvents, type RetryWait, type StreamingQueryStatus } from './status.ts';

export interface RunOptions {
  /** How many recent progress objects to keep (Spark keeps 100). */
  readonly progressRetention?: number;
  /** Idle wait between polls when the trigger interval is 0 and no data came. */
  readonly idlePollMs?: number;
}

export class QueryRun {
  status: StreamingQueryStatus = Status.initializing();
  exception: SluiceError | undefined;
  /** When the loop last started a trigger or finished a batch (for liveness checks). */
  lastActivityMs = Date.now();
  /** The schema of the last batch handed to the sink. */
  lastSchema: StructType | null = null;
  readonly progress: StreamingQueryProgress[] = [];
  stopRequested = false;

  /** The end offset of the last committed batch; the next batch starts there. */
  committed: Offset | null = null;
  nextBatchId = 0;
  /** The watermark the next batch runs with (epoch ms). */
  watermarkMs = 0;
  /** When the previous trigger started (0: none yet), for Spark's inputRowsPerSecond. */
  lastTriggerStart = 0;
  readonly readAhead: ReadAhead;
  /** The status a retry's backoff interrupted, restored when the retry ends. */
  private beforeBackoff: StreamingQueryStatus | undefined;

  constructor(
    readonly parts: QueryParts,
    readonly opts: RunOptions,
    private readonly events: EventEmitter<QueryEvents>,
  ) {
    this.readAhead = new ReadAhead(parts.source, parts.plan.trigger, parts.logger);
  }

  setStatus(next: StreamingQueryStatus): void {
    const prev = this.status;
    if (prev.state === next.state && prev.message === next.message && batchOf(prev) === batchOf(next)) return;
    this.status = next;
    this.events.emit('state', next, prev);
  }

  /** Records the error that ends the run. */
  fail(err: unknown): SluiceError {
    const e = err instanceof SluiceError ? err : new SluiceError(ErrorCodes.INTERNAL, errorMessage(err), { cause: err });
    this.exception = e;
    this.setStatus(Status.failed(e));
    this.parts.logger.error('query failed', { code: e.code, error: e.message });
    return e;
  }

  /** Runs a source read or sink write with the plan's retry policy; the status shows each wait. */
  retry<T>(what: string, fn: () => Promise<T>): Promise<T> {
    const onRetry = (e: RetryEvent): void => {
      const wait: RetryWait = { what, attempt: e.attempt, untilMs: Date.now() + e.delayMs, error: errorMessage(e.error) };
      this.beforeBackoff ??= this.status;
      this.setStatus(Status.backingOff(this.beforeBackoff, wait));
      this.events.emit('backoff', wait);
    };
    const { plan, logger, stopper } = this.parts;
    return withRetry(what, plan.errorHandling.retry, fn, { logger, signal: stopper.signal, onRetry }).finally(() => {
      const before = this.beforeBackoff;
      this.beforeBackoff = undefined;
      if (before !== undefined && this.status.state === 'backing-off') this.setStatus(before);
    });
  }

  /** A committed batch: kept among the recent progress and reported to listeners. */
  report(batch: BatchReport): void {
    this.lastSchema = batch.schema;
    this.lastActivityMs = Date.now();
    this.progress.push(batch.progress);
    if (this.progress.length > (this.opts.progressRetention ?? 100)) this.progress.shift();
    this.events.emit('batch', batch);
    this.events.emit('progress', batch.progress);
  }

  terminated(): void {
    this.events.emit('terminated', this.exception);
  }
}

function batchOf(s: StreamingQueryStatus): number | undefined {
  return s.state === 'processing' ? s.batchId : undefined;
}
