// KafkaClient over kafkajs: metadata, offsets and bounded per-broker Fetch requests on one cluster
// connection, an idempotent producer (kafkajs-produce.ts), and group membership on a connection of its own;
// kafkajs logs go to our logger.
//
//   fetch(ranges) --group by leader--> Fetch(broker, [tp@next...]) --> keep offsets in [next, end)
//        ^                                   |  OFFSET_OUT_OF_RANGE -> ListOffsets -> LostRange
//        +------ until every next == end ----+  transient error -> refresh metadata, wait, go on
//
// One retry policy, the engine's (error_handling.retry): kafkajs's cluster does not retry (retries: 0) and
// the client has no retry loop of its own; every failure becomes a SluiceError whose `retryable` says
// whether the engine may try again. Three things stay inside, each for a reason the engine cannot see:
// - connect() tries each bootstrap server once in turn (no wait), as Kafka's own clients do;
// - a read re-routes after a transient Fetch failure (a moved leader, a dropped connection), up to
//   fetchOffset.numRetries rounds in a row without progress, because the records already read would be
//   lost to a retry of the whole read, which could then never finish while leaders keep moving;
// - the producer's own resends (kafkajs-produce.ts) and the consumer-group protocol (kafkajs-group.ts).
// Every wait of the client honours the abort signal: a stopping query ends a read or a request at once.
import type * as Kafkajs from 'kafkajs';
import type { KafkaConfig, SASLOptions } from 'kafkajs';
import { lazyModule } from '../../core/lazy.ts';
import { ErrorCodes, errorMessage, SluiceError, type ErrorCode } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { sleep } from '../../core/sleep.ts';
import { tpKey, type FetchOptions, type GroupMembership, type GroupOptions, type KafkaHeader, type FetchRange, type KafkaClient, type KafkaMessage, type LostRange, type PartitionBounds, type ProduceRecord, type TopicPartition } from './client.ts';
import type { ClientOptions } from './settings.ts';
import { errorType, isRetriable, routeLogs, SocketRegistry } from './kafkajs-support.ts';
import { GROUP_RETRY, joinKafkajsGroup } from './kafkajs-group.ts';
import { createCluster, filterAborted, type InternalCluster, type RawPartitionData } from './kafkajs-internals.ts';
import { ProducePath, type ProducerSettings } from './kafkajs-produce.ts';

export interface KafkajsClientOptions extends ClientOptions {
  readonly logger: Logger;
  /** Decides the error code of connection failures. */
  readonly role: 'source' | 'sink';
  /** Consecutive Fetch rounds without progress that a read survives by re-routing (fetchOffset.numRetries). */
  readonly retries?: number;
  /** Wait before re-routing, times the rounds failed so far (fetchOffset.retryIntervalMs). */
  readonly retryIntervalMs?: number;
  /** A stopping query: waits end and operations fail with SLUICE_QUERY_STOPPED. */
  readonly signal?: AbortSignal;
  readonly isolationLevel?: 'read_committed' | 'read_uncommitted';
  /** A read makes no progress for this long: fail (Spark's pollTimeoutMs). */
  readonly pollTimeoutMs?: number;
  readonly maxBytesPerPartition?: number;
  readonly producer?: ProducerSettings;
}

const kafkajs = lazyModule<typeof Kafkajs>('kafkajs');

export function createKafkajsClient(opts: KafkajsClientOptions): KafkaClient {
  return new KafkajsClient(opts);
}

class KafkajsClient implements KafkaClient {
  readonly servers: string;
  private readonly cluster: InternalCluster;
  private readonly producer: ProducePath;
  private connected = false;
  private readonly groups: GroupMembership[] = [];
  /** The cluster's and producer's sockets (the group consumer has its own, to leave its group cleanly). */
  private readonly sockets = new SocketRegistry();
  /** A request was left unanswered when the query stopped: close() must not wait for its answer. */
  private abandoned = false;

  constructor(private readonly opts: KafkajsClientOptions) {
    this.servers = opts.servers.join(',');
    const kafka = new (kafkajs().Kafka)(this.kafkaConfig({ retries: 0 }, this.sockets));
    this.cluster = createCluster(kafka, {
      isolationLevel: opts.isolationLevel === 'read_committed' ? 1 : 0,
      maxInFlightRequests: opts.producer?.idempotent === true ? 1 : null,
    });
    const producer = opts.producer ?? { idempotent: true, acks: -1, compression: 'none', retries: 5 };
    this.producer = new ProducePath(kafka, this.cluster, producer, this.servers, (m, cause, retryable) => this.failure(m, cause, retryable));
  }

