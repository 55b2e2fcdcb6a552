// The Kafka sink: each row becomes one record (topic, key, value, headers, partition from columns or
// config) sent by an idempotent producer.
//
// Delivery is at-least-once. The idempotent producer removes duplicates of its own retries within one
// process, but a batch that the engine replays after a crash (written, then the process died before the
// checkpoint committed) is produced again: consumers see those records twice, in the same order. Readers
// needing exactly-once must de-duplicate, e.g. on key plus the source origin carried in headers.
//
//   addBatch(batch) -> rows -> ProduceRecord[] -> produce (chunks) -> acks from all in-sync replicas
//                                                     \-> retries exhausted: SLUICE_SINK_WRITE
import { defineSink, type ComponentContext, type ComponentHealth, type JsonValue, type Sink, type SinkResult } from '../../core/component.ts';
import { describeValue, ErrorCodes, SinkError } from '../../core/errors.ts';
import { describeOrigin, originOf, type Batch, type Row } from '../../core/record.ts';
import { clientHealth, type KafkaClient, type KafkaHeader, type ProduceRecord } from './client.ts';
import { createKafkajsClient } from './kafkajs-client.ts';
import { kafkaSinkSchema, type KafkaSinkConfig } from './sink-config.ts';
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

export class KafkaSink implements Sink {
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
      retries: config.retries,
      retryIntervalMs: 100,
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

  async addBatch(batch: Batch): Promise<SinkResult> {
    const records = batch.rows.map((row, i) => this.toRecord(row, i));
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

  private toRecord(row: Row, index: number): ProduceRecord {
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
      key: keyCol === undefined ? null : toBytes(row[keyCol]),
      value: valueCol === undefined ? encoder.encode(rowJson(row, used)) : toBytes(row[valueCol]),
      ...(typeof partition === 'number' ? { partition } : {}),
      ...(headers.length === 0 ? {} : { headers }),
    };
  }

  private rowError(row: Row, index: number, what: string): SinkError {
    return new SinkError(ErrorCodes.SINK_WRITE, `Kafka sink: row ${index} (${describeOrigin(originOf(row))}) ${what}`, { details: { index } });
  }
}

/** The row's columns except those routed elsewhere, as JSON (binary as base64, like Spark's to_json). */
function rowJson(row: Row, exclude: Set<string>): string {
  const obj: Row = {};
  for (const [k, v] of Object.entries(row)) if (!exclude.has(k)) obj[k] = v;
  return JSON.stringify(obj, jsonValue);
}

function jsonValue(_key: string, v: unknown): unknown {
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
  return v;
}

function toBytes(v: unknown): Uint8Array | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Uint8Array) return v;
  if (typeof v === 'string') return encoder.encode(v);
  if (v instanceof Date) return encoder.encode(v.toISOString());
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return encoder.encode(String(v));
  return encoder.encode(JSON.stringify(v, jsonValue));
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
