// Test data for the Kafka tests: writes messages to exact partitions with a plain kafkajs producer.
import { Kafka, logLevel, type Message } from 'kafkajs';

export interface TestMessage {
  readonly partition: number;
  readonly key?: string | Buffer | null;
  readonly value: string | Buffer | null;
  readonly headers?: Record<string, string | Buffer>;
}

/** Produces messages in order (per partition) and waits for every acknowledgement. */
export async function produceMessages(bootstrap: string, topic: string, messages: readonly TestMessage[]): Promise<void> {
  const kafka = new Kafka({ brokers: bootstrap.split(','), logLevel: logLevel.NOTHING, clientId: 'sluice-test-producer' });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    const chunk = 5000;
    for (let i = 0; i < messages.length; i += chunk) {
      const part = messages.slice(i, i + chunk).map((m): Message => ({
        partition: m.partition,
        key: m.key ?? null,
        value: m.value,
        ...(m.headers === undefined ? {} : { headers: m.headers }),
      }));
      await producer.send({ topic, messages: part });
    }
  } finally {
    await producer.disconnect();
  }
}

/** `count` JSON messages spread round-robin over `partitions`, each naming its sequence number. */
export function jsonMessages(count: number, partitions: number, start = 0): TestMessage[] {
  const out: TestMessage[] = [];
  for (let i = start; i < start + count; i++) {
    out.push({ partition: i % partitions, key: `k${i}`, value: JSON.stringify({ id: i, name: `n${i}` }) });
  }
  return out;
}