  /** Tries each bootstrap server once: kafkajs moves to the next one after a connection error. */
  async connect(): Promise<void> {
    if (this.connected) return;
    for (let attempt = 1; ; attempt++) {
      this.checkStopped('connecting');
      try {
        await this.untilStopped(this.cluster.connect(), 'connecting');
        this.connected = true;
        return;
      } catch (err) {
        if (err instanceof SluiceError) throw err;
        if (attempt < this.opts.servers.length && isRetriable(err)) continue;
        throw this.failure(`cannot reach Kafka at ${this.servers}: ${errorMessage(err)}`, err, isRetriable(err));
      }
    }
  }

  async topics(): Promise<Map<string, number[]>> {
    await this.connect();
    // A metadata request for all topics (none named) never triggers auto-creation.
    const meta = await this.request('listing topics', () => this.cluster.metadata({ topics: [] }));
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
    const res = await this.request('listing offsets', async () => {
      await this.cluster.addMultipleTargetTopics([...byTopic.keys()]);
      // Fresh leaders: a retry by the engine after NOT_LEADER_OR_FOLLOWER must not ask the old one again.
      await this.cluster.refreshMetadata();
      return this.cluster.fetchTopicsOffset([...byTopic].map(([topic, ps]) => ({ topic, partitions: ps.map((partition) => ({ partition })), ...mode })));
    });
    const out = new Map<string, number>();
    for (const t of res) for (const p of t.partitions) out.set(tpKey(t.topic, p.partition), Number(p.offset));
    return out;
  }

  async fetch(ranges: readonly FetchRange[], onMessage: (m: KafkaMessage) => void, fo: FetchOptions = {}): Promise<LostRange[]> {
    await this.connect();
    try {
      return await this.fetchRanges(ranges, onMessage, fo.signal ?? this.opts.signal);
    } catch (err) {
      if (err instanceof SluiceError) throw err;
      throw this.failure(`reading from Kafka at ${this.servers} failed: ${errorMessage(err)}`, err, isRetriable(err));
    }
  }

