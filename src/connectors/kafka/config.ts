// The Kafka source's options, with Spark's names and meanings (plus the pipeline YAML's aliases).
import { z } from 'zod';
import { bool, duration, nonNegativeInt, positiveInt } from '../../config/fields.ts';
import { errorMessage } from '../../core/errors.ts';
import type { JsonValue } from '../../core/component.ts';
import { type Assignment, patternMatcher } from './assignment.ts';
import { parseTpKey } from './client.ts';
import { parsePartitionJson, type StartingSpec } from './offsets.ts';
import { checkClientSettings, clientShape, type ClientSettings } from './settings.ts';

const d = (description: string) => ({ description });
const jsonish = z.union([z.string(), z.record(z.string(), z.unknown())]);
const topicList = z.union([z.string(), z.array(z.string().min(1)).min(1)]);

const sourceShape = {
  ...clientShape,
  subscribe: topicList.optional().meta(d('Topics to read: a list or a comma-separated string. Exactly one of subscribe, subscribePattern or assign.')),
  topics: topicList.optional().meta(d('Alias of `subscribe` (the name used in pipeline YAML).')),
  subscribePattern: z.string().min(1).optional().meta(d('Regular expression; every topic whose whole name matches is read (internal topics excluded). New matching topics are picked up.')),
  assign: jsonish.optional().meta(d('Specific partitions, as JSON: {"topicA":[0,1],"topicB":[2,4]}.')),
  startingOffsets: jsonish.optional().meta(d('Where a new query starts: "earliest", "latest" (default) or JSON {"topic":{"0":23,"1":-2}} with -2 for earliest and -1 for latest. Ignored when the checkpoint has offsets.')),
  'starting.offsets': jsonish.optional().meta(d('Alias of `startingOffsets`.')),
  startingTimestamp: z.union([z.string(), z.number()]).optional().meta(d('Start every partition at the first record whose timestamp (ms since epoch) is at or after this. Takes precedence over startingOffsets.')),
  startingOffsetsByTimestamp: jsonish.optional().meta(d('Per-partition start timestamps, JSON {"topic":{"0":1700000000000}}. Takes precedence over startingOffsets.')),
  startingOffsetsByTimestampStrategy: z.enum(['error', 'latest']).default('error').meta(d('When no record is at or after the start timestamp: fail ("error", default) or start at the latest offset.')),
  maxOffsetsPerTrigger: positiveInt().optional().meta(d('At most this many offsets per micro-batch, split across partitions in proportion to their backlog. Defaults to streaming.processing max.offsets.per.trigger.')),
  'max.offsets.per.trigger': positiveInt().optional().meta(d('Alias of `maxOffsetsPerTrigger`.')),
  minOffsetsPerTrigger: positiveInt().optional().meta(d('Wait for at least this many new offsets before starting a batch, unless maxTriggerDelay has passed.')),
  maxTriggerDelay: duration().default(15 * 60_000).meta(d('Longest wait for minOffsetsPerTrigger (default 15 minutes).')),
  failOnDataLoss: bool().default(true).meta(d('Fail when planned offsets are gone (retention, a recreated topic); false skips to what is available and logs it.')),
  includeHeaders: bool().default(false).meta(d('Add the `headers` column: an array of {key, value}.')),
  valueFormat: z.enum(['binary', 'string', 'json']).default('binary').meta(d('binary: Spark columns with bytes (default); string: key and value decoded as UTF-8; json: the value\'s JSON object becomes the row, invalid JSON becomes a rejected record.')),
  pollTimeoutMs: positiveInt().default(120_000).meta(d('Fail a read that makes no progress for this many ms.')),
  'fetchOffset.numRetries': nonNegativeInt().default(3).meta(d('Rounds in a row without progress that a read survives by refreshing metadata and asking again (a moved leader, a dropped connection); then the read fails and streaming.error_handling.retry decides. Metadata and offset requests are retried by that policy only.')),
  'fetchOffset.retryIntervalMs': positiveInt().default(10).meta(d('Wait before such a round, in ms, times the rounds failed so far.')),
  'kafka.isolation.level': z.enum(['read_uncommitted', 'read_committed']).default('read_uncommitted').meta(d('read_committed hides aborted transactional records and stops at the last stable offset.')),
  'kafka.max.partition.fetch.bytes': positiveInt().default(1024 * 1024).meta(d('Bytes fetched per partition and request.')),
  'group.id': z.string().min(1).optional().meta(d('Consumer-group mode: every instance running this pipeline with the same group id gets a share of the partitions (see docs/scaling.md). Each instance needs its own checkpoint folder.')),
  'consumer.group': z.string().min(1).optional().meta(d('Alias of `group.id`.')),
  'kafka.session.timeout.ms': positiveInt().default(30_000).meta(d('Consumer-group mode: an instance silent this long is dropped and its partitions go to the others.')),
  'kafka.heartbeat.interval.ms': positiveInt().default(3_000).meta(d('Consumer-group mode: heartbeat interval; about a third of the session timeout.')),
};

