// The Kafka sink: each row becomes one record (topic, key, value, headers, partition from columns or
// config) sent by an idempotent producer.
//
// Delivery is at-least-once. Within one process a write the engine retries re-sends only the records no
// broker acknowledged, to the same partitions, so the idempotent producer's broker-side de-duplication also
// covers a request that was written but whose answer was lost. A batch that the engine replays after a
// crash (written, then the process died before the checkpoint committed) is produced again: consumers see
// those records twice, in the same order. Readers needing exactly-once must de-duplicate, e.g. on key plus
// the source origin carried in headers.
//
//   prepare(batch) -> rows -> ProduceRecord[] (a row that is no record, or names a partition its topic
//                                              lacks -> SINK_WRITE dead letter)
//   commit         -> produce (chunks) -> acks from all in-sync replicas
//                                  \-> failed: SLUICE_SINK_WRITE, retryable when transient (the engine's
//                                      retry then sends only what is not acknowledged yet)
import { defineSink, type ComponentContext, type ComponentHealth, type JsonValue, type PreparedWrite, type Sink, type SinkResult } from '../../core/component.ts';
import { describeValue, ErrorCodes, SinkError } from '../../core/errors.ts';
import { describeOrigin, originOf, type Batch, type Rejected, type Row } from '../../core/record.ts';
import { clientHealth, type KafkaClient, type KafkaHeader, type ProduceRecord } from './client.ts';
import { createKafkajsClient } from './kafkajs-client.ts';
import { kafkaSinkSchema, type KafkaSinkConfig } from './sink-config.ts';
import type { DataType } from '../../core/schema.ts';
import { rowToJson, toJsonText } from '../../schema/values/format.ts';
import { clientOptions } from './settings.ts';

export const kafkaSink = defineSink({
  type: 'kafka',
  summary: 'Writes each row as a Kafka record (at-least-once, idempotent producer); also a dead-letter-queue target.',
  config: kafkaSinkSchema,
  // A replayed batch is produced again (see above), and records carry no progress markers.
  capabilities: { progressMarkers: false, idempotentCommit: false, delivery: 'at-least-once', outputModes: ['append'] },
  create: (config, ctx) => new KafkaSink(config, ctx),
});

/** Records per produce call: bounds memory and request sizes for large batches. */
const CHUNK = 10_000;
const encoder = new TextEncoder();

/** A batch as the records to produce. */
export interface KafkaRecords extends PreparedWrite {
  readonly records: readonly ProduceRecord[];
}

export class KafkaSink implements Sink<KafkaRecords> {
  readonly description: string;
  private readonly client: KafkaClient;
  private written = 0;

  constructor(
    private readonly config: KafkaSinkConfig,
    ctx: ComponentContext,
  ) {
    this.description = `KafkaSink[${config.topic ?? 'topic column'}]`;
    this.client = createKafkajsClient({
      ...clientOptions(config.client, `sluice-${ctx.pipelineName}`),
      logger: ctx.logger,
      role: 'sink',
      // No abort signal: a stopping query finishes the batch in flight, and nothing here waits.
      producer: { idempotent: config.idempotent, acks: config.acks, compression: config.compression, retries: config.retries },
    });
  }

  identity(): Record<string, JsonValue> {
    return { type: 'kafka', topic: this.config.topic ?? null };
  }

  async open(): Promise<void> {
    await this.client.connect();
    await this.client.produce([]);
  }

  /** Each row as a record; a row that cannot be one (no topic, a partition that is no number or that the
   * topic does not have) is a SINK_WRITE dead letter and the others are sent. */
  async prepare(batch: Batch): Promise<KafkaRecords> {
    const types = new Map((batch.schema?.fields ?? []).map((f) => [f.name, f.type]));
    const records: ProduceRecord[] = [];
    const rejected: Rejected[] = [];
    const reject = (row: Row, err: SinkError): void => {
      rejected.push({ errorType: 'SINK_WRITE', stage: 'sink:kafka', message: err.message, payload: rowToJson(row, batch.schema), origin: originOf(row) ?? {} });
    };
    const converted: { row: Row; index: number; record: ProduceRecord }[] = [];
    batch.rows.forEach((row, index) => {
      try {
        converted.push({ row, index, record: this.toRecord(row, index, types) });
      } catch (err) {
        if (!(err instanceof SinkError)) throw err;
        reject(row, err);
      }
    });
    // kafkajs sends nothing for a partition missing from its metadata and reports success; a partition the
    // topic lacks is bad input (a dead letter), not a failure to retry.
    const placed = converted.some((c) => c.record.partition !== undefined);
    const topics = placed ? await this.client.topics() : new Map<string, number[]>();
    for (const { row, index, record } of converted) {
      const partitions = record.partition === undefined ? undefined : topics.get(record.topic);
      if (partitions === undefined || partitions.includes(record.partition ?? 0)) records.push(record);
      else reject(row, this.rowError(row, index, `names partition ${record.partition} of topic ${record.topic}, which has ${partitions.length} partition${partitions.length === 1 ? '' : 's'}`));
    }
    return { records, rejected };
  }

