// The Kafka source: plans offset ranges per micro-batch (rate-limited, Spark semantics) and reads
// exactly the planned range again after a crash; offsets live in the engine's write-ahead log.
//
//   latestOffset(start)                     read(start, end)                 commit(end)
//   assigned partitions (assignment.ts)     ranges [start[tp], end[tp])      nothing to do: offsets
//   start ?? initial offsets (sources/n/0)  fetch exactly those offsets      are in the checkpoint
//   latest offsets -> availableNow cap      lost offsets: failOnDataLoss
//   -> minOffsetsPerTrigger -> rateLimit       ? SLUICE_SOURCE_DATA_LOSS : skip + warn
// With group.id, planning and reading go to group.ts (partitions owned through a consumer group).
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defineSource, type ComponentContext, type ComponentHealth, type JsonValue, type Offset, type ReadLimit, type Source } from '../../core/component.ts';
import { ErrorCodes, SourceError } from '../../core/errors.ts';
import type { SourceData } from '../../core/record.ts';
import { assignedPartitions, assignmentIdentity, describeAssignment } from './assignment.ts';
import { clientHealth, parseTpKey, tpKey, type FetchRange, type KafkaClient, type LostRange, type TopicPartition } from './client.ts';
import { kafkaSourceSchema, type KafkaSourceConfig } from './config.ts';
import { GroupReader } from './group.ts';
import { createKafkajsClient } from './kafkajs-client.ts';
import { EARLIEST, LATEST, lagMetrics, newOffsetCount, offsetsFromCheckpoint, offsetsToJson, rateLimit, type OffsetMap } from './offsets.ts';
import { kafkaSchema, RowBuilder } from './rows.ts';
import { clientOptions } from './settings.ts';

export const kafkaSource = defineSource({
  type: 'kafka',
  summary: "Reads Kafka topics with Spark's options and semantics; replays exactly the planned offsets after a crash.",
  config: kafkaSourceSchema,
  // Instances of a group share partitions: where each stands must live in the sink, with the rows.
  needs: (config) => (config.group === undefined ? {} : { progressMarkers: { reason: `consumer-group mode, \`${config.group.key}\` set`, key: config.group.key } }),
  declaredSchema: (config) => kafkaSchema(config.valueFormat, config.includeHeaders),
  create: (config, ctx) => new KafkaSource(config, ctx),
});

/** Spark keeps a source's initial offsets in `sources/<n>/0`; so do we, in the same `v1` format. */
const INITIAL_FILE = '0';

export class KafkaSource implements Source {
  readonly description: string;
  private readonly client: KafkaClient;
  private initial: OffsetMap | undefined;
  private availableNowEnd: OffsetMap | undefined;
  private latest: OffsetMap = new Map();
  private planned: OffsetMap = new Map();
  private lastTriggerMs = 0;
  private dataLossEvents = 0;
  private readonly group: GroupReader | undefined;

  constructor(
    private readonly config: KafkaSourceConfig,
    private readonly ctx: ComponentContext,
  ) {
    this.description = `KafkaV2[${describeAssignment(config.assignment)}]`;
    this.client = createKafkajsClient({
      ...clientOptions(config.client, `sluice-${ctx.pipelineName}`),
      logger: ctx.logger,
      role: 'source',
      retries: config.numRetries,
      retryIntervalMs: config.retryIntervalMs,
      signal: ctx.signal,
      isolationLevel: config.isolationLevel,
      pollTimeoutMs: config.pollTimeoutMs,
      maxBytesPerPartition: config.maxPartitionFetchBytes,
    });
    if (config.group !== undefined) {
      this.group = new GroupReader(this.client, config, config.group, ctx, (l, why) => this.dataLoss(l, why));
      this.description = `KafkaV2[${describeAssignment(config.assignment)}, group ${config.group.id}]`;
    }
  }

  identity(): Record<string, JsonValue> {
    const group = this.config.group === undefined ? {} : { group: this.config.group.id };
    return { type: 'kafka', ...(assignmentIdentity(this.config.assignment) as Record<string, JsonValue>), ...group };
  }

  async open(): Promise<void> {
    await this.client.connect();
    if (this.group !== undefined) return this.group.open();
    this.initial = await this.loadInitial();
  }

  async prepareForAvailableNow(): Promise<void> {
    if (this.group !== undefined) return this.group.capAtLatest();
    const partitions = await assignedPartitions(this.client, this.config.assignment);
    this.availableNowEnd = new Map((await this.client.bounds(partitions)).map((b) => [tpKey(b.topic, b.partition), b.latest]));
  }

