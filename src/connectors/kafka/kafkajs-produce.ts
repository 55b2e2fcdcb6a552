// The produce path of the kafkajs client: every record gets its partition once, records are sent in one
// request per partition leader, and the client remembers which records were acknowledged, so that the
// engine's retry of a failed write re-sends only what no broker acknowledged, to the same partitions.
//
//   send(records) -> skip acknowledged -> place (partition kept per record) -> group by leader
//                 -> sendBatch per leader (in parallel) -> acknowledged += each group that succeeded
//                 -> any group failed: one SluiceError, retryable when every failure is transient
//
// Why records are placed here and not by kafkajs: kafkajs partitions again on each of its resends, and a
// record without a key is placed round-robin, so a resend after a partial failure could move a record from
// a failed leader to one that already answered (which is not sent to again): it would be lost, and another
// sent twice. Placed once, a resend carries the same records to the same partitions; with the idempotent
// producer (whose sequence numbers kafkajs rolls back for a failed request) the broker then drops a batch
// it had in fact already written.
import type * as Kafkajs from 'kafkajs';
import type { Kafka, PartitionMetadata } from 'kafkajs';
import { lazyModule } from '../../core/lazy.ts';
import { errorMessage, SluiceError } from '../../core/errors.ts';
import type { KafkaHeader, ProduceRecord } from './client.ts';
import { isRetriable } from './kafkajs-support.ts';
import { createProducer, type InternalCluster, type InternalProducer } from './kafkajs-internals.ts';

const kafkajs = lazyModule<typeof Kafkajs>('kafkajs');

export interface ProducerSettings {
  readonly idempotent: boolean;
  readonly acks: -1 | 0 | 1;
  readonly compression: 'none' | 'gzip';
  /** Immediate re-sends by the producer itself (Kafka's `retries`); see `resendPolicy`. */
  readonly retries: number;
}

type Failure = (message: string, cause: unknown, retryable: boolean) => SluiceError;
type OutMessage = { key: Buffer | null; value: Buffer | null; partition: number; headers?: Record<string, Buffer | Buffer[]> };
/** A record with the message kafkajs sends for it. */
type Item = { record: ProduceRecord; message: OutMessage };

/**
 * kafkajs's own resends stay, because only they re-send just the part of one request that a broker did
 * not acknowledge (after refreshing metadata for a moved leader or a dropped connection), and the
 * idempotent producer requires at least one. They never wait: every wait between attempts belongs to the
 * engine's retry policy (error_handling.retry), whose backoff honours a stopping query.
 */
export function resendPolicy(s: ProducerSettings): { retries: number; initialRetryTime: number; maxRetryTime: number } {
  return { retries: s.idempotent ? Math.max(1, s.retries) : s.retries, initialRetryTime: 0, maxRetryTime: 0 };
}

export class ProducePath {
  private producer: InternalProducer | undefined;
  private readonly placed = new WeakMap<ProduceRecord, number>();
  private readonly acknowledged = new WeakSet<ProduceRecord>();
  private readonly partitioner = kafkajs().Partitioners.DefaultPartitioner();

  constructor(
    private readonly kafka: Kafka,
    private readonly cluster: InternalCluster,
    private readonly settings: ProducerSettings,
    private readonly servers: string,
    private readonly failure: Failure,
  ) {}

  async start(): Promise<void> {
    if (this.producer !== undefined) return;
    const producer = createProducer(this.kafka, this.cluster, {
      idempotent: this.settings.idempotent,
      retry: resendPolicy(this.settings),
      createPartitioner: kafkajs().Partitioners.DefaultPartitioner,
    });
    try {
      await producer.connect();
    } catch (err) {
      throw this.failure(`cannot start a Kafka producer at ${this.servers}: ${errorMessage(err)}`, err, true);
    }
    this.producer = producer;
  }

  async send(records: readonly ProduceRecord[]): Promise<void> {
    await this.start();
    const producer = this.producer;
    const pending = records.filter((r) => !this.acknowledged.has(r));
    if (producer === undefined || pending.length === 0) return;
    let groups: Map<string, Map<string, Item[]>>;
    try {
      groups = await this.groupByLeader(pending);
    } catch (err) {
      if (err instanceof SluiceError) throw err;
      throw this.failure(`producing ${pending.length} records to Kafka at ${this.servers} failed: ${errorMessage(err)}`, err, isRetriable(err));
    }
    const compression = this.settings.compression === 'gzip' ? kafkajs().CompressionTypes.GZIP : kafkajs().CompressionTypes.None;
    const results = await Promise.allSettled(
      [...groups.values()].map(async (byTopic) => {
        await producer.sendBatch({
          acks: this.settings.acks,
          compression,
          topicMessages: [...byTopic].map(([topic, items]) => ({ topic, messages: items.map((i) => i.message) })),
        });
        for (const items of byTopic.values()) for (const i of items) this.acknowledged.add(i.record);
      }),
    );
    const failed = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    if (failed.length === 0) return;
    const left = pending.filter((r) => !this.acknowledged.has(r)).length;
    throw this.failure(
      `producing ${left} records to Kafka at ${this.servers} failed: ${errorMessage(failed[0])}`,
      failed[0],
      failed.every((e) => isRetriable(e)),
    );
  }

