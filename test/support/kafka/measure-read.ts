// Measures how fast the Kafka source reads from the mock broker (raw client fetch and full rows);
// run with: node --import tsx test/support/kafka/measure-read.ts [messagesPerPartition] [partitions]
import { performance } from 'node:perf_hooks';
import { Kafka, logLevel } from 'kafkajs';
import { silentLogger } from '../../../src/core/logger.ts';
import { createKafkajsClient } from '../../../src/connectors/kafka/kafkajs-client.ts';
import { kafkaSource } from '../../../src/connectors/kafka/source.ts';
import { startBroker } from './broker.ts';
import { produceMessages, type TestMessage } from './produce.ts';
import { testContext } from './context.ts';

const perPartition = Number(process.argv[2] ?? 20_000);
const partitions = Number(process.argv[3] ?? 12);
const broker = await startBroker();
const ctx = testContext();
try {
  const topic = await broker.uniqueTopic('measure', partitions);
  const pad = 'x'.repeat(150);
  const msgs: TestMessage[] = [];
  for (let i = 0; i < perPartition * partitions; i++) msgs.push({ partition: i % partitions, key: `k${i}`, value: JSON.stringify({ id: i, pad }) });
  await produceMessages(broker.bootstrap, topic, msgs);
  const total = msgs.length;

  const client = createKafkajsClient({ servers: broker.brokers.slice(), clientId: 'm', connectionTimeout: 1000, requestTimeout: 30_000, logger: silentLogger, role: 'source', retries: 3, retryIntervalMs: 10, maxBytesPerPartition: Number(process.env.MB ?? 1) * 1048576 });
  const ranges = Array.from({ length: partitions }, (_, p) => ({ topic, partition: p, start: 0, end: perPartition }));
  let n = 0;
  // One untimed pass first: connection set-up and JIT warm-up are not what is measured.
  await client.fetch(ranges, () => undefined);
  let t = performance.now();
  await client.fetch(ranges, () => void n++);
  const rawRate = n / ((performance.now() - t) / 1000);
  await client.close();

  for (const valueFormat of ['binary', 'json']) {
    const src = kafkaSource.create(kafkaSource.config.parse({ 'kafka.bootstrap.servers': broker.bootstrap, subscribe: topic, startingOffsets: 'earliest', valueFormat }), ctx);
    await src.open();
    const end = await src.latestOffset(null, { respectLimits: false });
    t = performance.now();
    const data = await src.read(null, end);
    const rate = data.rows.length / ((performance.now() - t) / 1000);
    console.log(`source read (${valueFormat}): ${data.rows.length} rows, ${Math.round(rate)} rows/s`);
    await src.close();
  }
  // For comparison: the kafkajs group consumer on the same data (group join excluded from the time).
  const consumer = new Kafka({ brokers: broker.brokers.slice(), logLevel: logLevel.NOTHING }).consumer({ groupId: `m-${topic}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let c = 0;
  let t0 = 0;
  const consumerRate = await new Promise<number>((resolve) => {
    void consumer.run({
      eachBatch: ({ batch }) => {
        if (t0 === 0) t0 = performance.now();
        c += batch.messages.length;
        if (c >= total) resolve(c / ((performance.now() - t0) / 1000));
        return Promise.resolve();
      },
    });
  });
  await consumer.disconnect();
  console.log(`kafkajs group consumer: ${c} messages, ${Math.round(consumerRate)} msg/s`);
  console.log(`raw fetch: ${n}/${total} messages, ${Math.round(rawRate)} msg/s; rss ${Math.round(process.memoryUsage().rss / 2 ** 20)} MiB`);
} finally {
  ctx.cleanup();
  await broker.stop();
}