  async latestOffset(start: Offset | null, limit: ReadLimit): Promise<Offset | null> {
    if (this.group !== undefined) return this.group.plan(start, limit, this.config.maxOffsetsPerTrigger ?? this.ctx.defaults.maxOffsetsPerTrigger);
    const partitions = await assignedPartitions(this.client, this.config.assignment);
    const from = start === null ? await this.initialOffsets(partitions) : offsetsFromCheckpoint(start);
    const bounds = await this.client.bounds(partitions);
    this.latest = new Map(bounds.map((b) => [tpKey(b.topic, b.partition), b.latest]));
    this.checkVanished(from);
    let until: OffsetMap = new Map();
    for (const b of bounds) {
      const k = tpKey(b.topic, b.partition);
      if (!from.has(k)) this.ctx.logger.info('new Kafka partition discovered; reading it from the earliest offset', { topic: b.topic, partition: b.partition });
      const cap = this.availableNowEnd === undefined ? b.latest : (this.availableNowEnd.get(k) ?? from.get(k) ?? 0);
      until.set(k, Math.min(b.latest, cap));
    }
    if (limit.respectLimits && this.delayBatch(from, until)) return start;
    const max = this.config.maxOffsetsPerTrigger ?? this.ctx.defaults.maxOffsetsPerTrigger;
    if (limit.respectLimits && max !== undefined) until = rateLimit(from, until, max);
    this.planned = until;
    return sameOffsets(from, until) ? start : offsetsToJson(until);
  }

  async read(start: Offset | null, end: Offset): Promise<SourceData> {
    if (this.group !== undefined) return this.group.read(end);
    const from = start === null ? (this.initial ?? (await this.loadInitial())) : offsetsFromCheckpoint(start);
    if (from === undefined) throw new SourceError(ErrorCodes.INTERNAL, 'read of the first batch before its initial offsets were planned');
    const until = offsetsFromCheckpoint(end);
    const ranges: FetchRange[] = [];
    for (const [k, e] of until) {
      const { topic, partition } = parseTpKey(k);
      const s = from.get(k) ?? 0;
      if (e < s) this.dataLoss({ topic, partition, start: s, end: e, next: s, earliest: e, latest: e }, `the offset went back from ${s} to ${e}; the topic may have been recreated`);
      else if (e > s) ranges.push({ topic, partition, start: s, end: e });
    }
    const builder = new RowBuilder(this.config.valueFormat, this.config.includeHeaders);
    const add = (m: Parameters<RowBuilder['add']>[0]): void => builder.add(m);
    let pending = ranges;
    // With failOnDataLoss=false a lost range is retried from what is still there; each round only shrinks.
    while (pending.length > 0) {
      const lost = await this.client.fetch(pending, add, { signal: this.ctx.signal });
      pending = [];
      for (const l of lost) {
        this.dataLoss(l, describeLoss(l));
        if (l.next < l.earliest && l.earliest < l.end) pending.push({ topic: l.topic, partition: l.partition, start: l.earliest, end: l.end });
      }
    }
    return { rows: builder.rows, rejected: builder.rejected, schema: kafkaSchema(this.config.valueFormat, this.config.includeHeaders), bytes: builder.bytes };
  }

  commit(end: Offset): Promise<void> {
    return this.group?.commit(end) ?? Promise.resolve();
  }

  metrics(): Record<string, string> {
    const m = this.group?.metrics() ?? lagMetrics(this.latest, this.planned);
    if (this.dataLossEvents > 0) m.dataLossEvents = String(this.dataLossEvents);
    return m;
  }

  health(): Promise<ComponentHealth> {
    return clientHealth(this.client);
  }

  async close(): Promise<void> {
    await this.group?.close();
    await this.client.close();
  }

  /** Spark's minOffsetsPerTrigger: hold the batch back until enough is new or maxTriggerDelay passed. */
  private delayBatch(from: OffsetMap, until: OffsetMap): boolean {
    const min = this.config.minOffsetsPerTrigger;
    if (min === undefined) return false;
    const now = Date.now();
    if (now - this.lastTriggerMs >= this.config.maxTriggerDelayMs || newOffsetCount(from, until) >= min) {
      this.lastTriggerMs = now;
      return false;
    }
    return true;
  }

  /** Partitions in the last offsets that no longer exist (a deleted topic matched by a pattern). */
  private checkVanished(from: OffsetMap): void {
    for (const [k, offset] of from) {
      if (this.latest.has(k)) continue;
      const { topic, partition } = parseTpKey(k);
      this.dataLoss({ topic, partition, start: offset, end: offset, next: offset, earliest: -1, latest: -1 }, 'the partition no longer exists');
      from.delete(k);
    }
  }

  private dataLoss(l: LostRange, why: string): void {
    const where = `${l.topic}[${l.partition}]`;
    const details = { topic: l.topic, partition: l.partition, start: l.start, end: l.end, next: l.next, earliest: l.earliest, latest: l.latest };
    if (this.config.failOnDataLoss) {
      throw new SourceError(
        ErrorCodes.SOURCE_DATA_LOSS,
        `Kafka data loss in ${where}: ${why}. Offsets ${l.next} to ${l.end} cannot be read. Some data may have been lost because ` +
          'it was deleted by retention or the topic was recreated; set failOnDataLoss to false to skip it.',
        { details },
      );
    }
    this.dataLossEvents++;
    this.ctx.logger.warn(`Kafka data loss in ${where}: ${why}; skipping what is gone (failOnDataLoss is false)`, details);
  }

