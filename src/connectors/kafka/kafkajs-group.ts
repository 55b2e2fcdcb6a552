// Consumer-group membership over the kafkajs consumer, used only for partition ownership: every
// assigned topic is paused as soon as it is assigned, so the consumer fetches nothing while it
// keeps heartbeating; records are read by the bounded fetch path of the client.
//
//   subscribe(topics) -> run() -> GROUP_JOIN {assignment} -> pause(topics) -> owned = assignment
//                                 REBALANCING -> owned = null (plan nothing until the next join)
//                                 CRASH (no restart) -> failure
import type { Consumer, Kafka } from 'kafkajs';
import type { Logger } from '../../core/logger.ts';
import type { GroupMembership, GroupOptions, TopicPartition } from './client.ts';

export async function joinKafkajsGroup(kafka: Kafka, opts: GroupOptions, logger: Logger): Promise<GroupMembership> {
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
  await consumer.connect();
  await consumer.subscribe({ topics: [...opts.topics], fromBeginning: true });
  m.listen();
  await consumer.run({
    autoCommit: false,
    // Only reached between a join and the pause that follows it; nothing is read from here.
    eachBatch: () => Promise.resolve(),
  });
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
