// Consumer-group mode of the Kafka source: Kafka's group protocol decides which partitions this
// instance owns, the Delta table's txn markers say where each partition stands, and every batch
// carries one marker per partition it covers, so that instances sharing one table never write a
// record twice.
//
//   plan:  owned = group assignment (null while rebalancing -> no batch)
//          from[p] = table marker <group>-<topic>-<p> ?? startingOffsets; to[p] = latest, rate-limited
//          offset = {group, ranges: {topic: {p: [from, to]}}}   (self-contained: `start` is not used)
//   read:  markers again; from[p] = max(from[p], marker) (another instance may have moved on)
//          fetch [from, to) -> rows; txns {appId, version: to, from}  -> sink commits them with the rows
import type { ComponentContext, Offset, ReadLimit } from '../../core/component.ts';
import { ErrorCodes, SourceError } from '../../core/errors.ts';
import type { ProgressMarker, SourceData } from '../../core/record.ts';
import { sleep } from '../../core/sleep.ts';
import { assignedPartitions } from './assignment.ts';
import { tpKey, type FetchRange, type GroupMembership, type KafkaClient, type LostRange, type PartitionBounds } from './client.ts';
import type { GroupSettings, KafkaSourceConfig } from './config.ts';
import { EARLIEST, LATEST, newOffsetCount, rateLimit, type OffsetMap } from './offsets.ts';
import { kafkaSchema, RowBuilder } from './rows.ts';

/** A partition's marker also names the version the batch starts from, for the sink's overlap check. */
export interface PartitionTxn extends ProgressMarker {
  readonly from: number;
}

type Ranges = Record<string, Record<string, [number, number]>>;

/** How long a backlog may take to drain before the replica hint asks for more instances. */
export const TARGET_CATCH_UP_SECONDS = 60;
/** Consecutive failed memberships before the source gives up. */
const MAX_REJOINS = 5;

export class GroupReader {
  readonly prefix: string;
  private membership: GroupMembership | undefined;
  private readonly initial: OffsetMap = new Map();
  private availableNowEnd: OffsetMap | undefined;
  private figures: Record<string, string> = {};
  private readonly reads: { at: number; count: number }[] = [];
  private rejoins = 0;

  constructor(
    private readonly client: KafkaClient,
    private readonly config: KafkaSourceConfig,
    private readonly group: GroupSettings,
    private readonly ctx: ComponentContext,
    private readonly onLoss: (l: LostRange, why: string) => void,
  ) {
    this.prefix = `${group.id}-`;
  }

  appId(topic: string, partition: number): string {
    return `${this.prefix}${topic}-${partition}`;
  }

  /** Joins the group and waits for the first assignment (a first join takes a few seconds). */
  async open(): Promise<void> {
    await this.join();
    const deadline = Date.now() + Math.max(60_000, 2 * this.group.sessionTimeoutMs);
    while (this.membership?.owned() === null && Date.now() < deadline && !this.ctx.signal.aborted) {
      await this.rejoinIfFailed();
      await sleep(50, this.ctx.signal);
    }
    if (this.membership?.owned() === null && !this.ctx.signal.aborted) {
      throw new SourceError(ErrorCodes.SOURCE_READ, `no partition assignment from consumer group ${this.group.id} at ${this.client.servers}`, { retryable: true });
    }
  }

  async capAtLatest(): Promise<void> {
    const all = await assignedPartitions(this.client, this.config.assignment);
    this.availableNowEnd = new Map((await this.client.bounds(all)).map((b) => [tpKey(b.topic, b.partition), b.latest]));
  }

