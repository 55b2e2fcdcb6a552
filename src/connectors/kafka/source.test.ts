// The Kafka source against a real Kafka-protocol broker: starting offsets, rate limits, replay, headers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Offset, Source } from '../../core/component.ts';
import { originOf, type Row } from '../../core/record.ts';
import type { TestBroker } from '../../../test/support/kafka/broker.ts';
import { kafkaFixture } from '../../../test/support/kafka/fixture.ts';
import { jsonMessages, produceMessages } from '../../../test/support/kafka/produce.ts';
import { testContext, type TestContext } from '../../../test/support/kafka/context.ts';
import { kafkaSource } from './source.ts';

let broker: TestBroker;
const { contexts, sources } = kafkaFixture((b) => (broker = b));
const LIMITS = { respectLimits: true };

async function open(config: Record<string, unknown>, ctx: TestContext = testContext()): Promise<Source> {
  if (!contexts.includes(ctx)) contexts.push(ctx);
  const src = kafkaSource.create(kafkaSource.config.parse({ 'kafka.bootstrap.servers': broker.bootstrap, ...config }), ctx);
  sources.push(src);
  await src.open();
  return src;
}

const ids = (rows: Row[]): number[] => rows.map((r) => (JSON.parse(Buffer.from(r.value as Uint8Array).toString()) as { id: number }).id).sort((a, b) => a - b);
const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

void test('earliest reads every record with Spark\'s Kafka columns and the record origin', async () => {
  const topic = await broker.uniqueTopic('earliest', 4);
  await produceMessages(broker.bootstrap, topic, jsonMessages(40, 4));
  const src = await open({ subscribe: topic, startingOffsets: 'earliest' });
  const end = await src.latestOffset(null, LIMITS);
  assert.deepEqual(end, { [topic]: { 0: 10, 1: 10, 2: 10, 3: 10 } });
  const data = await src.read(null, end);
  assert.deepEqual(ids(data.rows), range(0, 40));
  const row = data.rows.find((r) => r.partition === 2 && r.offset === 3);
  assert.ok(row);
  assert.equal(Buffer.from(row.key as Uint8Array).toString(), 'k14');
  assert.equal(row.topic, topic);
  assert.equal(typeof row.timestamp, 'bigint');
  assert.equal(row.timestampType, 0);
  assert.equal('headers' in row, false);
  assert.deepEqual(originOf(row), { topic, partition: 2, offset: '3' });
  assert.deepEqual(data.schema?.fields.map((f) => f.name), ['key', 'value', 'topic', 'partition', 'offset', 'timestamp', 'timestampType']);
  assert.equal(await src.latestOffset(end, LIMITS), end, 'nothing new returns the start offset itself');
});

void test('latest starts after what exists when the query starts and persists that starting point for a restart', async () => {
  const topic = await broker.uniqueTopic('latest', 2);
  await produceMessages(broker.bootstrap, topic, jsonMessages(20, 2));
  const ctx = testContext();
  const src = await open({ topics: topic, 'starting.offsets': 'latest' }, ctx);
  assert.equal(await src.latestOffset(null, LIMITS), null, 'nothing after the starting point yet');
  await produceMessages(broker.bootstrap, topic, jsonMessages(6, 2, 100));
  // A restart before the first batch resolves the same starting point from the state folder.
  await src.close();
  const again = await open({ topics: topic, 'starting.offsets': 'latest' }, ctx);
  const end = await again.latestOffset(null, LIMITS);
  assert.deepEqual(end, { [topic]: { 0: 13, 1: 13 } });
  assert.deepEqual(ids((await again.read(null, end as Offset)).rows), range(100, 106));
});

void test('per-partition JSON starting offsets take -2 as earliest, -1 as latest and explicit offsets as given', async () => {
  const topic = await broker.uniqueTopic('json-start', 3);
  await produceMessages(broker.bootstrap, topic, jsonMessages(30, 3));
  const src = await open({ subscribe: [topic], startingOffsets: JSON.stringify({ [topic]: { 0: -2, 1: -1, 2: 4 } }) });
  const end = await src.latestOffset(null, LIMITS);
  const rows = (await src.read(null, end)).rows;
  const byPartition = (p: number) => rows.filter((r) => r.partition === p).map((r) => r.offset);
  assert.deepEqual(byPartition(0), range(0, 10));
  assert.deepEqual(byPartition(1), []);
  assert.deepEqual(byPartition(2), range(4, 10));
});

void test('specific starting offsets must name every assigned partition', async () => {
  const topic = await broker.uniqueTopic('json-missing', 2);
  const src = await open({ subscribe: topic, startingOffsets: { [topic]: { 0: 0 } } });
  await assert.rejects(src.latestOffset(null, LIMITS), (e: Error) => e.message.includes(`missing: ${topic}:1`));
});

