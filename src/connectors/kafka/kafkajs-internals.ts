// Typed access to the kafkajs internals the client needs: the cluster (per-broker Fetch and ListOffsets,
// which bounded reads require) and the producer factory. kafkajs has had no release since 2023, so these
// private entry points are stable; everything is checked at runtime and fails with one clear error.
import { createRequire } from 'node:module';
import type { Kafka, Logger as KafkajsLogger, ICustomPartitioner } from 'kafkajs';
import { ErrorCodes, SluiceError } from '../../core/errors.ts';

export interface RawMessage {
  readonly offset: string;
  readonly timestamp: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Record<string, Buffer | Buffer[] | null | undefined>;
  readonly isControlRecord?: boolean;
  readonly batchContext?: { readonly timestampType?: number };
}

export interface RawPartitionData {
  readonly partition: number;
  readonly errorCode: number;
  readonly highWatermark: string;
  readonly abortedTransactions?: unknown[];
  readonly messages: RawMessage[];
}

export interface InternalBroker {
  fetch(req: {
    maxWaitTime: number;
    minBytes: number;
    maxBytes: number;
    isolationLevel: number;
    topics: { topic: string; partitions: { partition: number; fetchOffset: string; maxBytes: number }[] }[];
  }): Promise<{ responses: { topicName: string; partitions: RawPartitionData[] }[] }>;
}

export interface InternalCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  isConnected(): boolean;
  refreshMetadata(): Promise<void>;
  addMultipleTargetTopics(topics: string[]): Promise<void>;
  metadata(opts?: { topics?: string[] }): Promise<{
    topicMetadata: { topic: string; topicErrorCode: number; partitionMetadata: { partitionId: number; leader: number }[] }[];
  }>;
  findLeaderForPartitions(topic: string, partitions: number[]): Record<string, number[]>;
  findBroker(q: { nodeId: string }): Promise<InternalBroker>;
  findControllerBroker(): Promise<unknown>;
  getNodeIds(): number[];
  fetchTopicsOffset(
    topics: { topic: string; partitions: { partition: number }[]; fromBeginning?: boolean; fromTimestamp?: number }[],
  ): Promise<{ topic: string; partitions: { partition: number; offset: string }[] }[]>;
}

export interface InternalProducer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  sendBatch(req: {
    acks: number;
    compression: number;
    topicMessages: { topic: string; messages: { key: Buffer | null; value: Buffer | null; partition?: number; headers?: Record<string, Buffer | Buffer[]> }[] }[];
  }): Promise<unknown>;
}

const require = createRequire(import.meta.url);

function privateMember(kafka: Kafka, description: string): unknown {
  const holder = kafka as unknown as Record<symbol, unknown>;
  const sym = Object.getOwnPropertySymbols(kafka).find((s) => s.description === description);
  return sym === undefined ? undefined : holder[sym];
}

function unsupported(what: string): SluiceError {
  return new SluiceError(ErrorCodes.INTERNAL, `the installed kafkajs does not expose ${what}; sluice needs kafkajs 2.2.x`);
}

/** A cluster configured like `kafka` (brokers, TLS, SASL, logger, retry), with our own fetch options. */
export function createCluster(kafka: Kafka, opts: { isolationLevel: number; maxInFlightRequests: number | null }): InternalCluster {
  const create = privateMember(kafka, 'private:Kafka:createCluster');
  if (typeof create !== 'function') throw unsupported('its cluster factory');
  const cluster = (create as (o: Record<string, unknown>) => unknown)({
    metadataMaxAge: 300_000,
    allowAutoTopicCreation: false,
    maxInFlightRequests: opts.maxInFlightRequests,
    isolationLevel: opts.isolationLevel,
  }) as InternalCluster;
  patchController(cluster);
  return cluster;
}

/** Some Kafka-protocol servers (librdkafka's mock, some proxies) report a controller id that is not among
 * their brokers; the idempotent producer only needs any broker for InitProducerId then. */
function patchController(cluster: InternalCluster): void {
  const original = cluster.findControllerBroker.bind(cluster);
  cluster.findControllerBroker = async () => {
    try {
      return await original();
    } catch (err) {
      const ids = cluster.getNodeIds();
      const first = ids[0];
      if (first === undefined) throw err;
      return cluster.findBroker({ nodeId: String(first) });
    }
  };
}

/** A producer over our cluster (so that it shares the controller fallback above). */
export function createProducer(
  kafka: Kafka,
  cluster: InternalCluster,
  opts: { idempotent: boolean; retries: number; createPartitioner: ICustomPartitioner },
): InternalProducer {
  const logger = privateMember(kafka, 'private:Kafka:logger') as KafkajsLogger | undefined;
  if (logger === undefined) throw unsupported('its logger');
  const factory: unknown = require('kafkajs/src/producer/index.js');
  if (typeof factory !== 'function') throw unsupported('its producer factory');
  return (factory as (o: Record<string, unknown>) => unknown)({
    cluster,
    logger,
    createPartitioner: opts.createPartitioner,
    retry: { retries: opts.retries },
    idempotent: opts.idempotent,
  }) as InternalProducer;
}

/** Drops records of aborted transactions (read_committed), as the kafkajs consumer does. */
export function filterAborted(messages: RawMessage[], aborted: unknown[] | undefined): RawMessage[] {
  if (aborted === undefined || aborted.length === 0) return messages;
  const filter: unknown = require('kafkajs/src/consumer/filterAbortedMessages.js');
  if (typeof filter !== 'function') throw unsupported('its aborted-transaction filter');
  return (filter as (o: { messages: RawMessage[]; abortedTransactions: unknown[] }) => RawMessage[])({ messages, abortedTransactions: aborted });
}