export interface GroupSettings {
  readonly id: string;
  /** The option that set it (`group.id` or its alias), for messages. */
  readonly key: 'group.id' | 'consumer.group';
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
}

export interface KafkaSourceConfig {
  readonly client: Partial<ClientSettings>;
  readonly assignment: Assignment;
  readonly starting: StartingSpec;
  readonly byTimestampStrategy: 'error' | 'latest';
  readonly maxOffsetsPerTrigger?: number;
  readonly minOffsetsPerTrigger?: number;
  readonly maxTriggerDelayMs: number;
  readonly failOnDataLoss: boolean;
  readonly includeHeaders: boolean;
  readonly valueFormat: 'binary' | 'string' | 'json';
  readonly pollTimeoutMs: number;
  readonly numRetries: number;
  readonly retryIntervalMs: number;
  readonly isolationLevel: 'read_uncommitted' | 'read_committed';
  readonly maxPartitionFetchBytes: number;
  /** Consumer-group mode, when a group id is given. */
  readonly group?: GroupSettings;
}

type Raw = z.output<z.ZodObject<typeof sourceShape>>;

/** The options as documented (before normalisation), for generated docs. */
export const kafkaSourceOptions = z.strictObject(sourceShape);

export const kafkaSourceSchema = kafkaSourceOptions
  .superRefine((c, ctx) => {
    checkClientSettings(c, ctx);
    const given = (['subscribe', 'topics', 'subscribePattern', 'assign'] as const).filter((k) => c[k] !== undefined);
    if (given.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: given.length === 0 ? ['subscribe'] : [given[1] ?? 'subscribe'],
        message: given.length === 0 ? 'one of subscribe (topics), subscribePattern or assign is required' : `only one of subscribe (topics), subscribePattern or assign may be given; found ${given.join(', ')}`,
      });
    }
    const check = (key: keyof Raw, fn: () => unknown): void => {
      try {
        fn();
      } catch (err) {
        ctx.addIssue({ code: 'custom', path: [key], message: errorMessage(err) });
      }
    };
    if (c.subscribePattern !== undefined) check('subscribePattern', () => patternMatcher(c.subscribePattern ?? ''));
    if (c.assign !== undefined) check('assign', () => parseAssign(c.assign));
    check('startingOffsets', () => startingSpec(c));
    const group = c['group.id'] ?? c['consumer.group'];
    if (group !== undefined && c.assign !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['group.id'], message: 'consumer-group mode shares subscribed topics; it cannot be combined with assign' });
    }
    if (c['kafka.heartbeat.interval.ms'] >= c['kafka.session.timeout.ms']) {
      ctx.addIssue({ code: 'custom', path: ['kafka.heartbeat.interval.ms'], message: 'must be lower than kafka.session.timeout.ms' });
    }
  })
  .transform((c): KafkaSourceConfig => {
    const max = c.maxOffsetsPerTrigger ?? c['max.offsets.per.trigger'];
    const group = c['group.id'] ?? c['consumer.group'];
    const client: Partial<ClientSettings> = {};
    for (const k of Object.keys(clientShape) as (keyof ClientSettings)[]) {
      if (c[k] !== undefined) (client as Record<string, unknown>)[k] = c[k];
    }
    return {
      client,
      assignment: assignmentOf(c),
      starting: startingSpec(c),
      byTimestampStrategy: c.startingOffsetsByTimestampStrategy,
      ...(max === undefined ? {} : { maxOffsetsPerTrigger: max }),
      ...(c.minOffsetsPerTrigger === undefined ? {} : { minOffsetsPerTrigger: c.minOffsetsPerTrigger }),
      maxTriggerDelayMs: c.maxTriggerDelay,
      failOnDataLoss: c.failOnDataLoss,
      includeHeaders: c.includeHeaders,
      valueFormat: c.valueFormat,
      pollTimeoutMs: c.pollTimeoutMs,
      numRetries: c['fetchOffset.numRetries'],
      retryIntervalMs: c['fetchOffset.retryIntervalMs'],
      isolationLevel: c['kafka.isolation.level'],
      maxPartitionFetchBytes: c['kafka.max.partition.fetch.bytes'],
      ...(group === undefined ? {} : { group: { id: group, key: c['group.id'] === undefined ? 'consumer.group' : 'group.id', sessionTimeoutMs: c['kafka.session.timeout.ms'], heartbeatIntervalMs: c['kafka.heartbeat.interval.ms'] } }),
    };
  });

