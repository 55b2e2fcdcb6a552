// The Kafka client interface the source and sink use; one implementation (kafkajs-client.ts) hides the library.
import type { ComponentHealth } from '../../core/component.ts';
import { errorMessage } from '../../core/errors.ts';

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

export interface PartitionBounds extends TopicPartition {
  /** The log start offset: the first offset still on the broker. */
  readonly earliest: number;
  /** The high watermark (or last stable offset under read_committed): the next offset to be written. */
  readonly latest: number;
}

export interface KafkaHeader {
  readonly key: string;
  readonly value: Uint8Array | null;
}

export interface KafkaMessage extends TopicPartition {
  readonly offset: number;
  readonly key: Uint8Array | null;
  readonly value: Uint8Array | null;
  /** Milliseconds since the epoch. */
  readonly timestamp: number;
  /** 0: CreateTime, 1: LogAppendTime, as in Spark's `timestampType` column. */
  readonly timestampType: 0 | 1;
  readonly headers: readonly KafkaHeader[];
}

/** Offsets [start, end) of one partition to read. */
export interface FetchRange extends TopicPartition {
  readonly start: number;
  readonly end: number;
}

/** A range that could not be read to its end: its offsets are no longer (or not yet) on the broker.
 * `earliest` and `latest` are -1 when the partition itself is gone. */
export interface LostRange extends FetchRange {
  /** First offset not delivered. */
  readonly next: number;
  readonly earliest: number;
  readonly latest: number;
}

export interface FetchOptions {
  readonly signal?: AbortSignal;
}

export interface ProduceRecord {
  readonly topic: string;
  readonly partition?: number;
  readonly key: Uint8Array | null;
  readonly value: Uint8Array | null;
  readonly headers?: readonly KafkaHeader[];
}

/** Membership in a consumer group: Kafka's group protocol decides which partitions this instance owns. */
export interface GroupMembership {
  /** The partitions assigned now, or null while the group is (re)balancing or not yet joined. */
  owned(): readonly TopicPartition[] | null;
  /** Rebalances seen so far (joins after the first count too). */
  readonly generations: number;
  /** The error that ended the membership, if it ended. */
  failure(): Error | undefined;
  /** Records the next offsets in the group, for lag tools only (progress itself lives in the sink). */
  commitOffsets(offsets: readonly (TopicPartition & { readonly offset: number })[]): Promise<void>;
  /** Leaves the group, so that the others take over at once. */
  leave(): Promise<void>;
}

export interface GroupOptions {
  readonly groupId: string;
  /** Topics to subscribe to (a pattern is resolved to topics by the caller). */
  readonly topics: readonly string[];
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
}

export interface KafkaClient {
  /** The bootstrap servers, for messages. */
  readonly servers: string;
  /** Connects (each bootstrap server tried once), failing with a retryable error naming the servers when
   * none answers. Failures of every method are SluiceErrors whose `retryable` lets the engine decide. */
  connect(): Promise<void>;
  /** Every topic of the cluster with its partition ids. Never creates topics. */
  topics(): Promise<Map<string, number[]>>;
  /** Earliest and latest offsets of the given partitions (of existing topics). */
  bounds(partitions: readonly TopicPartition[]): Promise<PartitionBounds[]>;
  /** Per partition, the first offset whose timestamp is at or after `timestampMs`; -1 when there is none. */
  offsetsForTimestamp(partitions: readonly TopicPartition[], timestampMs: number): Promise<Map<string, number>>;
  /** Delivers exactly the messages with offsets in [start, end) of each range (transaction markers and
   * aborted records excluded); ranges whose offsets are gone are returned instead of thrown. */
  fetch(ranges: readonly FetchRange[], onMessage: (m: KafkaMessage) => void, opts?: FetchOptions): Promise<LostRange[]>;
  /** Produces records and waits for their acknowledgement; an empty list only starts the producer. A
   * record without a partition is placed once, and a record (the same object) already acknowledged by an
   * earlier call is not sent again, so that retrying a failed call re-sends only what is missing. */
  produce(records: readonly ProduceRecord[]): Promise<void>;
  /** Joins a consumer group for partition ownership only: no records are consumed through it. */
  joinGroup(opts: GroupOptions): Promise<GroupMembership>;
  close(): Promise<void>;
}

/** `topic:partition`, the key of per-partition maps (Kafka topic names cannot contain `:`). */
export function tpKey(topic: string, partition: number): string {
  return `${topic}:${partition}`;
}

export function parseTpKey(key: string): TopicPartition {
  const i = key.lastIndexOf(':');
  return { topic: key.slice(0, i), partition: Number(key.slice(i + 1)) };
}

/** Health of a Kafka connection: the cluster answers a metadata request. */
export async function clientHealth(client: KafkaClient): Promise<ComponentHealth> {
  try {
    await client.topics();
    return { healthy: true, detail: `connected to ${client.servers}` };
  } catch (err) {
    return { healthy: false, detail: errorMessage(err) };
  }
}
