// The Kafka source's failure paths against a real Kafka-protocol broker: data loss both ways,
// a missing topic, an unreachable broker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { Offset, Source } from '../../core/component.ts';
import { ErrorCodes, SluiceError } from '../../core/errors.ts';
import type { TestBroker } from '../../../test/support/kafka/broker.ts';
import { kafkaFixture } from '../../../test/support/kafka/fixture.ts';
import { produceMessages } from '../../../test/support/kafka/produce.ts';
import { recordingLogger, testContext, type TestContext } from '../../../test/support/kafka/context.ts';
import { createKafkajsClient } from './kafkajs-client.ts';
import { silentLogger } from '../../core/logger.ts';
import { kafkaSource } from './source.ts';

let broker: TestBroker;
const { contexts, sources } = kafkaFixture((b) => (broker = b));
const LIMITS = { respectLimits: true };

function create(config: Record<string, unknown>, ctx: TestContext = testContext()): Source {
  contexts.push(ctx);
  const src = kafkaSource.create(kafkaSource.config.parse({ 'kafka.bootstrap.servers': broker.bootstrap, ...config }), ctx);
  sources.push(src);
  return src;
}

/** The mock broker keeps about 5 MiB per partition: eight 1 MiB records push the first ones out,
 * as retention would on a real broker. */
async function overflow(topic: string, startId: number): Promise<void> {
  const big = Buffer.alloc(1024 * 1024, 120);
  for (let i = 0; i < 8; i++) await produceMessages(broker.bootstrap, topic, [{ partition: 0, key: `big${startId + i}`, value: big }]);
}

async function earliestOf(topic: string): Promise<number> {
  const client = createKafkajsClient({ servers: broker.bootstrap.split(','), clientId: 't', connectionTimeout: 1000, requestTimeout: 5000, logger: silentLogger, role: 'source', retries: 1, retryIntervalMs: 10 });
  try {
    return (await client.bounds([{ topic, partition: 0 }]))[0]?.earliest ?? -1;
  } finally {
    await client.close();
  }
}

const isDataLoss = (topic: string) => (e: unknown) => {
  assert.ok(e instanceof SluiceError);
  assert.equal(e.code, ErrorCodes.SOURCE_DATA_LOSS);
  assert.equal(e.retryable, false);
  assert.match(e.message, new RegExp(`${topic}\\[0\\]`));
  assert.match(e.message, /failOnDataLoss/);
  return true;
};

void test('planned offsets deleted by retention fail the read with a data-loss error naming topic, partition and offsets', async () => {
  const topic = await broker.uniqueTopic('loss-fail', 1);
  await produceMessages(broker.bootstrap, topic, [{ partition: 0, key: 'a', value: 'small' }, { partition: 0, key: 'b', value: 'small' }]);
  const src = create({ subscribe: topic, startingOffsets: 'earliest' });
  await src.open();
  const first = await src.latestOffset(null, LIMITS);
  assert.deepEqual(first, { [topic]: { 0: 2 } });
  await overflow(topic, 0);
  assert.ok((await earliestOf(topic)) > 2, 'the broker dropped the oldest records');
  const next = await src.latestOffset(first, LIMITS);
  await assert.rejects(src.read(first, next), (e: unknown) => {
    isDataLoss(topic)(e);
    assert.match((e as Error).message, /Offsets 2 to 10/);
    assert.equal((e as SluiceError).details.next, 2);
    return true;
  });
});

void test('with failOnDataLoss false the read skips to the earliest available offset and reports it', async () => {
  const topic = await broker.uniqueTopic('loss-skip', 1);
  await produceMessages(broker.bootstrap, topic, [{ partition: 0, key: 'a', value: 'small' }]);
  const logger = recordingLogger();
  const src = create({ subscribe: topic, startingOffsets: 'earliest', failOnDataLoss: 'false' }, { ...testContext(), logger });
  await src.open();
  const first = await src.latestOffset(null, LIMITS);
  await overflow(topic, 0);
  const earliest = await earliestOf(topic);
  const next = await src.latestOffset(first, LIMITS);
  const rows = (await src.read(first, next)).rows;
  assert.deepEqual(rows.map((r) => r.offset), Array.from({ length: 9 - earliest }, (_, i) => earliest + i));
  assert.ok(logger.lines.some((l) => l.level === 'warn' && l.msg.includes(`data loss in ${topic}[0]`)));
  assert.equal(src.metrics?.().dataLossEvents, '1');
});

void test('an offset beyond the end of the partition (a recreated topic) is data loss, or skipped when allowed', async () => {
  const topic = await broker.uniqueTopic('loss-recreated', 1);
  await produceMessages(broker.bootstrap, topic, [{ partition: 0, value: 'x' }, { partition: 0, value: 'y' }]);
  const checkpointed = { [topic]: { 0: 100 } };
  const strict = create({ subscribe: topic });
  await strict.open();
  const end = await strict.latestOffset(checkpointed, LIMITS);
  assert.deepEqual(end, { [topic]: { 0: 2 } });
  await assert.rejects(strict.read(checkpointed, end), isDataLoss(topic));
  // A planned range whose end the broker never reached (the log was truncated after planning).
  await assert.rejects(strict.read({ [topic]: { 0: 1 } }, { [topic]: { 0: 50 } }), isDataLoss(topic));
  const lenient = create({ subscribe: topic, failOnDataLoss: false });
  await lenient.open();
  assert.deepEqual((await lenient.read(checkpointed, end as Offset)).rows, []);
  assert.deepEqual((await lenient.read({ [topic]: { 0: 1 } }, { [topic]: { 0: 50 } })).rows.map((r) => r.offset), [1]);
});

