// KafkaClient over kafkajs: metadata, offsets and bounded per-broker Fetch requests on one cluster
// connection, and an idempotent producer; kafkajs logs go to our logger.
//
//   fetch(ranges) --group by leader--> Fetch(broker, [tp@next...]) --> keep offsets in [next, end)
//        ^                                   |  OFFSET_OUT_OF_RANGE -> ListOffsets -> LostRange
//        +------ until every next == end ----+  retriable error -> refresh metadata, retry
import type * as Kafkajs from 'kafkajs';
import type { Kafka, LogEntry, logCreator, SASLOptions } from 'kafkajs';
import { lazyModule } from '../../core/lazy.ts';
import { ErrorCodes, errorMessage, SluiceError, type ErrorCode } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { tpKey, type FetchOptions, type GroupMembership, type GroupOptions, type KafkaHeader, type FetchRange, type KafkaClient, type KafkaMessage, type LostRange, type PartitionBounds, type ProduceRecord, type TopicPartition } from './client.ts';
import type { ClientOptions } from './settings.ts';
import { joinKafkajsGroup } from './kafkajs-group.ts';
import { createCluster, createProducer, filterAborted, type InternalCluster, type InternalProducer, type RawPartitionData } from './kafkajs-internals.ts';

export interface KafkajsClientOptions extends ClientOptions {
  readonly logger: Logger;
  /** Decides the error code of connection failures. */
  readonly role: 'source' | 'sink';
  /** Attempts after the first for metadata, offsets and fetches (Spark's fetchOffset.numRetries). */
  readonly retries: number;
  readonly retryIntervalMs: number;
  readonly isolationLevel?: 'read_committed' | 'read_uncommitted';
  /** A read makes no progress for this long: fail (Spark's pollTimeoutMs). */
  readonly pollTimeoutMs?: number;
  readonly maxBytesPerPartition?: number;
  readonly producer?: { readonly idempotent: boolean; readonly acks: -1 | 0 | 1; readonly compression: 'none' | 'gzip'; readonly retries: number };
}

const kafkajs = lazyModule<typeof Kafkajs>('kafkajs');

export function createKafkajsClient(opts: KafkajsClientOptions): KafkaClient {
  return new KafkajsClient(opts);
}

class KafkajsClient implements KafkaClient {
  readonly servers: string;
  private readonly kafka: Kafka;
  private readonly cluster: InternalCluster;
  private producer: InternalProducer | undefined;
  private connected = false;
  private readonly groups: GroupMembership[] = [];

  constructor(private readonly opts: KafkajsClientOptions) {
    this.servers = opts.servers.join(',');
    this.kafka = new (kafkajs().Kafka)({
      brokers: [...opts.servers],
      clientId: opts.clientId,
      connectionTimeout: opts.connectionTimeout,
      requestTimeout: opts.requestTimeout,
      retry: { retries: opts.retries, initialRetryTime: Math.max(50, opts.retryIntervalMs), maxRetryTime: 30_000 },
      logLevel: kafkajs().logLevel.INFO,
      logCreator: routeLogs(opts.logger),
      ...(opts.ssl === undefined ? {} : { ssl: opts.ssl }),
      ...(opts.sasl === undefined ? {} : { sasl: opts.sasl as SASLOptions }),
    });
    this.cluster = createCluster(this.kafka, {
      isolationLevel: opts.isolationLevel === 'read_committed' ? 1 : 0,
      maxInFlightRequests: opts.producer?.idempotent === true ? 1 : null,
    });
  }

  async connect(): Promise<void> {
    if (this.connected) return;
    try {
      await this.cluster.connect();
      this.connected = true;
    } catch (err) {
      throw this.failure(`cannot reach Kafka at ${this.servers}: ${errorMessage(err)}`, err, true);
    }
  }

  async topics(): Promise<Map<string, number[]>> {
    await this.connect();
    // A metadata request for all topics (none named) never triggers auto-creation.
    const meta = await this.retrying('listing topics', () => this.cluster.metadata({ topics: [] }));
    const out = new Map<string, number[]>();
    for (const t of meta.topicMetadata) {
      if (t.topicErrorCode !== 0) continue;
      out.set(t.topic, t.partitionMetadata.map((p) => p.partitionId).sort((a, b) => a - b));
    }
    return out;
  }

  async bounds(partitions: readonly TopicPartition[]): Promise<PartitionBounds[]> {
    if (partitions.length === 0) return [];
    const earliest = await this.listOffsets(partitions, { fromBeginning: true });
    const latest = await this.listOffsets(partitions, { fromBeginning: false });
    return partitions.map((tp) => {
      const k = tpKey(tp.topic, tp.partition);
      return { ...tp, earliest: earliest.get(k) ?? 0, latest: latest.get(k) ?? 0 };
    });
  }