  async plan(start: Offset | null, limit: ReadLimit, max: number | undefined): Promise<Offset | null> {
    if (await this.rejoinIfFailed()) return start;
    const owned = this.membership?.owned() ?? null;
    if (owned === null) return start;
    this.rejoins = 0;
    const all = await assignedPartitions(this.client, this.config.assignment);
    const bounds = await this.client.bounds(all);
    const markers = await this.ctx.sinkVersions(this.prefix);
    const mine = new Set(owned.map((p) => tpKey(p.topic, p.partition)));
    const from: OffsetMap = new Map();
    let until: OffsetMap = new Map();
    for (const b of bounds) {
      const k = tpKey(b.topic, b.partition);
      if (!mine.has(k)) continue;
      let f = markers.get(this.appId(b.topic, b.partition)) ?? (await this.initialFor(b));
      if (f < b.earliest) {
        this.onLoss({ topic: b.topic, partition: b.partition, start: f, end: b.earliest, next: f, earliest: b.earliest, latest: b.latest }, `offset ${f} is below the earliest available offset ${b.earliest}`);
        f = b.earliest;
      }
      from.set(k, f);
      until.set(k, Math.max(f, Math.min(b.latest, this.availableNowEnd?.get(k) ?? b.latest)));
    }
    if (limit.respectLimits && max !== undefined) until = rateLimit(from, until, max);
    this.figures = this.replicaHint(bounds, markers, mine, until);
    if (newOffsetCount(from, until) === 0) return start;
    const ranges: Ranges = {};
    for (const [k, f] of from) {
      const i = k.lastIndexOf(':');
      (ranges[k.slice(0, i)] ??= {})[k.slice(i + 1)] = [f, until.get(k) ?? f];
    }
    return { group: this.group.id, ranges };
  }

  async read(end: Offset): Promise<SourceData> {
    const ranges = parseRanges(end);
    const markers = await this.ctx.sinkVersions(this.prefix);
    const fetches: FetchRange[] = [];
    const txns: PartitionTxn[] = [];
    for (const [topic, parts] of Object.entries(ranges)) {
      for (const [p, [f, to]] of Object.entries(parts)) {
        const partition = Number(p);
        const appId = this.appId(topic, partition);
        const held = markers.get(appId);
        // Another instance already wrote up to `held`: read only what is still missing.
        const start = held !== undefined && held > f ? held : f;
        if (held !== undefined && held >= to && held > f) continue;
        txns.push({ appId, version: to, from: start });
        if (start < to) fetches.push({ topic, partition, start, end: to });
      }
    }
    const builder = new RowBuilder(this.config.valueFormat, this.config.includeHeaders);
    let pending = fetches;
    while (pending.length > 0) {
      const lost = await this.client.fetch(pending, (m) => builder.add(m), { signal: this.ctx.signal });
      pending = [];
      for (const l of lost) {
        this.onLoss(l, `offsets ${l.next} to ${l.end} are no longer on the broker`);
        if (l.next < l.earliest && l.earliest < l.end) pending.push({ topic: l.topic, partition: l.partition, start: l.earliest, end: l.end });
      }
    }
    this.reads.push({ at: Date.now(), count: builder.rows.length + builder.rejected.length });
    if (this.reads.length > 20) this.reads.shift();
    return { rows: builder.rows, rejected: builder.rejected, schema: kafkaSchema(this.config.valueFormat, this.config.includeHeaders), bytes: builder.bytes, markers: txns };
  }

  /** Tells the group where this instance's partitions stand, so that lag tools reading group offsets
   * see progress; only partitions still owned, since the others belong to another member now. */
  async commit(end: Offset): Promise<void> {
    const now = this.membership?.owned();
    if (now === null || now === undefined) return; // rebalancing: the next batch records it
    const owned = new Set(now.map((p) => tpKey(p.topic, p.partition)));
    const offsets: { topic: string; partition: number; offset: number }[] = [];
    for (const [topic, parts] of Object.entries(parseRanges(end))) {
      for (const [p, [, to]] of Object.entries(parts)) if (owned.has(tpKey(topic, Number(p)))) offsets.push({ topic, partition: Number(p), offset: to });
    }
    // Only for lag tools: a rebalance racing the commit is not worth a warning.
    await this.membership?.commitOffsets(offsets).catch((err: unknown) => this.ctx.logger.debug('recording offsets in the consumer group failed', { error: String(err) }));
  }

  metrics(): Record<string, string> {
    return { ...this.figures, rebalances: String(this.membership?.generations ?? 0) };
  }

  async close(): Promise<void> {
    await this.membership?.leave();
  }

  private async join(): Promise<GroupMembership> {
    const topics = [...new Set((await assignedPartitions(this.client, this.config.assignment)).map((p) => p.topic))];
    const m = await this.client.joinGroup({ groupId: this.group.id, topics, sessionTimeoutMs: this.group.sessionTimeoutMs, heartbeatIntervalMs: this.group.heartbeatIntervalMs });
    this.membership = m;
    return m;
  }

