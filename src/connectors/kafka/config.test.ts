// Kafka source options: Spark names and YAML aliases, exactly one topic selector, starting offsets,
// and the kafka.* client settings mapped to connection options.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kafkaSourceSchema } from './config.ts';
import { clientOptions, parseJaas } from './settings.ts';

const servers = 'b1:9092,b2:9092';

function problems(cfg: Record<string, unknown>): string {
  const r = kafkaSourceSchema.safeParse(cfg);
  assert.equal(r.success, false, 'expected the config to be rejected');
  return (r.error?.issues ?? []).map((i) => `${i.path.join('.')}: ${i.message}`).join('\n');
}

void test('the seed YAML names map to Spark options and defaults follow Spark', () => {
  const c = kafkaSourceSchema.parse({ 'bootstrap.servers': servers, topics: 'a, b,a', 'starting.offsets': 'earliest', 'max.offsets.per.trigger': '10000' });
  assert.deepEqual(c.assignment, { kind: 'subscribe', topics: ['a', 'b'] });
  assert.deepEqual(c.starting, { kind: 'earliest' });
  assert.equal(c.maxOffsetsPerTrigger, 10000);
  assert.equal(c.failOnDataLoss, true);
  assert.equal(c.includeHeaders, false);
  assert.equal(c.valueFormat, 'binary');
  assert.equal(c.maxTriggerDelayMs, 15 * 60_000);
  assert.deepEqual(c.client, { 'bootstrap.servers': servers });
  const spark = kafkaSourceSchema.parse({ 'kafka.bootstrap.servers': servers, subscribe: ['x'] });
  assert.deepEqual(spark.starting, { kind: 'latest' });
});

void test('exactly one of subscribe, subscribePattern and assign is required', () => {
  assert.match(problems({ 'kafka.bootstrap.servers': servers }), /one of subscribe \(topics\), subscribePattern or assign is required/);
  assert.match(problems({ 'kafka.bootstrap.servers': servers, subscribe: 'a', subscribePattern: 'a.*' }), /only one of .*found subscribe, subscribePattern/);
  assert.match(problems({ subscribe: 'a' }), /kafka.bootstrap.servers: kafka.bootstrap.servers \(or bootstrap.servers\) is required/);
});

void test('assign and subscribePattern are validated when the config is loaded', () => {
  const c = kafkaSourceSchema.parse({ 'kafka.bootstrap.servers': servers, assign: '{"t":[0,2]}' });
  assert.deepEqual(c.assignment, { kind: 'assign', partitions: [{ topic: 't', partition: 0 }, { topic: 't', partition: 2 }] });
  assert.match(problems({ 'kafka.bootstrap.servers': servers, assign: '{"t":["x"]}' }), /assign: t: expected a list of partition numbers/);
  assert.match(problems({ 'kafka.bootstrap.servers': servers, subscribePattern: 'a[' }), /subscribePattern: Invalid regular expression/);
});

void test('starting offsets accept per-partition JSON and timestamps, with Spark precedence', () => {
  const json = kafkaSourceSchema.parse({ 'kafka.bootstrap.servers': servers, subscribe: 't', startingOffsets: { t: { 0: -2, 1: 7 } } });
  assert.deepEqual(json.starting, { kind: 'offsets', offsets: new Map([['t:0', -2], ['t:1', 7]]) });
  const ts = kafkaSourceSchema.parse({ 'kafka.bootstrap.servers': servers, subscribe: 't', startingOffsets: 'earliest', startingTimestamp: '1700000000000' });
  assert.deepEqual(ts.starting, { kind: 'timestamp', timestampMs: 1700000000000 });
  const per = kafkaSourceSchema.parse({ 'kafka.bootstrap.servers': servers, subscribe: 't', startingOffsetsByTimestamp: '{"t":{"0":5}}' });
  assert.deepEqual(per.starting, { kind: 'timestamps', timestamps: new Map([['t:0', 5]]) });
  assert.match(problems({ 'kafka.bootstrap.servers': servers, subscribe: 't', startingOffsets: 'newest' }), /startingOffsets: startingOffsets: not valid JSON/);
  assert.match(problems({ 'kafka.bootstrap.servers': servers, subscribePattern: 'a.*', startingOffsets: { b: { 0: 1 } } }), /subscribePattern does not match/);
});

void test('unknown keys, including kafka.* settings without a kafkajs equivalent, are rejected by name', () => {
  assert.match(problems({ 'kafka.bootstrap.servers': servers, subscribe: 't', 'kafka.auto.offset.reset': 'earliest' }), /kafka\.auto\.offset\.reset/);
  assert.match(problems({ 'kafka.bootstrap.servers': servers, subscribe: 't', endingOffsets: 'latest' }), /endingOffsets/);
});

void test('SASL credentials come from a JAAS line or user and password, and are required for SASL protocols', () => {
  assert.deepEqual(parseJaas('org.apache.kafka.common.security.plain.PlainLoginModule required username="app" password="s3\\"cr";'), { username: 'app', password: 's3"cr' });
  const c = kafkaSourceSchema.parse({
    'kafka.bootstrap.servers': servers,
    subscribe: 't',
    'kafka.security.protocol': 'SASL_SSL',
    'kafka.sasl.mechanism': 'SCRAM-SHA-512',
    'kafka.sasl.jaas.config': 'org.apache.kafka.common.security.scram.ScramLoginModule required username="u" password="p";',
  });
  const o = clientOptions(c.client, 'sluice-x');
  assert.deepEqual(o.servers, ['b1:9092', 'b2:9092']);
  assert.deepEqual(o.sasl, { mechanism: 'scram-sha-512', username: 'u', password: 'p' });
  assert.equal(o.ssl, true);
  assert.match(problems({ 'kafka.bootstrap.servers': servers, subscribe: 't', 'kafka.security.protocol': 'SASL_PLAINTEXT' }), /SASL_PLAINTEXT needs credentials/);
  const plain = clientOptions(kafkaSourceSchema.parse({ 'kafka.bootstrap.servers': servers, subscribe: 't' }).client, 'sluice-x');
  assert.equal(plain.ssl, undefined);
  assert.equal(plain.sasl, undefined);
  assert.equal(plain.clientId, 'sluice-x');
});

void test('TLS settings read PEM files and can turn host name checks off', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-kafka-tls-'));
  try {
    writeFileSync(join(dir, 'ca.pem'), 'CA PEM');
    const c = kafkaSourceSchema.parse({
      'kafka.bootstrap.servers': servers,
      subscribe: 't',
      'kafka.security.protocol': 'SSL',
      'kafka.ssl.ca.location': join(dir, 'ca.pem'),
      'kafka.ssl.endpoint.identification.algorithm': '',
    });
    const ssl = clientOptions(c.client, 'x').ssl;
    assert.ok(typeof ssl === 'object');
    assert.equal(ssl.ca, 'CA PEM');
    assert.equal(typeof ssl.checkServerIdentity, 'function');
    const missing = kafkaSourceSchema.parse({ 'kafka.bootstrap.servers': servers, subscribe: 't', 'kafka.security.protocol': 'SSL', 'kafka.ssl.ca.location': join(dir, 'nope.pem') });
    assert.throws(() => clientOptions(missing.client, 'x'), /kafka.ssl.ca.location: cannot read/);
    assert.match(problems({ 'kafka.bootstrap.servers': servers, subscribe: 't', 'kafka.ssl.truststore.type': 'JKS' }), /kafka.ssl.truststore.type/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