  offsetsForTimestamp(partitions: readonly TopicPartition[], timestampMs: number): Promise<Map<string, number>> {
    return this.listOffsets(partitions, { fromTimestamp: timestampMs });
  }

  private async listOffsets(partitions: readonly TopicPartition[], mode: { fromBeginning?: boolean; fromTimestamp?: number }): Promise<Map<string, number>> {
    await this.connect();
    const byTopic = groupByTopic(partitions);
    await this.retrying('loading topic metadata', () => this.cluster.addMultipleTargetTopics([...byTopic.keys()]));
    const res = await this.retrying('listing offsets', async () => {
      await this.cluster.refreshMetadata();
      return this.cluster.fetchTopicsOffset([...byTopic].map(([topic, ps]) => ({ topic, partitions: ps.map((partition) => ({ partition })), ...mode })));
    });
    const out = new Map<string, number>();
    for (const t of res) for (const p of t.partitions) out.set(tpKey(t.topic, p.partition), Number(p.offset));
    return out;
  }

  async fetch(ranges: readonly FetchRange[], onMessage: (m: KafkaMessage) => void, fo: FetchOptions = {}): Promise<LostRange[]> {
    await this.connect();
    const next = new Map<string, number>();
    const active = new Map<string, FetchRange>();
    for (const r of ranges) {
      if (r.start >= r.end) continue;
      active.set(tpKey(r.topic, r.partition), r);
      next.set(tpKey(r.topic, r.partition), r.start);
    }
    if (active.size === 0) return [];
    const lost: LostRange[] = [];
    await this.retrying('loading topic metadata', () => this.cluster.addMultipleTargetTopics([...new Set(ranges.map((r) => r.topic))]));
    const isolationLevel = this.opts.isolationLevel === 'read_committed' ? 1 : 0;
    const maxBytes = this.opts.maxBytesPerPartition ?? 1024 * 1024;
    const pollTimeout = this.opts.pollTimeoutMs ?? 120_000;
    let lastProgress = Date.now();
    let failures = 0;
    while (active.size > 0) {
      if (fo.signal?.aborted === true) throw new SluiceError(ErrorCodes.QUERY_STOPPED, 'Kafka read stopped: the query is stopping');
      const progressBefore = [...next.values()].reduce((a, b) => a + b, 0);
      let requests = this.planRequests([...active.values()], next, maxBytes);
      if (countPartitions(requests) < active.size) {
        // A partition without a leader in the metadata: refresh once; still missing means it is gone.
        await this.cluster.refreshMetadata().catch(() => undefined);
        requests = this.planRequests([...active.values()], next, maxBytes);
        const planned = new Set(requests.flatMap((r) => r.topics.flatMap((t) => t.partitions.map((p) => tpKey(t.topic, p.partition)))));
        for (const [k, r] of active) {
          if (planned.has(k)) continue;
          lost.push({ ...r, next: next.get(k) ?? r.start, earliest: -1, latest: -1 });
          active.delete(k);
        }
        if (active.size === 0) break;
      }
      const results = await Promise.allSettled(
        requests.map(async ({ nodeId, topics }) => {
          const broker = await this.cluster.findBroker({ nodeId });
          return broker.fetch({ maxWaitTime: 100, minBytes: 1, maxBytes: 64 * 1024 * 1024, isolationLevel, topics });
        }),
      );
      const emptyAtEnd: TopicPartition[] = [];
      let retriable: unknown;
      for (const [i, r] of results.entries()) {
        if (r.status === 'rejected') {
          if (errorType(r.reason) === 'OFFSET_OUT_OF_RANGE') {
            const tps = (requests[i]?.topics ?? []).flatMap((t) => t.partitions.map((p) => ({ topic: t.topic, partition: p.partition })));
            lost.push(...(await this.findLost(tps, active, next)));
          } else if (isRetriable(r.reason)) retriable = r.reason;
          else throw this.failure(`reading from Kafka at ${this.servers} failed: ${errorMessage(r.reason)}`, r.reason, false);
          continue;
        }
        for (const t of r.value.responses) {
          for (const pd of t.partitions) {
            const key = tpKey(t.topicName, pd.partition);
            const range = active.get(key);
            const from = next.get(key);
            if (range === undefined || from === undefined) continue;
            const reached = deliver(t.topicName, pd, from, range.end, onMessage);
            if (reached === undefined) {
              if (Number(pd.highWatermark) <= from) emptyAtEnd.push({ topic: t.topicName, partition: pd.partition });
              continue;
            }
            next.set(key, reached);
            if (reached >= range.end) active.delete(key);
          }
        }
      }
      if (emptyAtEnd.length > 0) lost.push(...(await this.findLost(emptyAtEnd, active, next, true)));
      if (retriable !== undefined) {
        if (++failures > this.opts.retries) throw this.failure(`reading from Kafka at ${this.servers} failed: ${errorMessage(retriable)}`, retriable, true);
        await sleep(this.opts.retryIntervalMs * failures);
        await this.cluster.refreshMetadata().catch(() => undefined);
      }
      const progressAfter = [...next.values()].reduce((a, b) => a + b, 0);
      if (progressAfter !== progressBefore) {
        lastProgress = Date.now();
        failures = 0;
      } else if (Date.now() - lastProgress > pollTimeout) {
        throw this.failure(`no data from Kafka at ${this.servers} for ${pollTimeout} ms while reading ${[...active.keys()].join(', ')}`, undefined, true);
      }
    }
    return lost;
  }

