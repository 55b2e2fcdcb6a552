// The Kafka sink against a real Kafka-protocol broker, read back by an independent consumer (kcat).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeBatch, type Sink } from '../../core/component.ts';
import { ErrorCodes, SluiceError } from '../../core/errors.ts';
import { withOrigin, type Row } from '../../core/record.ts';
import { Kafka, logLevel } from 'kafkajs';
import { kcatConsume, startBroker, type TestBroker } from '../../../test/support/kafka/broker.ts';
import { produceMessages } from '../../../test/support/kafka/produce.ts';
import { testContext, type TestContext } from '../../../test/support/kafka/context.ts';
import { kafkaSink } from './sink.ts';
import { kafkaSource } from './source.ts';

let broker: TestBroker;
const contexts: TestContext[] = [];
const closers: { close(): Promise<void> }[] = [];

before(async () => {
  broker = await startBroker();
});
after(async () => {
  for (const c of closers) await c.close();
  for (const c of contexts) c.cleanup();
  await broker.stop();
});

async function openSink(config: Record<string, unknown>): Promise<Sink> {
  const ctx = testContext();
  contexts.push(ctx);
  const sink = kafkaSink.create(kafkaSink.config.parse({ 'kafka.bootstrap.servers': broker.bootstrap, ...config }), ctx);
  closers.push(sink);
  await sink.open();
  return sink;
}

const batch = (rows: Row[], batchId = 0) => ({ batchId, rows, rejected: [], schema: null });

void test('key and value columns are written as records that an independent consumer reads back unchanged', async () => {
  const topic = await broker.uniqueTopic('sink-kv', 3);
  const sink = await openSink({ topic });
  const rows = Array.from({ length: 500 }, (_, i) => ({ key: `k${i}`, value: i % 2 === 0 ? `text ${i}` : Buffer.from(`bytes ${i}`) }));
  const result = await writeBatch(sink, batch(rows));
  assert.deepEqual(result, { numOutputRows: 500, skipped: false, rejected: [] });
  const expected = rows.map((r) => `${r.key}\t${typeof r.value === 'string' ? r.value : r.value.toString()}`).sort();
  assert.deepEqual(kcatConsume(broker.bootstrap, topic).sort(), expected);
  assert.equal(sink.metrics?.().recordsWritten, '500');
});

void test('without a value column the value is the JSON of the row, with timestamps as ISO text and bytes as base64', async () => {
  const topic = await broker.uniqueTopic('sink-json', 1);
  const sink = await openSink({ topic, compression: 'gzip' });
  await writeBatch(sink, batch([{ key: 'a', id: 1, at: new Date('2024-01-02T03:04:05.000Z'), raw: new Uint8Array([1, 2, 3]), big: 12n, tags: ['x'] }]));
  const [line] = kcatConsume(broker.bootstrap, topic);
  const [key, json] = (line ?? '').split('\t');
  assert.equal(key, 'a');
  assert.deepEqual(JSON.parse(json ?? ''), { key: 'a', id: 1, at: '2024-01-02T03:04:05.000Z', raw: 'AQID', big: 12, tags: ['x'] });
});

void test('topic, partition and headers columns route each record and are not part of its JSON value', async () => {
  const a = await broker.uniqueTopic('sink-route', 4);
  const b = await broker.uniqueTopic('sink-route', 4);
  const sink = await openSink({});
  await writeBatch(sink, batch([
    { topic: a, partition: 3, key: 'k1', n: 1, headers: [{ key: 'h', value: 'v1' }] },
    { topic: b, partition: 0, key: 'k2', n: 2, headers: { trace: 'abc' } },
  ]));
  const fmt = '%p\\t%k\\t%h\\t%s\\n';
  assert.deepEqual(kcatConsume(broker.bootstrap, a, fmt), ['3\tk1\th=v1\t{"key":"k1","n":1}']);
  assert.deepEqual(kcatConsume(broker.bootstrap, b, fmt), ['0\tk2\ttrace=abc\t{"key":"k2","n":2}']);
});

