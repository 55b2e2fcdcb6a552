// Rows, their origin, rejected records and the batch that carries both through a pipeline.
import type { StructType } from './schema.ts';

/** A row: column name to value. Values are null, boolean, number (long/int/double), bigint,
 * string, Date (timestamp and date), Uint8Array (binary), arrays and nested plain objects. */
export type Row = Record<string, unknown>;

/** Where a record came from; attached to each row under the ORIGIN symbol, so that it travels
 * through filters and spreads but never appears among the row's columns or in JSON. */
export interface RecordOrigin {
  readonly file?: string;
  readonly line?: number;
  readonly topic?: string;
  readonly partition?: number;
  readonly offset?: string;
}

export const ORIGIN: unique symbol = Symbol.for('sluice.origin');

/** A row's line within the origin under ORIGIN, when that origin is shared by the rows of a file:
 * a number in the row instead of an origin object per row (millions of rows, tens of megabytes). */
export const ORIGIN_LINE: unique symbol = Symbol.for('sluice.origin.line');

interface Tagged {
  [ORIGIN]?: RecordOrigin;
  [ORIGIN_LINE]?: number | undefined;
}

export function originOf(row: Row): RecordOrigin | undefined {
  const o = (row as Tagged)[ORIGIN];
  const line = (row as Tagged)[ORIGIN_LINE];
  return line === undefined || o === undefined ? o : { ...o, line };
}

export function withOrigin<R extends Row>(row: R, origin: RecordOrigin): R {
  (row as Tagged)[ORIGIN] = origin;
  if ((row as Tagged)[ORIGIN_LINE] !== undefined) (row as Tagged)[ORIGIN_LINE] = undefined;
  return row;
}

/** Tags a row with an origin shared by many rows (its file) and its own line in it. */
export function withLineOrigin<R extends Row>(row: R, shared: RecordOrigin, line: number): R {
  (row as Tagged)[ORIGIN] = shared;
  (row as Tagged)[ORIGIN_LINE] = line;
  return row;
}

/** Gives `to` the origin of `from` (for code that builds a new row from an old one). */
export function copyOrigin(from: Row, to: Row): void {
  const o = (from as Tagged)[ORIGIN];
  if (o !== undefined) (to as Tagged)[ORIGIN] = o;
  const line = (from as Tagged)[ORIGIN_LINE];
  if (line !== undefined) (to as Tagged)[ORIGIN_LINE] = line;
}

export function describeOrigin(o: RecordOrigin | undefined): string {
  if (o === undefined) return 'unknown origin';
  if (o.file !== undefined) return o.line === undefined ? o.file : `${o.file}:${o.line}`;
  if (o.topic !== undefined) return `${o.topic}[${o.partition ?? '?'}]@${o.offset ?? '?'}`;
  return 'unknown origin';
}

/** The error classes of the dead-letter queue envelope. */
export type RejectionType = 'SCHEMA_VALIDATION' | 'PROCESSING' | 'SINK_WRITE' | 'RESOURCE';

/** A record that could not be processed, kept with the reason so nothing is lost. */
export interface Rejected {
  readonly errorType: RejectionType;
  readonly stage: string;
  readonly rule?: string;
  readonly message: string;
  /** The original payload as text (a JSON line, a CSV row, a Kafka value), or null when there was none. */
  readonly payload: string | null;
  /** Set when `payload` is not the text itself but its bytes in base64 (bytes that are not valid UTF-8). */
  readonly payloadEncoding?: 'base64';
  readonly origin: RecordOrigin;
}

/** What a source returns for one planned offset range. */
export interface SourceData {
  readonly rows: Row[];
  readonly rejected: Rejected[];
  /** The schema the rows conform to, when the source knows it (declared or inferred). */
  readonly schema: StructType | null;
  /** Bytes read, for progress. */
  readonly bytes?: number;
  /** Progress markers the sink must record atomically with the rows (e.g. one per Kafka partition
   * in consumer-group mode: appId `<query id>-<topic>-<partition>`, version = the next offset). */
  readonly markers?: readonly ProgressMarker[];
}

export interface ProgressMarker {
  readonly appId: string;
  readonly version: number;
  /** The version this batch starts from: a sink holding a later one for the appId refuses the batch,
   * since another writer already moved past its start. */
  readonly from?: number;
}

/** One micro-batch as it flows through stages to the sink. */
export interface Batch {
  readonly batchId: number;
  rows: Row[];
  rejected: Rejected[];
  schema: StructType | null;
  /** Extra progress markers for the sink to commit with the rows (see SourceData.markers). */
  markers?: readonly ProgressMarker[];
  /** The batch was above `max.batch.bytes` and ran through the stages in slices of this many rows: a
   * sink that buffers a batch in another form should write it in parts of about this size. */
  partRows?: number;
}
