// Kafka records to rows: Spark's fixed Kafka columns (bytes or UTF-8), or the value's JSON object
// for the quick Kafka -> Delta path, where invalid JSON becomes a Rejected record instead of a failure.
import { withOrigin, type Rejected, type Row } from '../../core/record.ts';
import { field, struct, type StructType } from '../../core/schema.ts';
import type { KafkaMessage } from './client.ts';
import { parseJson } from '../../schema/values/json.ts';

export type ValueFormat = 'binary' | 'string' | 'json';

export const KAFKA_STAGE = 'source:kafka';

/** Spark's Kafka source schema (key/value as string with valueFormat `string`); null for `json`,
 * whose columns come from the data. */
export function kafkaSchema(format: ValueFormat, includeHeaders: boolean): StructType | null {
  if (format === 'json') return null;
  const bytes = format === 'binary' ? 'binary' : 'string';
  const fields = [
    field('key', bytes),
    field('value', bytes),
    field('topic', 'string'),
    field('partition', 'integer'),
    field('offset', 'long'),
    field('timestamp', 'timestamp'),
    field('timestampType', 'integer'),
  ];
  if (includeHeaders) {
    fields.push(field('headers', { type: 'array', elementType: struct([field('key', 'string'), field('value', 'binary')]), containsNull: true }));
  }
  return struct(fields);
}

const decoder = new TextDecoder('utf-8');

export class RowBuilder {
  readonly rows: Row[] = [];
  readonly rejected: Rejected[] = [];
  bytes = 0;

  constructor(
    private readonly format: ValueFormat,
    private readonly includeHeaders: boolean,
  ) {}

  add(m: KafkaMessage): void {
    this.bytes += (m.key?.byteLength ?? 0) + (m.value?.byteLength ?? 0);
    const origin = { topic: m.topic, partition: m.partition, offset: String(m.offset) };
    if (this.format === 'json') {
      const parsed = parseJsonObject(m.value);
      if (typeof parsed === 'string') {
        this.rejected.push({
          errorType: 'SCHEMA_VALIDATION',
          stage: KAFKA_STAGE,
          rule: 'json',
          message: `${m.topic}[${m.partition}]@${m.offset}: ${parsed}`,
          payload: m.value === null ? null : decoder.decode(m.value),
          origin,
        });
        return;
      }
      this.rows.push(withOrigin(parsed, origin));
      return;
    }
    const text = this.format === 'string';
    const row: Row = {
      key: text && m.key !== null ? decoder.decode(m.key) : m.key,
      value: text && m.value !== null ? decoder.decode(m.value) : m.value,
      topic: m.topic,
      partition: m.partition,
      offset: m.offset,
      timestamp: BigInt(m.timestamp) * 1000n,
      timestampType: m.timestampType,
    };
    if (this.includeHeaders) row.headers = m.headers.map((h) => ({ key: h.key, value: h.value }));
    this.rows.push(withOrigin(row, origin));
  }
}

/** The value's JSON object, or a reason why it is not one. */
function parseJsonObject(value: Uint8Array | null): Row | string {
  if (value === null) return 'the record has no value (a tombstone), so it is not a JSON object';
  let parsed: unknown;
  try {
    parsed = parseJson(decoder.decode(value));
  } catch (err) {
    return `the value is not valid JSON (${err instanceof Error ? err.message : String(err)})`;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return 'the value is JSON but not an object';
  return parsed as Row;
}
