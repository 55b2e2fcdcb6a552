// Consumer-group mode against a real Kafka-protocol broker: two members split the partitions, batches
// carry one marker per partition, resume from the sink's markers, and skip what another instance wrote.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kafka, logLevel } from 'kafkajs';
import type { Source } from '../../core/component.ts';
import type { Row, ProgressMarker } from '../../core/record.ts';
import type { TestBroker } from '../../../test/support/kafka/broker.ts';
import { kafkaFixture } from '../../../test/support/kafka/fixture.ts';
import { jsonMessages, produceMessages } from '../../../test/support/kafka/produce.ts';
import { testContext, type TestContext } from '../../../test/support/kafka/context.ts';
import { kafkaSource } from './source.ts';

let broker: TestBroker;
const { contexts, sources } = kafkaFixture((b) => (broker = b));
const LIMITS = { respectLimits: true };

/** A source whose sink holds `markers` (as the Delta sink's committedVersions would report them). */
async function member(topic: string, group: string, markers: Map<string, number>, extra: Record<string, unknown> = {}): Promise<Source> {
  const base = testContext();
  const ctx: TestContext = {
    ...base,
    sinkVersions: (prefix) => Promise.resolve(new Map([...markers].filter(([k]) => k.startsWith(prefix)))),
  };
  contexts.push(ctx);
  const config = kafkaSource.config.parse({
    'kafka.bootstrap.servers': broker.bootstrap,
    subscribe: topic,
    startingOffsets: 'earliest',
    valueFormat: 'json',
    'group.id': group,
    'kafka.session.timeout.ms': 6000,
    'kafka.heartbeat.interval.ms': 1000,
    ...extra,
  });
  const src = kafkaSource.create(config, ctx);
  sources.push(src);
  await src.open();
  return src;
}

const ids = (rows: Row[]): number[] => rows.map((r) => Number(r.id)).sort((a, b) => a - b);
const byApp = (txns: readonly ProgressMarker[] | undefined) => new Map((txns ?? []).map((t) => [t.appId, { version: t.version, from: (t as { from?: number }).from }]));

async function waitForSplit(a: Source, b: Source): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    await a.latestOffset(null, LIMITS);
    await b.latestOffset(null, LIMITS);
    if (a.metrics?.().ownedPartitions === '2' && b.metrics?.().ownedPartitions === '2') return;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail(`the members did not split the partitions: ${JSON.stringify(a.metrics?.())} ${JSON.stringify(b.metrics?.())}`);
}

void test('two members of one group split the partitions and each batch carries a marker per owned partition', async () => {
  const topic = await broker.uniqueTopic('grp-split', 4);
  await produceMessages(broker.bootstrap, topic, jsonMessages(40, 4));
  const markers = new Map<string, number>();
  const a = await member(topic, 'split', markers);
  const b = await member(topic, 'split', markers);
  await waitForSplit(a, b);
  const all: number[] = [];
  const apps = new Set<string>();
  for (const src of [a, b]) {
    const end = await src.latestOffset(null, LIMITS);
    assert.ok(end !== null);
    const data = await src.read(null, end);
    all.push(...ids(data.rows));
    assert.equal(data.markers?.length, 2);
    for (const [appId, t] of byApp(data.markers)) {
      assert.deepEqual(t, { version: 10, from: 0 });
      apps.add(appId);
    }
  }
  assert.deepEqual(all.sort((x, y) => x - y), Array.from({ length: 40 }, (_, i) => i));
  assert.deepEqual([...apps].sort(), [0, 1, 2, 3].map((p) => `split-${topic}-${p}`));
});

void test('planning starts each partition at the marker the sink holds, and a read skips what another instance wrote since', async () => {
  const topic = await broker.uniqueTopic('grp-resume', 2);
  await produceMessages(broker.bootstrap, topic, jsonMessages(40, 2));
  const markers = new Map([[`resume-${topic}-0`, 6]]);
  const src = await member(topic, 'resume', markers);
  const end = await src.latestOffset(null, LIMITS);
  assert.deepEqual(end, { group: 'resume', ranges: { [topic]: { '0': [6, 20], '1': [0, 20] } } });
  // Before the read, another instance commits partition 0 up to 15 and partition 1 past the planned end.
  markers.set(`resume-${topic}-0`, 15);
  markers.set(`resume-${topic}-1`, 25);
  const data = await src.read(null, end ?? {});
  assert.deepEqual(ids(data.rows), [30, 32, 34, 36, 38]);
  assert.deepEqual(byApp(data.markers), new Map([[`resume-${topic}-0`, { version: 20, from: 15 }]]));
  assert.equal(src.metrics?.().desired_replicas !== undefined, true);
});

void test('group mode refuses assign, and a checkpoint offset that is not a group offset is reported as such', async () => {
  assert.throws(() => kafkaSource.config.parse({ 'kafka.bootstrap.servers': 'x:1', assign: '{"t":[0]}', 'group.id': 'g' }), /cannot be combined with assign/);
  const topic = await broker.uniqueTopic('grp-bad', 1);
  const src = await member(topic, 'bad', new Map());
  await assert.rejects(src.read(null, { [topic]: { '0': 5 } }), /consumer-group offset in the checkpoint is malformed/);
});

void test('the replica hint asks for one instance per partition with backlog until a rate is measured, then for what drains the backlog in a minute', async () => {
  const topic = await broker.uniqueTopic('grp-hint', 2);
  await produceMessages(broker.bootstrap, topic, jsonMessages(40, 2));
  const markers = new Map<string, number>();
  const src = await member(topic, 'hint', markers, { maxOffsetsPerTrigger: 10 });
  const first = await src.latestOffset(null, LIMITS);
  const m = src.metrics?.() ?? {};
  assert.equal(m.groupPartitions, '2');
  assert.equal(m.ownedPartitions, '2');
  assert.equal(m.partitionsWithBacklog, '2');
  assert.equal(m.totalOffsetsBehindLatest, '30');
  assert.equal(m.desired_replicas, '2');
  let end = first;
  for (let i = 0; i < 3 && end !== null; i++) {
    const data = await src.read(null, end);
    for (const t of data.markers ?? []) markers.set(t.appId, t.version);
    end = await src.latestOffset(null, LIMITS);
  }
  const after = src.metrics?.() ?? {};
  assert.ok(Number(after.throughputPerInstance) > 0, JSON.stringify(after));
  assert.equal(after.totalOffsetsBehindLatest, '0');
  assert.equal(after.desired_replicas, '1');
});

void test('a committed batch records its end offsets in the consumer group, for lag tools', async () => {
  const topic = await broker.uniqueTopic('grp-commit', 2);
  await produceMessages(broker.bootstrap, topic, jsonMessages(30, 2));
  const src = await member(topic, 'commit', new Map(), { maxOffsetsPerTrigger: 10 });
  const end = await src.latestOffset(null, LIMITS);
  assert.ok(end !== null);
  await src.read(null, end);
  await src.commit(end);
  const admin = new Kafka({ brokers: broker.bootstrap.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const [offsets] = await admin.fetchOffsets({ groupId: 'commit', topics: [topic] });
    const byPartition = Object.fromEntries((offsets?.partitions ?? []).map((p) => [p.partition, p.offset]));
    assert.deepEqual(byPartition, { 0: '5', 1: '5' });
  } finally {
    await admin.disconnect();
  }
});