void test('a Kafka-to-Kafka copy through the source and sink keeps keys, values, headers and partitions', async () => {
  const from = await broker.uniqueTopic('copy-in', 2);
  const to = await broker.uniqueTopic('copy-out', 2);
  const input = Array.from({ length: 50 }, (_, i) => ({ partition: i % 2, key: `k${i}`, value: `v${i}`, headers: { n: String(i) } }));
  await produceMessages(broker.bootstrap, from, input);
  const ctx = testContext();
  contexts.push(ctx);
  const src = kafkaSource.create(kafkaSource.config.parse({ 'bootstrap.servers': broker.bootstrap, subscribe: from, startingOffsets: 'earliest', includeHeaders: true }), ctx);
  closers.push(src);
  await src.open();
  const end = await src.latestOffset(null, { respectLimits: true });
  const data = await src.read(null, end);
  const sink = await openSink({ topic: to });
  await writeBatch(sink, batch(data.rows));
  const fmt = '%p\\t%k\\t%h\\t%s\\n';
  const expected = input.map((m) => `${m.partition}\t${m.key}\tn=${m.headers.n}\t${m.value}`).sort();
  assert.deepEqual(kcatConsume(broker.bootstrap, to, fmt).sort(), expected);
});

void test('a row without a topic is a SINK_WRITE dead letter naming the row and its origin, and the others are sent', async () => {
  const topic = await broker.uniqueTopic('sink-poison', 1);
  const sink = await openSink({});
  const row = withOrigin({ value: 'x' }, { file: '/in/a.json', line: 7 });
  const r = await writeBatch(sink, batch([row, { topic, value: 'y' }]));
  assert.equal(r.numOutputRows, 1);
  assert.equal(r.rejected.length, 1);
  assert.equal(r.rejected[0]?.errorType, 'SINK_WRITE');
  assert.deepEqual(r.rejected[0]?.origin, { file: '/in/a.json', line: 7 });
  assert.match(r.rejected[0]?.message ?? '', /row 0 \(\/in\/a\.json:7\) has no topic/);
  assert.equal(r.rejected[0]?.payload, '{"value":"x"}');
});

void test('codecs that are not installed, unknown kafka.* keys and acks that break idempotence are config errors', () => {
  const base = { 'kafka.bootstrap.servers': broker.bootstrap, topic: 't' };
  const messages = (cfg: Record<string, unknown>): string => {
    const r = kafkaSink.config.safeParse({ ...base, ...cfg });
    assert.equal(r.success, false);
    return JSON.stringify(r.error?.issues);
  };
  assert.match(messages({ compression: 'snappy' }), /snappy needs a codec package that is not installed; available: none, gzip/);
  assert.match(messages({ 'kafka.compression.type': 'zstd' }), /zstd needs a codec package/);
  assert.match(messages({ 'kafka.linger.ms': 5 }), /kafka\.linger\.ms/);
  assert.match(messages({ 'kafka.acks': '1' }), /idempotent producer needs kafka.acks all/);
  assert.equal(kafkaSink.config.safeParse({ ...base, 'kafka.acks': '1', 'kafka.enable.idempotence': 'false' }).success, true);
});

void test('delivery errors are retried, then fail the batch with a retryable write error', async () => {
  const topic = await broker.uniqueTopic('sink-retry', 1);
  const sink = await openSink({ topic, 'kafka.retries': 2 });
  await writeBatch(sink, batch([{ key: 'warm', value: 'up' }]));
  await broker.failRequests(0, 2, 19); // Produce: NOT_ENOUGH_REPLICAS twice, then success
  try {
    assert.equal((await writeBatch(sink, batch([{ key: 'a', value: 'retried' }]))).numOutputRows, 1);
    await broker.failRequests(0, 100, 19);
    await assert.rejects(writeBatch(sink, batch([{ key: 'b', value: 'lost' }])), (e: unknown) => {
      assert.ok(e instanceof SluiceError);
      assert.equal(e.code, ErrorCodes.SINK_WRITE);
      assert.equal(e.retryable, true);
      assert.match(e.message, /producing 1 records to Kafka at .* failed/);
      return true;
    });
  } finally {
    await broker.clearFailures(0);
  }
  assert.deepEqual(kcatConsume(broker.bootstrap, topic), ['warm\tup', 'a\tretried']);
});

