// The dead-letter envelope: a rejected record with its batch id and time, as JSON and as the row any
// dead-letter sink is given (absent fields left out, so JSON writers omit them and tables hold null).
import type { Rejected, RecordOrigin, Row } from '../../core/record.ts';
import { field, struct, type StructType } from '../../core/schema.ts';
import { parseTimestamp } from '../../schema/values/temporal.ts';

/** One DLQ entry. `origin` is the source position (file/line or topic/partition/offset). */
export interface DlqEnvelope extends Rejected {
  readonly batchId: number;
  readonly timestamp: string;
}

export function toEnvelope(r: Rejected, batchId: number, timestamp: string): DlqEnvelope {
  const out: DlqEnvelope = {
    errorType: r.errorType,
    stage: r.stage,
    ...(r.rule === undefined ? {} : { rule: r.rule }),
    message: r.message,
    payload: r.payload,
    ...(r.payloadEncoding === undefined ? {} : { payloadEncoding: r.payloadEncoding }),
    origin: plainOrigin(r.origin),
    batchId,
    timestamp,
  };
  return out;
}

function plainOrigin(o: RecordOrigin): RecordOrigin {
  const out: { -readonly [K in keyof RecordOrigin]: RecordOrigin[K] } = {};
  if (o.file !== undefined) out.file = o.file;
  if (o.line !== undefined) out.line = o.line;
  if (o.topic !== undefined) out.topic = o.topic;
  if (o.partition !== undefined) out.partition = o.partition;
  if (o.offset !== undefined) out.offset = o.offset;
  return out;
}

/** The Delta table schema of a DLQ table. */
export const DLQ_TABLE_SCHEMA: StructType = struct([
  field('errorType', 'string', false),
  field('stage', 'string', false),
  field('rule', 'string'),
  field('message', 'string', false),
  field('payload', 'string'),
  // `base64` when the payload holds bytes that are not valid UTF-8; null for text.
  field('payloadEncoding', 'string'),
  field('origin', struct([field('file', 'string'), field('line', 'long'), field('topic', 'string'), field('partition', 'integer'), field('offset', 'string')])),
  field('batchId', 'long', false),
  field('timestamp', 'timestamp', false),
]);

export function envelopeToRow(e: DlqEnvelope): Row {
  return {
    errorType: e.errorType,
    stage: e.stage,
    ...(e.rule === undefined ? {} : { rule: e.rule }),
    message: e.message,
    payload: e.payload,
    ...(e.payloadEncoding === undefined ? {} : { payloadEncoding: e.payloadEncoding }),
    origin: { ...e.origin },
    batchId: e.batchId,
    timestamp: parseTimestamp(e.timestamp) ?? null,
  };
}
