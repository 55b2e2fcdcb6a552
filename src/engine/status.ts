// What a running query tells the outside: its typed state (Spark's StreamingQueryStatus fields plus
// a discriminant), and the typed events it emits. Monitoring reads these instead of message strings.
import type { ErrorCode, SluiceError } from '../core/errors.ts';
import type { Rejected } from '../core/record.ts';
import type { StructType } from '../core/schema.ts';
import type { StreamingQueryProgress } from './progress.ts';

/** A source read or sink write that failed and waits to try again. */
export interface RetryWait {
  /** The component and the action, e.g. `sink Delta[/t]: writing batch 3`. */
  readonly what: string;
  /** The attempt that failed (1 for the first). */
  readonly attempt: number;
  /** When the next attempt starts (epoch ms). */
  readonly untilMs: number;
  readonly error: string;
}

/** Spark's fields, kept so that code written against Spark's status reads the same. */
interface SparkStatus {
  readonly message: string;
  readonly isDataAvailable: boolean;
  readonly isTriggerActive: boolean;
}

/** The state of a query. `message`, `isDataAvailable` and `isTriggerActive` are Spark's; `state`
 * tells the phases apart without matching messages. */
export type StreamingQueryStatus =
  /** Opening, or re-running the batch a previous run planned but did not commit. */
  | (SparkStatus & { readonly state: 'initializing' })
  /** A trigger started: asking the source for new offsets and logging them. */
  | (SparkStatus & { readonly state: 'planning' })
  | (SparkStatus & { readonly state: 'processing'; readonly batchId: number })
  /** Between triggers: no new data, or the trigger interval has not come round yet. */
  | (SparkStatus & { readonly state: 'waiting' })
  /** A read or write failed with a retryable error and waits for its next attempt. */
  | (SparkStatus & { readonly state: 'backing-off'; readonly retry: RetryWait })
  | (SparkStatus & { readonly state: 'stopped' })
  | (SparkStatus & { readonly state: 'failed'; readonly code: ErrorCode; readonly error: string });

export type QueryState = StreamingQueryStatus['state'];

export const Status = {
  initializing: (): StreamingQueryStatus => ({ state: 'initializing', message: 'Initializing', isDataAvailable: false, isTriggerActive: false }),
  planning: (source: string): StreamingQueryStatus => ({ state: 'planning', message: `Getting offsets from ${source}`, isDataAvailable: false, isTriggerActive: true }),
  processing: (batchId: number): StreamingQueryStatus => ({ state: 'processing', batchId, message: 'Processing new data', isDataAvailable: true, isTriggerActive: true }),
  noData: (): StreamingQueryStatus => ({ state: 'waiting', message: 'Waiting for data to arrive', isDataAvailable: false, isTriggerActive: false }),
  nextTrigger: (): StreamingQueryStatus => ({ state: 'waiting', message: 'Waiting for next trigger', isDataAvailable: true, isTriggerActive: false }),
  backingOff: (during: StreamingQueryStatus, retry: RetryWait): StreamingQueryStatus => ({
    state: 'backing-off',
    retry,
    message: `Waiting to retry ${retry.what} (attempt ${retry.attempt} failed: ${retry.error})`,
    isDataAvailable: during.isDataAvailable,
    isTriggerActive: during.isTriggerActive,
  }),
  stopped: (): StreamingQueryStatus => ({ state: 'stopped', message: 'Stopped', isDataAvailable: false, isTriggerActive: false }),
  failed: (e: SluiceError): StreamingQueryStatus => ({ state: 'failed', code: e.code, error: e.message, message: 'Failed', isDataAvailable: false, isTriggerActive: false }),
} as const;

/** One committed batch with what its progress object does not carry. */
export interface BatchReport {
  readonly progress: StreamingQueryProgress;
  /** The schema of the rows handed to the sink. */
  readonly schema: StructType | null;
  /** The records the batch sent to the dead-letter queue (for counts by cause). */
  readonly rejected: readonly Rejected[];
}

export interface QueryEvents {
  /** After each committed batch (Spark's onQueryProgress). */
  progress: [StreamingQueryProgress];
  /** After each committed batch, just before `progress`, with its schema and rejected records. */
  batch: [BatchReport];
  /** Each change of state, with the previous one. */
  state: [StreamingQueryStatus, StreamingQueryStatus];
  /** A read or write failed and waits to retry (also seen as the `backing-off` state). */
  backoff: [RetryWait];
  /** The query ended: the error that ended it, or undefined after a stop or the end of the data. */
  terminated: [SluiceError | undefined];
}
