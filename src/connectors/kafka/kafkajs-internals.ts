// Every use of kafkajs internals, in one file: its private cluster (per-broker Fetch and ListOffsets for
// reads of exactly planned offsets), its logger and producer factory (a producer over that cluster), its
// aborted-transaction filter, and one patch of the cluster. kafkajs is pinned to exactly KAFKAJS_VERSION
// in package.json because of them; checkKafkajs() verifies all of them before first use and fails with one
// error naming whatever is missing, and kafkajs-internals.test.ts has a test per behaviour relied on, so an
// upgrade shows exactly what broke.
import { createRequire } from 'node:module';
import type { Kafka, Logger as KafkajsLogger, ICustomPartitioner, PartitionMetadata } from 'kafkajs';
import { ErrorCodes, SluiceError } from '../../core/errors.ts';

/** The kafkajs release whose internals this file was written against (package.json pins it). */
export const KAFKAJS_VERSION = '2.2.4';

/** A record as kafkajs's Fetch decoder emits it (record batch v2 fields, offsets and timestamps as strings). */
export interface RawMessage {
  readonly offset: string;
  readonly timestamp: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Record<string, Buffer | Buffer[] | null | undefined>;
  readonly isControlRecord?: boolean;
  readonly batchContext?: { readonly timestampType?: number; readonly producerId?: string; readonly inTransaction?: boolean };
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
  refreshMetadataIfNecessary(): Promise<void>;
  addMultipleTargetTopics(topics: string[]): Promise<void>;
  metadata(opts?: { topics?: string[] }): Promise<{
    topicMetadata: { topic: string; topicErrorCode: number; partitionMetadata: { partitionId: number; leader: number }[] }[];
  }>;
  findTopicPartitionMetadata(topic: string): PartitionMetadata[];
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
    topicMessages: { topic: string; messages: { key: Buffer | null; value: Buffer | null; partition: number; headers?: Record<string, Buffer | Buffer[]> }[] }[];
  }): Promise<unknown>;
}

const require = createRequire(import.meta.url);

/** Private members of the `Kafka` instance, found by their symbol descriptions (the symbols are not exported). */
const CREATE_CLUSTER = 'private:Kafka:createCluster';
const LOGGER = 'private:Kafka:logger';
/** Deep requires: kafkajs has no `exports` map, so its source files resolve by path. */
const PRODUCER_FACTORY = 'kafkajs/src/producer/index.js';
const ABORTED_FILTER = 'kafkajs/src/consumer/filterAbortedMessages.js';
const CLUSTER_CLASS = 'kafkajs/src/cluster/index.js';
const BROKER_CLASS = 'kafkajs/src/broker/index.js';
/** The cluster methods the client calls. */
const CLUSTER_METHODS = [
  'connect', 'disconnect', 'isConnected', 'refreshMetadata', 'refreshMetadataIfNecessary', 'addMultipleTargetTopics', 'metadata',
  'findTopicPartitionMetadata', 'findLeaderForPartitions', 'findBroker', 'findControllerBroker', 'getNodeIds', 'fetchTopicsOffset',
] as const;

type Loader = (specifier: string) => unknown;

function privateMember(kafka: object, description: string): unknown {
  const sym = Object.getOwnPropertySymbols(kafka).find((s) => s.description === description);
  return sym === undefined ? undefined : (kafka as Record<symbol, unknown>)[sym];
}

function tryLoad(load: Loader, specifier: string): unknown {
  try {
    return load(specifier);
  } catch {
    return undefined;
  }
}

/** What of the internals below the installed kafkajs lacks, one phrase each (empty: everything is there). */
export function missingInternals(kafka: object, load: Loader = require): string[] {
  const missing: string[] = [];
  if (typeof privateMember(kafka, CREATE_CLUSTER) !== 'function') missing.push(`the cluster factory (Symbol(${CREATE_CLUSTER}) on the Kafka instance)`);
  if (typeof privateMember(kafka, LOGGER) !== 'object') missing.push(`the logger (Symbol(${LOGGER}) on the Kafka instance)`);
  const cluster = tryLoad(load, CLUSTER_CLASS) as { prototype?: Record<string, unknown> } | undefined;
  const absent = CLUSTER_METHODS.filter((m) => typeof cluster?.prototype?.[m] !== 'function');
  if (absent.length > 0) missing.push(`the cluster methods ${absent.join(', ')} (${CLUSTER_CLASS})`);
  const broker = tryLoad(load, BROKER_CLASS) as { prototype?: Record<string, unknown> } | undefined;
  if (typeof broker?.prototype?.fetch !== 'function') missing.push(`the broker's Fetch request (${BROKER_CLASS})`);
  if (typeof tryLoad(load, PRODUCER_FACTORY) !== 'function') missing.push(`the producer factory (${PRODUCER_FACTORY})`);
  if (typeof tryLoad(load, ABORTED_FILTER) !== 'function') missing.push(`the aborted-transaction filter (${ABORTED_FILTER})`);
  return missing;
}