  /** Partitions whose next offset the broker no longer (or not yet) has: removed from the active set. */
  private async findLost(tps: TopicPartition[], active: Map<string, FetchRange>, next: Map<string, number>, atEnd = false): Promise<LostRange[]> {
    const bounds = await this.bounds(tps);
    const out: LostRange[] = [];
    for (const b of bounds) {
      const key = tpKey(b.topic, b.partition);
      const range = active.get(key);
      const at = next.get(key);
      if (range === undefined || at === undefined) continue;
      if (at < b.earliest || at > b.latest || (atEnd && at >= b.latest)) {
        out.push({ ...range, next: at, earliest: b.earliest, latest: b.latest });
        active.delete(key);
      }
    }
    return out;
  }

  private planRequests(ranges: FetchRange[], next: Map<string, number>, maxBytes: number) {
    const byNode = new Map<string, { topic: string; partitions: { partition: number; fetchOffset: string; maxBytes: number }[] }[]>();
    for (const [topic, parts] of groupByTopic(ranges)) {
      const leaders = this.cluster.findLeaderForPartitions(topic, parts);
      for (const [nodeId, ps] of Object.entries(leaders)) {
        const list = byNode.get(nodeId) ?? [];
        list.push({ topic, partitions: ps.map((partition) => ({ partition, fetchOffset: String(next.get(tpKey(topic, partition)) ?? 0), maxBytes })) });
        byNode.set(nodeId, list);
      }
    }
    return [...byNode].map(([nodeId, topics]) => ({ nodeId, topics }));
  }

  /** With no records, only starts the producer (so that a sink fails at open, not at its first batch). */
  async produce(records: readonly ProduceRecord[]): Promise<void> {
    const p = this.opts.producer ?? { idempotent: true, acks: -1, compression: 'none', retries: 5 };
    await this.connect();
    if (this.producer === undefined) {
      const producer = createProducer(this.kafka, this.cluster, { idempotent: p.idempotent, retries: p.retries, createPartitioner: kafkajs().Partitioners.DefaultPartitioner });
      try {
        await producer.connect();
      } catch (err) {
        throw this.failure(`cannot start a Kafka producer at ${this.servers}: ${errorMessage(err)}`, err, true);
      }
      this.producer = producer;
    }
    if (records.length === 0) return;
    const byTopic = new Map<string, { key: Buffer | null; value: Buffer | null; partition?: number; headers?: Record<string, Buffer | Buffer[]> }[]>();
    for (const r of records) {
      const list = byTopic.get(r.topic) ?? [];
      list.push({
        key: toBuffer(r.key),
        value: toBuffer(r.value),
        ...(r.partition === undefined ? {} : { partition: r.partition }),
        ...(r.headers === undefined || r.headers.length === 0 ? {} : { headers: headerObject(r.headers) }),
      });
      byTopic.set(r.topic, list);
    }
    try {
      await this.producer.sendBatch({
        acks: p.acks,
        compression: p.compression === 'gzip' ? kafkajs().CompressionTypes.GZIP : kafkajs().CompressionTypes.None,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
    } catch (err) {
      throw this.failure(`producing ${records.length} records to Kafka at ${this.servers} failed: ${errorMessage(err)}`, err, isRetriable(err));
    }
  }

  async joinGroup(opts: GroupOptions): Promise<GroupMembership> {
    try {
      const m = await joinKafkajsGroup(this.kafka, opts, this.opts.logger);
      this.groups.push(m);
      return m;
    } catch (err) {
      throw this.failure(`cannot join consumer group ${opts.groupId} at ${this.servers}: ${errorMessage(err)}`, err, isRetriable(err));
    }
  }

  async close(): Promise<void> {
    for (const g of this.groups.splice(0)) await g.leave();
    const producer = this.producer;
    this.producer = undefined;
    if (producer !== undefined) await producer.disconnect().catch(() => undefined);
    await this.cluster.disconnect().catch(() => undefined);
    this.connected = false;
  }

  private async retrying<T>(what: string, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (err instanceof SluiceError) throw err;
        if (!isRetriable(err) || attempt >= this.opts.retries) {
          throw this.failure(`${what} at Kafka ${this.servers} failed: ${errorMessage(err)}`, err, isRetriable(err));
        }
        await sleep(this.opts.retryIntervalMs * (attempt + 1));
        await this.cluster.refreshMetadata().catch(() => undefined);
      }
    }
  }