void test('maxOffsetsPerTrigger caps every batch and splits it by backlog, and consecutive batches cover everything once', async () => {
  const topic = await broker.uniqueTopic('ratelimit', 3);
  const msgs = [
    ...jsonMessages(60, 1, 0).map((m) => ({ ...m, partition: 0 })),
    ...jsonMessages(30, 1, 1000).map((m) => ({ ...m, partition: 1 })),
    ...jsonMessages(10, 1, 2000).map((m) => ({ ...m, partition: 2 })),
  ];
  await produceMessages(broker.bootstrap, topic, msgs);
  const src = await open({ subscribe: topic, startingOffsets: 'earliest', maxOffsetsPerTrigger: '10' });
  let start: Offset | null = null;
  const first = await src.latestOffset(start, LIMITS);
  assert.deepEqual(first, { [topic]: { 0: 6, 1: 3, 2: 1 } });
  const seen: number[] = [];
  let batches = 0;
  for (let end: Offset | null = first; end !== start; end = await src.latestOffset(start, LIMITS)) {
    const rows = (await src.read(start, end)).rows;
    assert.ok(rows.length <= 10 && rows.length > 0, `batch of ${rows.length}`);
    seen.push(...ids(rows));
    start = end;
    batches++;
  }
  assert.equal(batches, 10);
  assert.deepEqual(seen.sort((a, b) => a - b), [...range(0, 60), ...range(1000, 1030), ...range(2000, 2010)]);
  assert.deepEqual(src.metrics?.(), { avgOffsetsBehindLatest: '0', maxOffsetsBehindLatest: '0', minOffsetsBehindLatest: '0' });
});

void test('the engine default max.offsets.per.trigger applies, and the once trigger ignores it', async () => {
  const topic = await broker.uniqueTopic('default-limit', 2);
  await produceMessages(broker.bootstrap, topic, jsonMessages(40, 2));
  const src = await open({ subscribe: topic, startingOffsets: 'earliest' }, testContext({ maxOffsetsPerTrigger: 8 }));
  assert.deepEqual(await src.latestOffset(null, LIMITS), { [topic]: { 0: 4, 1: 4 } });
  assert.deepEqual(src.metrics?.(), { avgOffsetsBehindLatest: '16', maxOffsetsBehindLatest: '16', minOffsetsBehindLatest: '16' });
  assert.deepEqual(await src.latestOffset(null, { respectLimits: false }), { [topic]: { 0: 20, 1: 20 } });
});

void test('reading the same planned range twice gives the same rows', async () => {
  const topic = await broker.uniqueTopic('replay', 4);
  await produceMessages(broker.bootstrap, topic, jsonMessages(200, 4));
  const src = await open({ subscribe: topic, startingOffsets: 'earliest', maxOffsetsPerTrigger: 50 });
  const start = await src.latestOffset(null, LIMITS);
  const end = await src.latestOffset(start, LIMITS);
  const a = (await src.read(start, end)).rows;
  const b = (await src.read(start, end)).rows;
  const strip = (rows: Row[]) => rows.map((r) => `${String(r.partition)}/${String(r.offset)}/${Buffer.from(r.value as Uint8Array).toString()}`).sort();
  assert.equal(a.length, 50);
  assert.deepEqual(strip(a), strip(b));
  // A fresh source (a restarted process) replays the same range identically.
  const other = await open({ subscribe: topic, startingOffsets: 'earliest' });
  assert.deepEqual(strip((await other.read(start, end)).rows), strip(a));
});

void test('headers round-trip into the headers column when includeHeaders is on', async () => {
  const topic = await broker.uniqueTopic('headers', 1);
  await produceMessages(broker.bootstrap, topic, [
    { partition: 0, key: 'a', value: 'v1', headers: { trace: 'abc', bin: Buffer.from([0, 255, 7]) } },
    { partition: 0, key: null, value: null },
  ]);
  const src = await open({ subscribe: topic, startingOffsets: 'earliest', includeHeaders: 'true', valueFormat: 'string' });
  const data = await src.read(null, (await src.latestOffset(null, LIMITS)));
  assert.equal(data.rows.length, 2);
  const [first, tombstone] = data.rows;
  assert.equal(first?.key, 'a');
  assert.equal(first?.value, 'v1');
  const headers = (first?.headers as { key: string; value: Uint8Array }[]).map((h) => [h.key, [...h.value]]);
  assert.deepEqual(headers.sort(), [['bin', [0, 255, 7]], ['trace', [...Buffer.from('abc')]]]);
  assert.equal(tombstone?.key, null);
  assert.equal(tombstone?.value, null);
  assert.deepEqual(tombstone?.headers, []);
  assert.equal(data.schema?.fields.at(-1)?.name, 'headers');
});