  async commit(prepared: KafkaRecords): Promise<SinkResult> {
    const { records } = prepared;
    for (let i = 0; i < records.length; i += CHUNK) await this.client.produce(records.slice(i, i + CHUNK));
    this.written += records.length;
    return { numOutputRows: records.length, skipped: false };
  }

  metrics(): Record<string, string> {
    return { recordsWritten: String(this.written) };
  }

  health(): Promise<ComponentHealth> {
    return clientHealth(this.client);
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  private toRecord(row: Row, index: number, types: ReadonlyMap<string, DataType>): ProduceRecord {
    const c = this.config;
    const used = new Set<string>();
    // Columns that route the record (topic, partition, headers) are left out of the JSON value.
    const column = (explicit: string | undefined, fallback: string, routes = true): string | undefined => {
      const name = explicit ?? (fallback in row ? fallback : undefined);
      if (name !== undefined && routes) used.add(name);
      return name;
    };
    const topicCol = c.topic === undefined ? column(undefined, 'topic') : undefined;
    const topic = c.topic ?? (topicCol === undefined ? undefined : row[topicCol]);
    if (typeof topic !== 'string' || topic === '') {
      throw this.rowError(row, index, 'has no topic: set `topic` in the sink config or give the rows a string `topic` column');
    }
    const partitionCol = column(c.partitionColumn, 'partition');
    const headersCol = column(c.headersColumn, 'headers');
    const keyCol = column(c.keyColumn, 'key', false);
    const valueCol = c.valueColumn ?? ('value' in row ? 'value' : undefined);
    const partition = partitionCol === undefined ? undefined : row[partitionCol];
    if (partition !== undefined && partition !== null && !(typeof partition === 'number' && Number.isInteger(partition) && partition >= 0)) {
      throw this.rowError(row, index, `column ${partitionCol}: ${describeValue(partition)} is not a partition number`);
    }
    const headers = headersCol === undefined ? [] : toHeaders(row[headersCol]);
    return {
      topic,
      key: keyCol === undefined ? null : toBytes(row[keyCol], types.get(keyCol)),
      value: valueCol === undefined ? encoder.encode(rowJson(row, used, types)) : toBytes(row[valueCol], types.get(valueCol)),
      ...(typeof partition === 'number' ? { partition } : {}),
      ...(headers.length === 0 ? {} : { headers }),
    };
  }

  private rowError(row: Row, index: number, what: string): SinkError {
    return new SinkError(ErrorCodes.SINK_WRITE, `Kafka sink: row ${index} (${describeOrigin(originOf(row))}) ${what}`, { details: { index } });
  }
}

/** The row's columns except those routed elsewhere, as JSON in the value model's JSON form (binary as
 * base64 like Spark's to_json, timestamps ISO-8601 with their microseconds, 64-bit integers exact). */
function rowJson(row: Row, exclude: Set<string>, types: ReadonlyMap<string, DataType>): string {
  const parts: string[] = [];
  for (const k of Object.keys(row)) {
    if (exclude.has(k)) continue;
    const v = row[k];
    // Null fields are left out, as Spark's to_json leaves them out.
    if (v !== undefined && v !== null) parts.push(`${JSON.stringify(k)}:${toJsonText(v, types.get(k) ?? null, { omitNulls: true })}`);
  }
  return `{${parts.join(',')}}`;
}

/** A key, value or header column's bytes: bytes and text as they are, other values as their JSON. */
function toBytes(v: unknown, type?: DataType): Uint8Array | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Uint8Array) return v;
  if (typeof v === 'string') return encoder.encode(v);
  const json = toJsonText(v, type ?? null);
  // A scalar's text without JSON's quotes (a timestamp key reads 2024-01-01T00:00:00.000Z).
  return encoder.encode(json.startsWith('"') ? (JSON.parse(json) as string) : json);
}

/** A list of {key, value} (Spark's form) or a plain {key: value} object. */
function toHeaders(v: unknown): KafkaHeader[] {
  if (v === null || v === undefined) return [];
  if (Array.isArray(v)) {
    return v.flatMap((h: unknown) => {
      const e = h as { key?: unknown; value?: unknown } | null;
      return e !== null && typeof e === 'object' && typeof e.key === 'string' ? [{ key: e.key, value: toBytes(e.value) }] : [];
    });
  }
  if (typeof v === 'object') return Object.entries(v).map(([key, value]) => ({ key, value: toBytes(value) }));
  return [];
}