  private async initialOffsets(partitions: TopicPartition[]): Promise<OffsetMap> {
    this.initial ??= await this.loadInitial();
    if (this.initial !== undefined) return new Map(this.initial);
    const resolved = await this.resolveStart(partitions);
    await mkdir(this.ctx.stateDir, { recursive: true });
    const file = join(this.ctx.stateDir, INITIAL_FILE);
    await writeFile(`${file}.tmp`, `v1\n${JSON.stringify(offsetsToJson(resolved))}`);
    await rename(`${file}.tmp`, file);
    this.initial = resolved;
    this.ctx.logger.info('Kafka initial offsets resolved', { offsets: offsetsToJson(resolved) });
    return new Map(resolved);
  }

  private async loadInitial(): Promise<OffsetMap | undefined> {
    let text: string;
    try {
      text = await readFile(join(this.ctx.stateDir, INITIAL_FILE), 'utf8');
    } catch {
      return undefined;
    }
    const nl = text.indexOf('\n');
    let parsed: JsonValue;
    try {
      parsed = JSON.parse(text.slice(nl + 1)) as JsonValue;
    } catch (err) {
      throw new SourceError(ErrorCodes.CHECKPOINT_CORRUPT, `the Kafka initial offsets in ${this.ctx.stateDir} are not valid JSON`, { cause: err });
    }
    return offsetsFromCheckpoint(parsed);
  }

  private async resolveStart(partitions: TopicPartition[]): Promise<OffsetMap> {
    const spec = this.config.starting;
    const bounds = new Map((await this.client.bounds(partitions)).map((b) => [tpKey(b.topic, b.partition), b]));
    const out: OffsetMap = new Map();
    if (spec.kind === 'earliest' || spec.kind === 'latest') {
      for (const [k, b] of bounds) out.set(k, spec.kind === 'earliest' ? b.earliest : b.latest);
      return out;
    }
    if (spec.kind === 'offsets' || spec.kind === 'timestamps') {
      const given = spec.kind === 'offsets' ? spec.offsets : spec.timestamps;
      const name = spec.kind === 'offsets' ? 'startingOffsets' : 'startingOffsetsByTimestamp';
      const missing = [...bounds.keys()].filter((k) => !given.has(k));
      const extra = [...given.keys()].filter((k) => !bounds.has(k));
      if (missing.length > 0 || extra.length > 0) {
        throw new SourceError(
          ErrorCodes.CONFIG_INVALID,
          `${name} must name every assigned partition and no other` +
            (missing.length > 0 ? `; missing: ${missing.join(', ')}` : '') +
            (extra.length > 0 ? `; not assigned or not existing: ${extra.join(', ')}` : ''),
          { details: { missing, extra } },
        );
      }
    }
    if (spec.kind === 'offsets') {
      for (const [k, b] of bounds) {
        const o = spec.offsets.get(k) ?? LATEST;
        out.set(k, o === EARLIEST ? b.earliest : o === LATEST ? b.latest : o);
      }
      return out;
    }
    const tps = [...bounds.values()];
    const byTs = spec.kind === 'timestamp' ? await this.client.offsetsForTimestamp(tps, spec.timestampMs) : await this.perPartitionTimestamps(tps, spec.timestamps);
    for (const [k, b] of bounds) {
      const o = byTs.get(k) ?? -1;
      if (o >= 0) out.set(k, o);
      else if (this.config.byTimestampStrategy === 'latest') out.set(k, b.latest);
      else throw new SourceError(ErrorCodes.SOURCE_READ, `no record at or after the start timestamp in ${b.topic}[${b.partition}]; set startingOffsetsByTimestampStrategy to latest to start at the end`);
    }
    return out;
  }

  private async perPartitionTimestamps(tps: TopicPartition[], ts: OffsetMap): Promise<OffsetMap> {
    const out: OffsetMap = new Map();
    for (const tp of tps) {
      const k = tpKey(tp.topic, tp.partition);
      const r = await this.client.offsetsForTimestamp([tp], ts.get(k) ?? 0);
      out.set(k, r.get(k) ?? -1);
    }
    return out;
  }
}

function describeLoss(l: LostRange): string {
  if (l.earliest === -1 && l.latest === -1) return 'the partition no longer exists';
  if (l.next < l.earliest) return `offset ${l.next} is below the earliest available offset ${l.earliest}`;
  return `offset ${l.next} is beyond the latest offset ${l.latest}; the topic may have been recreated`;
}

/** Equal plans; a partition missing from one side counts as offset 0 (a new, empty partition). */
function sameOffsets(a: OffsetMap, b: OffsetMap): boolean {
  for (const [k, v] of b) if ((a.get(k) ?? 0) !== v) return false;
  for (const [k, v] of a) if ((b.get(k) ?? 0) !== v) return false;
  return true;
}
