// The mock Kafka broker harness: starts, serves topics with chosen partition counts, and stops.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kafka, logLevel } from 'kafkajs';
import { kcatConsume, startBroker } from './broker.ts';
import { produceMessages } from './produce.ts';

void test('the broker starts, creates topics with the asked partition count, round-trips data and stops', async () => {
  const broker = await startBroker();
  try {
    assert.equal(broker.brokers.length, 3);
    const topic = await broker.uniqueTopic('harness', 7);
    const other = await broker.uniqueTopic('harness', 7);
    assert.notEqual(topic, other);
    const admin = new Kafka({ brokers: [...broker.brokers], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    await admin.disconnect();
    assert.equal(meta.topics[0]?.partitions.length, 7);
    await produceMessages(broker.bootstrap, topic, [
      { partition: 3, key: 'a', value: 'one' },
      { partition: 5, key: 'b', value: 'two' },
    ]);
    assert.deepEqual(kcatConsume(broker.bootstrap, topic).sort(), ['a\tone', 'b\ttwo']);
  } finally {
    await broker.stop();
  }
  assert.throws(() => process.kill(broker.pid, 0), /ESRCH/);
});