void test('valueFormat json turns objects into rows and invalid JSON into rejected records with their origin', async () => {
  const topic = await broker.uniqueTopic('json', 1);
  await produceMessages(broker.bootstrap, topic, [
    { partition: 0, value: '{"id":1,"name":"a"}' },
    { partition: 0, value: '{"id":2,' },
    { partition: 0, value: '[1,2]' },
    { partition: 0, value: '{"id":3,"name":"c"}' },
  ]);
  const src = await open({ subscribe: topic, startingOffsets: 'earliest', valueFormat: 'json' });
  const data = await src.read(null, (await src.latestOffset(null, LIMITS)));
  assert.deepEqual(JSON.parse(JSON.stringify(data.rows)), [{ id: 1, name: 'a' }, { id: 3, name: 'c' }]);
  assert.deepEqual(originOf(data.rows[1] ?? {}), { topic, partition: 0, offset: '3' });
  assert.equal(data.rejected.length, 2);
  assert.deepEqual(data.rejected[0]?.origin, { topic, partition: 0, offset: '1' });
  assert.equal(data.rejected[0]?.payload, '{"id":2,');
  assert.match(data.rejected[0]?.message ?? '', /not valid JSON/);
  assert.match(data.rejected[1]?.message ?? '', /not an object/);
});

void test('subscribePattern reads every matching topic and picks up a new matching topic from its earliest offset', async () => {
  const prefix = `pat${Date.now().toString(36)}`;
  await broker.createTopic(`${prefix}-a`, 2);
  await broker.createTopic(`x${prefix}-b`, 2);
  await produceMessages(broker.bootstrap, `${prefix}-a`, jsonMessages(4, 2));
  const src = await open({ subscribePattern: `${prefix}-.*`, startingOffsets: 'earliest' });
  const first = await src.latestOffset(null, LIMITS);
  assert.deepEqual(first, { [`${prefix}-a`]: { 0: 2, 1: 2 } });
  await broker.createTopic(`${prefix}-c`, 1);
  await produceMessages(broker.bootstrap, `${prefix}-c`, jsonMessages(3, 1, 50));
  const second = await src.latestOffset(first, LIMITS);
  assert.deepEqual(second, { [`${prefix}-a`]: { 0: 2, 1: 2 }, [`${prefix}-c`]: { 0: 3 } });
  assert.deepEqual(ids((await src.read(first, second as Offset)).rows), [50, 51, 52]);
});

void test('assign reads only the listed partitions', async () => {
  const topic = await broker.uniqueTopic('assign', 4);
  await produceMessages(broker.bootstrap, topic, jsonMessages(8, 4));
  const src = await open({ assign: JSON.stringify({ [topic]: [1, 3] }), startingOffsets: 'earliest' });
  const end = await src.latestOffset(null, LIMITS);
  assert.deepEqual(end, { [topic]: { 1: 2, 3: 2 } });
  assert.deepEqual(ids((await src.read(null, end as Offset)).rows), [1, 3, 5, 7]);
});

void test('an availableNow run ends at the offsets that existed when it was prepared', async () => {
  const topic = await broker.uniqueTopic('available-now', 1);
  await produceMessages(broker.bootstrap, topic, jsonMessages(5, 1));
  const src = await open({ subscribe: topic, startingOffsets: 'earliest' });
  await src.prepareForAvailableNow?.();
  await produceMessages(broker.bootstrap, topic, jsonMessages(5, 1, 10));
  const end = await src.latestOffset(null, LIMITS);
  assert.deepEqual(end, { [topic]: { 0: 5 } });
  assert.equal(await src.latestOffset(end, LIMITS), end);
});

void test('minOffsetsPerTrigger holds a batch back until enough offsets are new', async () => {
  const topic = await broker.uniqueTopic('min-trigger', 1);
  await produceMessages(broker.bootstrap, topic, jsonMessages(3, 1));
  const src = await open({ subscribe: topic, startingOffsets: 'earliest', minOffsetsPerTrigger: 5, maxTriggerDelay: '1 hour' });
  // The first trigger is never delayed (as in Spark), then 3 new offsets are not enough.
  const first = await src.latestOffset(null, LIMITS);
  assert.deepEqual(first, { [topic]: { 0: 3 } });
  await produceMessages(broker.bootstrap, topic, jsonMessages(3, 1, 3));
  assert.equal(await src.latestOffset(first, LIMITS), first);
  await produceMessages(broker.bootstrap, topic, jsonMessages(2, 1, 6));
  assert.deepEqual(await src.latestOffset(first, LIMITS), { [topic]: { 0: 8 } });
});