  async close(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    if (producer !== undefined) await producer.disconnect().catch(() => undefined);
  }

  /** Records by the node leading their partition, then by topic, each with the message kafkajs sends. */
  private async groupByLeader(records: readonly ProduceRecord[]): Promise<Map<string, Map<string, Item[]>>> {
    const topics = [...new Set(records.map((r) => r.topic))];
    await this.cluster.addMultipleTargetTopics(topics);
    await this.cluster.refreshMetadataIfNecessary();
    const metadata = new Map(topics.map((t) => [t, this.cluster.findTopicPartitionMetadata(t)]));
    if (records.some((r) => !hasPartition(metadata.get(r.topic), this.placed.get(r) ?? r.partition))) {
      // A partition added since the metadata was loaded: look again before calling it missing.
      await this.cluster.refreshMetadata();
      for (const t of topics) metadata.set(t, this.cluster.findTopicPartitionMetadata(t));
    }
    const absent = topics.filter((t) => (metadata.get(t) ?? []).length === 0);
    if (absent.length > 0) throw this.failure(`Kafka topic${absent.length === 1 ? '' : 's'} ${absent.join(', ')} not found at ${this.servers}`, undefined, true);
    const byPartition = new Map<string, Map<number, Item[]>>();
    for (const record of records) {
      const partitions = metadata.get(record.topic) ?? [];
      const partition = this.place(record, partitions);
      if (!hasPartition(partitions, partition)) {
        throw this.failure(`partition ${partition} of Kafka topic ${record.topic} does not exist at ${this.servers} (the topic has ${partitions.length})`, undefined, false);
      }
      const perTopic = byPartition.get(record.topic) ?? new Map<number, Item[]>();
      byPartition.set(record.topic, perTopic);
      const list = perTopic.get(partition) ?? [];
      perTopic.set(partition, list);
      list.push({ record, message: toMessage(record, partition) });
    }
    const groups = new Map<string, Map<string, Item[]>>();
    for (const [topic, perPartition] of byPartition) {
      const leaders = this.cluster.findLeaderForPartitions(topic, [...perPartition.keys()]);
      for (const [nodeId, partitions] of Object.entries(leaders)) {
        const byTopic = groups.get(nodeId) ?? new Map<string, Item[]>();
        groups.set(nodeId, byTopic);
        byTopic.set(topic, partitions.flatMap((p) => perPartition.get(p) ?? []));
      }
    }
    return groups;
  }

  /** The record's partition: as given, else as kafkajs's default partitioner (Java's murmur2 on the key,
   * round-robin without a key) decides the first time; kept for every later attempt. */
  private place(record: ProduceRecord, partitions: PartitionMetadata[]): number {
    const known = this.placed.get(record) ?? record.partition;
    if (known !== undefined) return known;
    const partition = this.partitioner({ topic: record.topic, partitionMetadata: partitions, message: { key: toBuffer(record.key), value: toBuffer(record.value) } });
    if (hasPartition(partitions, partition)) this.placed.set(record, partition);
    return partition;
  }
}

function hasPartition(partitions: PartitionMetadata[] | undefined, partition: number | undefined): boolean {
  return partition === undefined || (partitions ?? []).some((p) => p.partitionId === partition);
}

function toMessage(r: ProduceRecord, partition: number): OutMessage {
  return {
    key: toBuffer(r.key),
    value: toBuffer(r.value),
    partition,
    ...(r.headers === undefined || r.headers.length === 0 ? {} : { headers: headerObject(r.headers) }),
  };
}

function headerObject(headers: readonly KafkaHeader[]): Record<string, Buffer | Buffer[]> {
  const out: Record<string, Buffer | Buffer[]> = {};
  for (const h of headers) {
    const v = toBuffer(h.value) ?? Buffer.alloc(0);
    const prev = out[h.key];
    out[h.key] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

function toBuffer(v: Uint8Array | null): Buffer | null {
  if (v === null) return null;
  return Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}