function assignmentOf(c: Raw): Assignment {
  const list = c.subscribe ?? c.topics;
  if (list !== undefined) {
    const topics = (typeof list === 'string' ? list.split(',') : list).map((t) => t.trim()).filter((t) => t !== '');
    return { kind: 'subscribe', topics: [...new Set(topics)] };
  }
  if (c.subscribePattern !== undefined) return { kind: 'pattern', pattern: c.subscribePattern };
  return { kind: 'assign', partitions: parseAssign(c.assign) };
}

/** `{"topicA":[0,1]}` (object or JSON text) to partitions. */
export function parseAssign(v: unknown): { topic: string; partition: number }[] {
  const obj: unknown = typeof v === 'string' ? JSON.parse(v) : v;
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw new Error('expected JSON {"topicA":[0,1],"topicB":[2,4]}');
  const out: { topic: string; partition: number }[] = [];
  for (const [topic, parts] of Object.entries(obj)) {
    if (!Array.isArray(parts) || !parts.every((p) => Number.isInteger(p) && (p as number) >= 0)) throw new Error(`${topic}: expected a list of partition numbers`);
    for (const p of parts as number[]) out.push({ topic, partition: p });
  }
  if (out.length === 0) throw new Error('assign names no partitions');
  return out;
}

/** Spark's precedence: startingTimestamp, then startingOffsetsByTimestamp, then startingOffsets. */
function startingSpec(c: Raw): StartingSpec {
  if (c.startingTimestamp !== undefined) {
    const ts = Number(c.startingTimestamp);
    if (!Number.isSafeInteger(ts) || ts < 0) throw new Error(`startingTimestamp must be milliseconds since the epoch; found ${String(c.startingTimestamp)}`);
    return { kind: 'timestamp', timestampMs: ts };
  }
  if (c.startingOffsetsByTimestamp !== undefined) {
    return { kind: 'timestamps', timestamps: parsePartitionJson(c.startingOffsetsByTimestamp as JsonValue, 'startingOffsetsByTimestamp', false) };
  }
  const v = c.startingOffsets ?? c['starting.offsets'] ?? 'latest';
  if (typeof v === 'string' && ['earliest', 'latest'].includes(v.trim().toLowerCase())) {
    return { kind: v.trim().toLowerCase() as 'earliest' | 'latest' };
  }
  const offsets = parsePartitionJson(v as JsonValue, 'startingOffsets', true);
  if (c.subscribePattern === undefined) return { kind: 'offsets', offsets };
  // Offsets for a topic the pattern can never match are certainly a mistake.
  if ([...offsets.keys()].some((k) => !patternMatcher(c.subscribePattern ?? '').test(parseTpKey(k).topic))) {
    throw new Error('startingOffsets names a topic that subscribePattern does not match');
  }
  return { kind: 'offsets', offsets };
}