void test('a topic that does not exist is reported by name and is not created', async () => {
  const missing = `missing-${Date.now().toString(36)}`;
  const src = create({ subscribe: `${missing},also-${missing}` });
  await src.open();
  await assert.rejects(src.latestOffset(null, LIMITS), (e: unknown) => {
    assert.ok(e instanceof SluiceError);
    assert.equal(e.code, ErrorCodes.SOURCE_NOT_FOUND);
    assert.match(e.message, new RegExp(`topics ${missing}, also-${missing} not found at ${broker.bootstrap}`));
    return true;
  });
  const pattern = create({ subscribePattern: `${missing}.*`, startingOffsets: 'earliest' });
  await pattern.open();
  assert.equal(await pattern.latestOffset(null, LIMITS), null, 'the failed lookups created no topic');
});

/** A local port nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise<number>((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr !== null ? addr.port : 0));
    });
  });
}

void test('a bootstrap server that does not answer is passed over for the next one in the list', async () => {
  const topic = await broker.uniqueTopic('bootstrap', 1);
  await produceMessages(broker.bootstrap, topic, [{ partition: 0, value: 'v' }]);
  const src = create({ 'kafka.bootstrap.servers': `127.0.0.1:${await closedPort()},${broker.bootstrap}`, subscribe: topic, startingOffsets: 'earliest' });
  await src.open();
  assert.deepEqual(await src.latestOffset(null, LIMITS), { [topic]: { 0: 1 } });
});

void test('an unreachable broker fails open with a retryable read error naming the bootstrap servers', async () => {
  const servers = `127.0.0.1:${await closedPort()}`;
  const ctx = testContext();
  contexts.push(ctx);
  const src = kafkaSource.create(kafkaSource.config.parse({ 'bootstrap.servers': servers, subscribe: 't', 'fetchOffset.numRetries': 1 }), ctx);
  sources.push(src);
  await assert.rejects(src.open(), (e: unknown) => {
    assert.ok(e instanceof SluiceError);
    assert.equal(e.code, ErrorCodes.SOURCE_READ);
    assert.equal(e.retryable, true);
    assert.match(e.message, new RegExp(`cannot reach Kafka at ${servers}`));
    return true;
  });
});

void test('transient fetch errors are retried and the read still returns exactly the planned records', async () => {
  const topic = await broker.uniqueTopic('transient', 2);
  await produceMessages(broker.bootstrap, topic, Array.from({ length: 20 }, (_, i) => ({ partition: i % 2, value: `v${i}` })));
  const src = create({ subscribe: topic, startingOffsets: 'earliest', 'fetchOffset.numRetries': 5 });
  await src.open();
  const end = await src.latestOffset(null, LIMITS);
  await broker.failRequests(1, 2, 6); // Fetch: NOT_LEADER_OR_FOLLOWER twice
  try {
    const rows = (await src.read(null, end)).rows;
    assert.deepEqual(rows.map((r) => `${String(r.partition)}@${String(r.offset)}`).sort(), Array.from({ length: 20 }, (_, i) => `${i % 2}@${Math.floor(i / 2)}`).sort());
  } finally {
    await broker.clearFailures(1);
  }
});

void test('fetch errors that outlast the retries fail the read with a retryable error', async () => {
  const topic = await broker.uniqueTopic('persistent', 1);
  await produceMessages(broker.bootstrap, topic, [{ partition: 0, value: 'v' }]);
  const src = create({ subscribe: topic, startingOffsets: 'earliest', 'fetchOffset.numRetries': 1 });
  await src.open();
  const end = await src.latestOffset(null, LIMITS);
  await broker.failRequests(1, 50, 6);
  try {
    await assert.rejects(src.read(null, end), (e: unknown) => {
      assert.ok(e instanceof SluiceError);
      assert.equal(e.code, ErrorCodes.SOURCE_READ);
      assert.equal(e.retryable, true);
      assert.match(e.message, /reading from Kafka at .* failed/);
      return true;
    });
  } finally {
    await broker.clearFailures(1);
  }
});

void test('a planned partition that no longer exists is data loss, or skipped when allowed', async () => {
  const topic = await broker.uniqueTopic('gone', 1);
  await produceMessages(broker.bootstrap, topic, [{ partition: 0, value: 'v' }]);
  const start = { [topic]: { 0: 0, 7: 0 } };
  const end = { [topic]: { 0: 1, 7: 3 } };
  const strict = create({ subscribe: topic });
  await strict.open();
  await assert.rejects(strict.read(start, end), (e: unknown) => {
    assert.ok(e instanceof SluiceError && e.code === ErrorCodes.SOURCE_DATA_LOSS);
    assert.match(e.message, new RegExp(`${topic}\\[7\\]: the partition no longer exists`));
    return true;
  });
  const lenient = create({ subscribe: topic, failOnDataLoss: false });
  await lenient.open();
  assert.deepEqual((await lenient.read(start, end)).rows.map((r) => `${String(r.partition)}@${String(r.offset)}`), ['0@0']);
});