  private failure(message: string, cause: unknown, retryable: boolean): SluiceError {
    const code: ErrorCode = this.opts.role === 'source' ? ErrorCodes.SOURCE_READ : ErrorCodes.SINK_WRITE;
    return new SluiceError(code, message, { retryable, cause, details: { servers: this.servers } });
  }
}

/** Emits the messages of one partition response in [from, end); returns the next offset, or undefined when
 * the response held no records at all. Offsets below `from` appear when a batch starts earlier. */
function deliver(topic: string, pd: RawPartitionData, from: number, end: number, onMessage: (m: KafkaMessage) => void): number | undefined {
  const raw = pd.messages;
  if (raw.length === 0) return undefined;
  let reached = from;
  for (const m of filterAborted(raw, pd.abortedTransactions)) {
    const offset = Number(m.offset);
    if (offset < from || m.isControlRecord === true) continue;
    if (offset >= end) break;
    onMessage({
      topic,
      partition: pd.partition,
      offset,
      key: m.key,
      value: m.value,
      timestamp: Number(m.timestamp),
      timestampType: m.batchContext?.timestampType === 1 ? 1 : 0,
      headers: headerList(m.headers),
    });
  }
  // Aborted and control records are skipped but still move the position.
  const last = Number(raw[raw.length - 1]?.offset ?? from - 1);
  reached = Math.max(reached, Math.min(end, last + 1));
  return reached;
}

const NO_HEADERS: readonly KafkaHeader[] = Object.freeze([]);

function headerList(h: Record<string, Buffer | Buffer[] | null | undefined>): readonly KafkaHeader[] {
  let out: KafkaHeader[] | undefined;
  for (const [key, v] of Object.entries(h)) {
    out ??= [];
    if (Array.isArray(v)) for (const x of v) out.push({ key, value: x });
    else out.push({ key, value: v ?? null });
  }
  return out ?? NO_HEADERS;
}

function headerObject(headers: readonly { key: string; value: Uint8Array | null }[]): Record<string, Buffer | Buffer[]> {
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

function countPartitions(requests: { topics: { partitions: unknown[] }[] }[]): number {
  return requests.reduce((n, r) => n + r.topics.reduce((m, t) => m + t.partitions.length, 0), 0);
}

function groupByTopic(tps: readonly TopicPartition[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const tp of tps) {
    const list = out.get(tp.topic) ?? [];
    list.push(tp.partition);
    out.set(tp.topic, list);
  }
  return out;
}

function errorType(err: unknown): unknown {
  return (err as { type?: unknown } | null)?.type;
}

/** Transient per kafkajs; exhausted retries count as transient when what failed was (a later attempt may work). */
function isRetriable(err: unknown): boolean {
  const e = err as { retriable?: unknown; name?: unknown; cause?: unknown } | null;
  if (e?.retriable === true) return true;
  return e?.name === 'KafkaJSNumberOfRetriesExceeded' && e.cause !== err && isRetriable(e.cause);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** kafkajs logs every failed request at ERROR even when it is retried or handled here, so its levels are
 * lowered by one: real failures reach the user as our own errors. */
function routeLogs(logger: Logger): logCreator {
  const log = logger.child({ component: 'kafkajs' });
  return () => (entry: LogEntry) => {
    const { message, timestamp: _ts, logger: _l, ...fields } = entry.log as { message: string; timestamp?: string; logger?: string } & Record<string, unknown>;
    const payload = { namespace: entry.namespace, ...fields };
    if (entry.level === kafkajs().logLevel.ERROR) log.warn(message, payload);
    else if (entry.level === kafkajs().logLevel.WARN) log.info(message, payload);
    else log.debug(message, payload);
  };
}