  /** The group consumer stops for good on a protocol error it does not retry (some servers answer a
   * racing SyncGroup so): join again, a few times in a row at most. */
  private async rejoinIfFailed(): Promise<boolean> {
    const m = this.membership;
    const err = m?.failure();
    if (m === undefined || err === undefined) return false;
    if (++this.rejoins > MAX_REJOINS) this.checkFailure();
    this.ctx.logger.warn('consumer group membership failed; joining again', { groupId: this.group.id, attempt: this.rejoins, error: err.message });
    await m.leave();
    await this.join();
    return true;
  }

  private checkFailure(): void {
    const err = this.membership?.failure();
    if (err !== undefined) throw new SourceError(ErrorCodes.SOURCE_READ, `consumer group ${this.group.id} membership failed: ${err.message}`, { cause: err, retryable: false });
  }

  /** Where a partition without a marker in the table starts, resolved once per process. */
  private async initialFor(b: PartitionBounds): Promise<number> {
    const k = tpKey(b.topic, b.partition);
    const known = this.initial.get(k);
    if (known !== undefined) return known;
    const spec = this.config.starting;
    let o: number;
    if (spec.kind === 'earliest') o = b.earliest;
    else if (spec.kind === 'latest') o = b.latest;
    else if (spec.kind === 'offsets') {
      const v = spec.offsets.get(k) ?? EARLIEST;
      o = v === EARLIEST ? b.earliest : v === LATEST ? b.latest : v;
    } else {
      const ts = spec.kind === 'timestamp' ? spec.timestampMs : (spec.timestamps.get(k) ?? 0);
      const found = (await this.client.offsetsForTimestamp([b], ts)).get(k) ?? -1;
      o = found >= 0 ? found : b.latest;
    }
    this.initial.set(k, o);
    return o;
  }

  /** The lag-based hint for an autoscaler: enough instances to drain the whole backlog within
   * TARGET_CATCH_UP_SECONDS at this instance's measured rate, never more than partitions with backlog. */
  private replicaHint(bounds: PartitionBounds[], markers: ReadonlyMap<string, number>, mine: Set<string>, planned: OffsetMap): Record<string, string> {
    let backlog = 0;
    let withBacklog = 0;
    let ownBacklog = 0;
    for (const b of bounds) {
      const k = tpKey(b.topic, b.partition);
      const at = planned.get(k) ?? markers.get(this.appId(b.topic, b.partition)) ?? this.initial.get(k) ?? b.earliest;
      const lag = Math.max(0, b.latest - at);
      backlog += lag;
      if (lag > 0) withBacklog++;
      if (mine.has(k)) ownBacklog += lag;
    }
    const first = this.reads[0];
    const last = this.reads[this.reads.length - 1];
    const span = first !== undefined && last !== undefined ? (last.at - first.at) / 1000 : 0;
    const count = this.reads.slice(1).reduce((n, r) => n + r.count, 0);
    const rate = span > 0 ? count / span : 0;
    let desired = 1;
    if (withBacklog > 0) desired = rate > 0 ? Math.min(withBacklog, Math.max(1, Math.ceil(backlog / (rate * TARGET_CATCH_UP_SECONDS)))) : withBacklog;
    return {
      desired_replicas: String(desired),
      groupPartitions: String(bounds.length),
      ownedPartitions: String(mine.size),
      partitionsWithBacklog: String(withBacklog),
      totalOffsetsBehindLatest: String(backlog),
      ownOffsetsBehindLatest: String(ownBacklog),
      throughputPerInstance: rate.toFixed(1),
    };
  }
}

/** The group offset written to the write-ahead log: `{group, ranges: {topic: {p: [from, to]}}}`. */
export function parseRanges(end: Offset): Ranges {
  const ranges = end !== null && typeof end === 'object' && !Array.isArray(end) ? end.ranges : undefined;
  const ok =
    ranges !== null && typeof ranges === 'object' && !Array.isArray(ranges) &&
    Object.values(ranges).every((parts) => parts !== null && typeof parts === 'object' && !Array.isArray(parts) &&
      Object.values(parts).every((r) => Array.isArray(r) && r.length === 2 && r.every((x) => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0)));
  if (!ok) {
    throw new SourceError(ErrorCodes.CHECKPOINT_CORRUPT, `a Kafka consumer-group offset in the checkpoint is malformed: ${JSON.stringify(end)}; a checkpoint of a query without group.id cannot be reused in group mode`);
  }
  return ranges as unknown as Ranges;
}
