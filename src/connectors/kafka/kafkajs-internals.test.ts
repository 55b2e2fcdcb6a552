// One test per kafkajs internal the client relies on (kafkajs-internals.ts), against a real Kafka-protocol
// broker where behaviour is involved: after a kafkajs upgrade, the failing test names what broke.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { ErrorCodes, SluiceError } from '../../core/errors.ts';
import { kcatConsume, type TestBroker } from '../../../test/support/kafka/broker.ts';
import { kafkaFixture } from '../../../test/support/kafka/fixture.ts';
import { produceMessages } from '../../../test/support/kafka/produce.ts';
import { checkKafkajs, createCluster, createProducer, filterAborted, KAFKAJS_VERSION, missingInternals, type InternalCluster, type RawMessage } from './kafkajs-internals.ts';

let broker: TestBroker;
kafkaFixture((b) => (broker = b));
const require = createRequire(import.meta.url);

function kafka(): Kafka {
  return new Kafka({ brokers: [...broker.brokers], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
}

async function withCluster(fn: (cluster: InternalCluster, k: Kafka) => Promise<void>): Promise<void> {
  const k = kafka();
  const cluster = createCluster(k, { isolationLevel: 0, maxInFlightRequests: 1 });
  await cluster.connect();
  try {
    await fn(cluster, k);
  } finally {
    await cluster.disconnect();
  }
}

void test('package.json pins exactly the kafkajs version the internals were written against, and it is installed', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { dependencies: Record<string, string> };
  assert.equal(pkg.dependencies.kafkajs, KAFKAJS_VERSION, 'an exact version, no range');
  assert.equal((require('kafkajs/package.json') as { version: string }).version, KAFKAJS_VERSION);
});

void test('the startup check finds every internal in the installed kafkajs and names all that another lacks in one error', () => {
  const k = kafka();
  assert.deepEqual(missingInternals(k), []);
  assert.doesNotThrow(() => checkKafkajs(k));
  const nothing = (): unknown => {
    throw new Error('Cannot find module');
  };
  assert.throws(() => checkKafkajs({}, nothing), (e: unknown) => {
    assert.ok(e instanceof SluiceError);
    assert.equal(e.code, ErrorCodes.INTERNAL);
    for (const part of ['private:Kafka:createCluster', 'private:Kafka:logger', 'kafkajs/src/cluster/index.js', 'kafkajs/src/broker/index.js', 'kafkajs/src/producer/index.js', 'kafkajs/src/consumer/filterAbortedMessages.js']) {
      assert.ok(e.message.includes(part), `the error names ${part}: ${e.message}`);
    }
    assert.match(e.message, new RegExp(`Install exactly kafkajs ${KAFKAJS_VERSION.replace(/\./g, '\\.')}`));
    assert.equal((e.details.missing as string[]).length, 6);
    return true;
  });
  // A cluster class that lost one method is named by that method.
  const partial = (s: string): unknown => (s === 'kafkajs/src/cluster/index.js' ? { prototype: { ...Object.fromEntries(Object.getOwnPropertyNames((require(s) as { prototype: object }).prototype).map((m) => [m, () => undefined])), fetchTopicsOffset: undefined } } : require(s));
  assert.deepEqual(missingInternals(k, partial), ['the cluster methods fetchTopicsOffset (kafkajs/src/cluster/index.js)']);
});

void test('the private cluster factory gives a cluster whose metadata lists every topic with its partitions', async () => {
  const topic = await broker.uniqueTopic('int-meta', 3);
  await withCluster(async (cluster) => {
    assert.equal(cluster.isConnected(), true);
    const all = await cluster.metadata({ topics: [] });
    assert.deepEqual(all.topicMetadata.find((t) => t.topic === topic)?.partitionMetadata.map((p) => p.partitionId).sort(), [0, 1, 2]);
  });
});

void test("the cluster names each partition's leader and its metadata, leaving out partitions the topic lacks", async () => {
  const topic = await broker.uniqueTopic('int-leader', 2);
  await withCluster(async (cluster) => {
    await cluster.addMultipleTargetTopics([topic]);
    assert.deepEqual(cluster.findTopicPartitionMetadata(topic).map((p) => p.partitionId).sort(), [0, 1]);
    const leaders = cluster.findLeaderForPartitions(topic, [0, 1, 7]);
    assert.deepEqual(Object.values(leaders).flat().sort(), [0, 1]);
    const nodes = cluster.getNodeIds().map(String);
    for (const nodeId of Object.keys(leaders)) assert.ok(nodes.includes(nodeId), `leader ${nodeId} is a known broker`);
  });
});

void test('the cluster lists the earliest and latest offsets of chosen partitions', async () => {
  const topic = await broker.uniqueTopic('int-offsets', 2);
  await produceMessages(broker.bootstrap, topic, [{ partition: 1, value: 'a' }, { partition: 1, value: 'b' }, { partition: 1, value: 'c' }]);
  await withCluster(async (cluster) => {
    await cluster.addMultipleTargetTopics([topic]);
    const ask = async (fromBeginning: boolean): Promise<Record<number, string>> => {
      const [res] = await cluster.fetchTopicsOffset([{ topic, partitions: [{ partition: 0 }, { partition: 1 }], fromBeginning }]);
      assert.equal(res?.topic, topic);
      return Object.fromEntries((res?.partitions ?? []).map((p) => [p.partition, p.offset]));
    };
    assert.deepEqual(await ask(true), { 0: '0', 1: '0' });
    assert.deepEqual(await ask(false), { 0: '0', 1: '3' });
  });
});

void test("a Fetch to a partition's leader returns its records from the chosen offset with timestamp, timestamp type, headers and high watermark", async () => {
  const topic = await broker.uniqueTopic('int-fetch', 1);
  const before = Date.now();
  await produceMessages(broker.bootstrap, topic, [0, 1, 2].map((i) => ({ partition: 0, key: `k${i}`, value: `v${i}`, headers: { h: `x${i}` } })));
  await withCluster(async (cluster) => {
    await cluster.addMultipleTargetTopics([topic]);
    const [nodeId] = Object.keys(cluster.findLeaderForPartitions(topic, [0]));
    const leader = await cluster.findBroker({ nodeId: nodeId ?? '' });
    const res = await leader.fetch({ maxWaitTime: 100, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, topics: [{ topic, partitions: [{ partition: 0, fetchOffset: '1', maxBytes: 1 << 20 }] }] });
    const pd = res.responses.find((r) => r.topicName === topic)?.partitions[0];
    assert.equal(pd?.partition, 0);
    assert.equal(pd.errorCode, 0);
    assert.equal(pd.highWatermark, '3');
    // A record batch is returned whole: offsets before the one asked for may come along.
    const from1 = pd.messages.filter((m) => Number(m.offset) >= 1);
    assert.deepEqual(from1.map((m) => [m.offset, m.key?.toString(), m.value?.toString(), (m.headers.h as Buffer).toString()]), [['1', 'k1', 'v1', 'x1'], ['2', 'k2', 'v2', 'x2']]);
    for (const m of from1) {
      assert.equal(m.batchContext?.timestampType, 0, 'CreateTime');
      assert.ok(Number(m.timestamp) >= before - 1000 && Number(m.timestamp) <= Date.now() + 1000, `timestamp ${m.timestamp} is the produce time in ms`);
      assert.notEqual(m.isControlRecord, true);
    }
  });
});

void test('a Fetch beyond the end of the log rejects with OFFSET_OUT_OF_RANGE', async () => {
  const topic = await broker.uniqueTopic('int-oor', 1);
  await produceMessages(broker.bootstrap, topic, [{ partition: 0, value: 'only' }]);
  await withCluster(async (cluster) => {
    await cluster.addMultipleTargetTopics([topic]);
    const [nodeId] = Object.keys(cluster.findLeaderForPartitions(topic, [0]));
    const leader = await cluster.findBroker({ nodeId: nodeId ?? '' });
    await assert.rejects(
      leader.fetch({ maxWaitTime: 100, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, topics: [{ topic, partitions: [{ partition: 0, fetchOffset: '100', maxBytes: 1 << 20 }] }] }),
      (e: unknown) => (e as { type?: unknown }).type === 'OFFSET_OUT_OF_RANGE',
    );
  });
});

void test('the controller patch finds a broker when the metadata names a controller that is not among the brokers', async () => {
  await withCluster(async (cluster) => {
    const meta = (await cluster.metadata({ topics: [] })) as unknown as { controllerId: number; brokers: { nodeId: number }[] };
    // The mock cluster reports such a controller; unpatched, kafkajs fails the idempotent producer's start.
    assert.equal(meta.brokers.some((b) => b.nodeId === meta.controllerId), false);
    const found = (await cluster.findControllerBroker()) as { nodeId?: unknown };
    assert.ok(cluster.getNodeIds().map(String).includes(String(found.nodeId)));
  });
});

void test('the private producer factory gives an idempotent producer over our cluster that re-sends after a transient failure with no wait configured', async () => {
  const topic = await broker.uniqueTopic('int-produce', 1);
  await withCluster(async (cluster, k) => {
    const producer = createProducer(k, cluster, { idempotent: true, retry: { retries: 1, initialRetryTime: 0, maxRetryTime: 0 }, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    try {
      await producer.sendBatch({ acks: -1, compression: 0, topicMessages: [{ topic, messages: [{ key: Buffer.from('a'), value: Buffer.from('first'), partition: 0 }] }] });
      await broker.failRequests(0, 1, 6); // Produce: NOT_LEADER_OR_FOLLOWER once
      await producer.sendBatch({ acks: -1, compression: 0, topicMessages: [{ topic, messages: [{ key: Buffer.from('b'), value: Buffer.from('second'), partition: 0 }] }] });
    } finally {
      await broker.clearFailures(0);
      await producer.disconnect();
    }
  });
  assert.deepEqual(kcatConsume(broker.bootstrap, topic), ['a\tfirst', 'b\tsecond']);
});

void test("the aborted-transaction filter drops an aborted transaction's records up to its abort marker and keeps the rest", () => {
  // Records as kafkajs's Fetch decoder emits them (the mock broker keeps no aborted-transaction index).
  const rec = (offset: number, producerId: string, inTransaction: boolean, key: Buffer | null = null, isControlRecord = false): RawMessage => ({
    offset: String(offset), timestamp: '0', key, value: null, headers: {}, isControlRecord, batchContext: { producerId, inTransaction },
  });
  const abortMarker = Buffer.from([0, 0, 0, 0]);
  const messages = [rec(0, '7', true), rec(1, '8', false), rec(2, '7', true), rec(3, '7', true, abortMarker, true), rec(4, '7', true), rec(5, '9', true)];
  const kept = filterAborted(messages, [{ producerId: '7', firstOffset: '0' }]);
  assert.deepEqual(kept.map((m) => m.offset), ['1', '3', '4', '5']);
  assert.equal(filterAborted(messages, []), messages, 'no aborted transactions: nothing to filter');
});