function installedVersion(load: Loader): string {
  const pkg = tryLoad(load, 'kafkajs/package.json') as { version?: unknown } | undefined;
  return typeof pkg?.version === 'string' ? pkg.version : 'of unknown version';
}

let verified = false;

/** The startup check: one error naming every internal the installed kafkajs lacks. Runs once per process. */
export function checkKafkajs(kafka: object, load: Loader = require): void {
  if (verified && load === require) return;
  const missing = missingInternals(kafka, load);
  if (missing.length > 0) {
    const installed = installedVersion(load);
    throw new SluiceError(
      ErrorCodes.INTERNAL,
      `the installed kafkajs ${installed} lacks internals the Kafka connector relies on: ${missing.join('; ')}. ` +
        `Install exactly kafkajs ${KAFKAJS_VERSION}, the version package.json pins (docs/dependencies.md says why).`,
      { details: { installed, required: KAFKAJS_VERSION, missing } },
    );
  }
  if (load === require) verified = true;
}

/**
 * A cluster configured like `kafka` (brokers, TLS, SASL, logger, timeouts, retry), with our own options.
 * Relies on: the private factory kafkajs's own producer, consumer and admin build their clusters with; the
 * public clients hide the cluster, and only it sends a Fetch for chosen offsets to chosen brokers and
 * ListOffsets for chosen partitions without joining a group. `allowAutoTopicCreation: false` keeps
 * metadata requests from creating the topics they name.
 */
export function createCluster(kafka: Kafka, opts: { isolationLevel: number; maxInFlightRequests: number | null }): InternalCluster {
  checkKafkajs(kafka);
  const create = privateMember(kafka, CREATE_CLUSTER) as (o: Record<string, unknown>) => InternalCluster;
  const cluster = create({
    metadataMaxAge: 300_000,
    allowAutoTopicCreation: false,
    maxInFlightRequests: opts.maxInFlightRequests,
    isolationLevel: opts.isolationLevel,
  });
  patchController(cluster);
  return cluster;
}

/**
 * The one patch: Cluster#findControllerBroker falls back to any known broker when the controller id in the
 * metadata is not among the brokers. Some Kafka-protocol servers (librdkafka's mock cluster, some proxies)
 * report such a controller; kafkajs then fails the idempotent producer's InitProducerId, which any broker
 * can answer. A real controller is still used whenever the metadata names one.
 */
function patchController(cluster: InternalCluster): void {
  const original = cluster.findControllerBroker.bind(cluster);
  cluster.findControllerBroker = async () => {
    try {
      return await original();
    } catch (err) {
      const first = cluster.getNodeIds()[0];
      if (first === undefined) throw err;
      return cluster.findBroker({ nodeId: String(first) });
    }
  };
}

/**
 * A producer over our cluster, so that it shares the controller fallback and the connections above.
 * Relies on: the private producer factory (`Kafka#producer` always builds a cluster of its own) and the
 * private logger it needs. `retry` is the producer's own resend policy (see kafkajs-client.ts for why it
 * never waits).
 */
export function createProducer(
  kafka: Kafka,
  cluster: InternalCluster,
  opts: { idempotent: boolean; retry: { retries: number; initialRetryTime: number; maxRetryTime: number }; createPartitioner: ICustomPartitioner },
): InternalProducer {
  checkKafkajs(kafka);
  const logger = privateMember(kafka, LOGGER) as KafkajsLogger;
  const factory = require(PRODUCER_FACTORY) as (o: Record<string, unknown>) => InternalProducer;
  return factory({ cluster, logger, createPartitioner: opts.createPartitioner, retry: opts.retry, idempotent: opts.idempotent });
}

/**
 * Drops records of aborted transactions (read_committed), as the kafkajs consumer does. Relies on: the
 * consumer's private filter, which walks the Fetch response's aborted-transaction list against each
 * record's `batchContext` (producer id, transactional flag) until the producer's abort marker.
 */
export function filterAborted(messages: RawMessage[], aborted: unknown[] | undefined): RawMessage[] {
  if (aborted === undefined || aborted.length === 0) return messages;
  const filter = require(ABORTED_FILTER) as (o: { messages: RawMessage[]; abortedTransactions: unknown[] }) => RawMessage[];
  return filter({ messages, abortedTransactions: aborted });
}