  private async fetchRanges(ranges: readonly FetchRange[], onMessage: (m: KafkaMessage) => void, signal: AbortSignal | undefined): Promise<LostRange[]> {
    const next = new Map<string, number>();
    const active = new Map<string, FetchRange>();
    for (const r of ranges) {
      if (r.start >= r.end) continue;
      active.set(tpKey(r.topic, r.partition), r);
      next.set(tpKey(r.topic, r.partition), r.start);
    }
    if (active.size === 0) return [];
    const lost: LostRange[] = [];
    await this.untilStopped(this.cluster.addMultipleTargetTopics([...new Set(ranges.map((r) => r.topic))]), 'reading', signal);
    const isolationLevel = this.opts.isolationLevel === 'read_committed' ? 1 : 0;
    const maxBytes = this.opts.maxBytesPerPartition ?? 1024 * 1024;
    const pollTimeout = this.opts.pollTimeoutMs ?? 120_000;
    let lastProgress = Date.now();
    let failures = 0;
    while (active.size > 0) {
      this.checkStopped('reading', signal);
      const progressBefore = [...next.values()].reduce((a, b) => a + b, 0);
      let requests = this.planRequests([...active.values()], next, maxBytes);
      if (countPartitions(requests) < active.size) {
        // A partition without a leader in the metadata: refresh once; still missing means it is gone.
        await this.untilStopped(this.cluster.refreshMetadata().catch(() => undefined), 'reading', signal);
        requests = this.planRequests([...active.values()], next, maxBytes);
        const planned = new Set(requests.flatMap((r) => r.topics.flatMap((t) => t.partitions.map((p) => tpKey(t.topic, p.partition)))));
        for (const [k, r] of active) {
          if (planned.has(k)) continue;
          lost.push({ ...r, next: next.get(k) ?? r.start, earliest: -1, latest: -1 });
          active.delete(k);
        }
        if (active.size === 0) break;
      }
      const results = await this.untilStopped(
        Promise.allSettled(
          requests.map(async ({ nodeId, topics }) => {
            const broker = await this.cluster.findBroker({ nodeId });
            return broker.fetch({ maxWaitTime: 100, minBytes: 1, maxBytes: 64 * 1024 * 1024, isolationLevel, topics });
          }),
        ),
        'reading',
        signal,
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
        if (++failures > (this.opts.retries ?? 3)) throw this.failure(`reading from Kafka at ${this.servers} failed: ${errorMessage(retriable)}`, retriable, true);
        const waitMs = (this.opts.retryIntervalMs ?? 10) * failures;
        this.opts.logger.debug('Kafka fetch failed; refreshing metadata and reading on', { attempt: failures, waitMs, error: errorMessage(retriable) });
        await sleep(waitMs, signal);
        this.checkStopped('reading', signal);
        await this.untilStopped(this.cluster.refreshMetadata().catch(() => undefined), 'reading', signal);
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
    await this.connect();
    if (records.length === 0) return this.producer.start();
    return this.producer.send(records);
  }

  /** The group consumer gets a connection of its own whose kafkajs retries stay on (see kafkajs-group.ts). */
  async joinGroup(opts: GroupOptions): Promise<GroupMembership> {
    const kafka = new (kafkajs().Kafka)(this.kafkaConfig(GROUP_RETRY, new SocketRegistry()));
    try {
      const m = await joinKafkajsGroup(kafka, opts, this.opts.logger, this.opts.signal);
      this.groups.push(m);
      return m;
    } catch (err) {
      if (err instanceof SluiceError) throw err;
      throw this.failure(`cannot join consumer group ${opts.groupId} at ${this.servers}: ${errorMessage(err)}`, err, isRetriable(err));
    }
  }

  async close(): Promise<void> {
    if (this.abandoned) this.sockets.destroyAll();
    for (const g of this.groups.splice(0)) await g.leave();
    await this.producer.close();
    await this.cluster.disconnect().catch(() => undefined);
    this.connected = false;
  }

  private kafkaConfig(retry: KafkaConfig['retry'], sockets: SocketRegistry): KafkaConfig {
    const o = this.opts;
    return {
      brokers: [...o.servers],
      clientId: o.clientId,
      connectionTimeout: o.connectionTimeout,
      requestTimeout: o.requestTimeout,
      socketFactory: sockets.factory,
      ...(retry === undefined ? {} : { retry }),
      logLevel: kafkajs().logLevel.INFO,
      logCreator: routeLogs(o.logger),
      ...(o.ssl === undefined ? {} : { ssl: o.ssl }),
      ...(o.sasl === undefined ? {} : { sasl: o.sasl as SASLOptions }),
    };
  }

  /** One attempt of a metadata or offsets request; its failure says whether the engine may retry. */
  private async request<T>(what: string, fn: () => Promise<T>): Promise<T> {
    this.checkStopped(what);
    try {
      return await this.untilStopped(fn(), what);
    } catch (err) {
      if (err instanceof SluiceError) throw err;
      throw this.failure(`${what} at Kafka ${this.servers} failed: ${errorMessage(err)}`, err, isRetriable(err));
    }
  }

  private checkStopped(what: string, signal = this.opts.signal): void {
    if (signal?.aborted === true) throw stopped(what);
  }

  /** Settles with `p`, or fails at once when the query stops (the request itself ends when the client
   * closes): kafkajs requests cannot be cancelled, and a broker that does not answer would hold the stop
   * for the whole request or connection timeout. */
  private untilStopped<T>(p: Promise<T>, what: string, signal = this.opts.signal): Promise<T> {
    if (signal === undefined) return p;
    if (signal.aborted) {
      this.abandoned = true;
      p.catch(() => undefined);
      return Promise.reject(stopped(what));
    }
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => {
        this.abandoned = true;
        reject(stopped(what));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  private failure(message: string, cause: unknown, retryable: boolean): SluiceError {
    const code: ErrorCode = this.opts.role === 'source' ? ErrorCodes.SOURCE_READ : ErrorCodes.SINK_WRITE;
    return new SluiceError(code, message, { retryable, cause, details: { servers: this.servers } });
  }
}

function stopped(what: string): SluiceError {
  return new SluiceError(ErrorCodes.QUERY_STOPPED, `Kafka ${what} stopped: the query is stopping`);
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
