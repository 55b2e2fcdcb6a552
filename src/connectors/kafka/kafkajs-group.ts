// Consumer-group membership over the kafkajs consumer, used only for partition ownership: every
// assigned topic is paused as soon as it is assigned, so the consumer fetches nothing while it
// keeps heartbeating; records are read by the bounded fetch path of the client.
//
//   subscribe(topics) -> run() -> GROUP_JOIN {assignment} -> pause(topics) -> owned = assignment
//                                 REBALANCING -> owned = null (plan nothing until the next join)
//                                 CRASH (no restart) -> failure
//
// Unlike the rest of the client, the consumer keeps kafkajs's own retries (GROUP_RETRY): joins, syncs,
// heartbeats and their REBALANCE_IN_PROGRESS answers happen in the background between the engine's calls,
// and kafkajs restarts that protocol as a whole; the engine can neither see nor resume a step of it. What
// the engine sees is the outcome: no assignment yet (no batch is planned) or a failed membership.
import type { Consumer, Kafka, RetryOptions } from 'kafkajs';
import { ErrorCodes, SluiceError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { GroupMembership, GroupOptions, TopicPartition } from './client.ts';

/** The consumer-group protocol's retries, on the group consumer's own connection. */
export const GROUP_RETRY: RetryOptions = { retries: 3, initialRetryTime: 50, maxRetryTime: 30_000 };

/** Joins and waits for kafkajs to start the consumer; a stopping query leaves at once instead. */
export async function joinKafkajsGroup(kafka: Kafka, opts: GroupOptions, logger: Logger, signal?: AbortSignal): Promise<GroupMembership> {
  const consumer = kafka.consumer({
    groupId: opts.groupId,
    sessionTimeout: opts.sessionTimeoutMs,
    heartbeatInterval: opts.heartbeatIntervalMs,
    rebalanceTimeout: Math.max(opts.sessionTimeoutMs, 10_000),
    // With every partition paused the consumer sleeps this long between heartbeats.
    maxWaitTimeInMs: Math.min(500, opts.heartbeatIntervalMs),
    allowAutoTopicCreation: false,
  });
  const m = new KafkajsMembership(consumer, logger);
  const start = async (): Promise<void> => {
    await consumer.connect();
    await consumer.subscribe({ topics: [...opts.topics], fromBeginning: true });
    m.listen();
    await consumer.run({
      autoCommit: false,
      // Only reached between a join and the pause that follows it; nothing is read from here.
      eachBatch: () => Promise.resolve(),
    });
  };
  const started = start();
  if (signal === undefined) {
    await started;
    return m;
  }
  const onAbort = new Promise<never>((_, reject) => {
    const abort = (): void => reject(new SluiceError(ErrorCodes.QUERY_STOPPED, `joining consumer group ${opts.groupId} stopped: the query is stopping`));
    if (signal.aborted) abort();
    else signal.addEventListener('abort', abort, { once: true });
    void started.finally(() => signal.removeEventListener('abort', abort)).catch(() => undefined);
  });
  try {
    await Promise.race([started, onAbort]);
  } catch (err) {
    started.catch(() => undefined);
    await m.leave();
    throw err;
  }
  return m;
}

class KafkajsMembership implements GroupMembership {
  generations = 0;
  private assigned: TopicPartition[] | null = null;
  private error: Error | undefined;

  constructor(
    private readonly consumer: Consumer,
    private readonly logger: Logger,
  ) {}

  listen(): void {
    const c = this.consumer;
    c.on(c.events.GROUP_JOIN, (e) => {
      const assignment = e.payload.memberAssignment;
      const owned: TopicPartition[] = [];
      for (const [topic, parts] of Object.entries(assignment)) for (const partition of parts) owned.push({ topic, partition });
      owned.sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
      const topics = Object.keys(assignment).map((topic) => ({ topic }));
      try {
        if (topics.length > 0) c.pause(topics);
      } catch (err) {
        this.logger.warn('pausing the group consumer failed; it may fetch records that are ignored', { error: String(err) });
      }
      this.generations++;
      this.assigned = owned;
      this.logger.info('consumer group assignment', { groupId: e.payload.groupId, memberId: e.payload.memberId, partitions: owned.map((p) => `${p.topic}-${p.partition}`).join(',') });
    });
    c.on(c.events.REBALANCING, () => {
      this.assigned = null;
    });
    c.on(c.events.CRASH, (e) => {
      this.assigned = null;
      if (!e.payload.restart) this.error = e.payload.error;
    });
  }

  owned(): readonly TopicPartition[] | null {
    return this.assigned;
  }

  failure(): Error | undefined {
    return this.error;
  }

  async commitOffsets(offsets: readonly (TopicPartition & { readonly offset: number })[]): Promise<void> {
    if (offsets.length === 0) return;
    await this.consumer.commitOffsets(offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: String(o.offset) })));
  }

  async leave(): Promise<void> {
    this.assigned = null;
    await this.consumer.disconnect().catch(() => undefined);
  }
}