void test('an unreachable broker fails open with a retryable write error naming the servers', async () => {
  const ctx = testContext();
  contexts.push(ctx);
  const sink = kafkaSink.create(kafkaSink.config.parse({ 'bootstrap.servers': '127.0.0.1:1', topic: 't', 'kafka.retries': 0 }), ctx);
  closers.push(sink);
  await assert.rejects(sink.open(), (e: unknown) => {
    assert.ok(e instanceof SluiceError);
    assert.equal(e.code, ErrorCodes.SINK_WRITE);
    assert.equal(e.retryable, true);
    assert.match(e.message, /cannot reach Kafka at 127\.0\.0\.1:1/);
    return true;
  });
});

/** A topic of six partitions led by more than one broker (the mock places leaders at random), and how many
 * leaders it has: one failed request then leaves the other leaders' records acknowledged. */
async function spreadTopic(prefix: string): Promise<{ topic: string; leaders: number }> {
  const admin = new Kafka({ brokers: [...broker.brokers], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    for (;;) {
      const topic = await broker.uniqueTopic(prefix, 6);
      const meta = await admin.fetchTopicMetadata({ topics: [topic] });
      const leaders = new Set(meta.topics[0]?.partitions.map((p) => p.leader)).size;
      if (leaders > 1) return { topic, leaders };
    }
  } finally {
    await admin.disconnect();
  }
}

void test('records without a key reach the topic exactly once when one leader fails a produce request and it is re-sent', async () => {
  const { topic } = await spreadTopic('sink-keyless');
  const sink = await openSink({ topic, 'kafka.retries': 1 });
  await broker.failRequests(0, 1, 6); // Produce: NOT_LEADER_OR_FOLLOWER on whichever leader answers first
  try {
    // 100 is no multiple of 6: placed again on the re-send, records would move between partitions.
    const rows = Array.from({ length: 100 }, (_, i) => ({ value: `r${i}` }));
    assert.equal((await writeBatch(sink, batch(rows))).numOutputRows, 100);
  } finally {
    await broker.clearFailures(0);
  }
  assert.deepEqual(kcatConsume(broker.bootstrap, topic, '%s\\n').sort(), Array.from({ length: 100 }, (_, i) => `r${i}`).sort());
});

void test("the engine's retry of a failed write re-sends only the records no broker acknowledged", async () => {
  const { topic, leaders } = await spreadTopic('sink-resume');
  const sink = await openSink({ topic, 'kafka.retries': 1 });
  const prepared = await sink.prepare(batch(Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, value: `v${i}` }))));
  // Each leader's first request fails, then one re-send: that leader's records stay unacknowledged while
  // the other leaders' are written.
  await broker.failRequests(0, leaders + 1, 6);
  try {
    await assert.rejects(sink.commit(prepared, { batchId: 0 }), (e: unknown) => {
      assert.ok(e instanceof SluiceError);
      assert.equal(e.code, ErrorCodes.SINK_WRITE);
      assert.equal(e.retryable, true);
      assert.match(e.message, /producing \d+ records to Kafka/);
      return true;
    });
  } finally {
    await broker.clearFailures(0);
  }
  assert.ok(kcatConsume(broker.bootstrap, topic).length > 0, 'some leader acknowledged its records before the failure');
  assert.equal((await sink.commit(prepared, { batchId: 0 })).numOutputRows, 30);
  assert.deepEqual(kcatConsume(broker.bootstrap, topic).sort(), Array.from({ length: 30 }, (_, i) => `k${i}\tv${i}`).sort());
});

void test('a row naming a partition its topic does not have is a SINK_WRITE dead letter and the others are sent', async () => {
  const topic = await broker.uniqueTopic('sink-nopart', 2);
  const sink = await openSink({ topic });
  const r = await writeBatch(sink, batch([{ key: 'a', value: 'kept', partition: 1 }, withOrigin({ key: 'b', value: 'lost?', partition: 5 }, { file: '/in/p.json', line: 2 }), { key: 'c', value: 'free' }]));
  assert.equal(r.numOutputRows, 2);
  assert.equal(r.rejected.length, 1);
  assert.equal(r.rejected[0]?.errorType, 'SINK_WRITE');
  assert.deepEqual(r.rejected[0]?.origin, { file: '/in/p.json', line: 2 });
  assert.match(r.rejected[0]?.message ?? '', /row 1 \(\/in\/p\.json:2\) names partition 5 of topic sink-nopart-\w+, which has 2 partitions/);
  assert.deepEqual(kcatConsume(broker.bootstrap, topic, '%k\\t%s\\n').sort(), ['a\tkept', 'c\tfree']);
});
