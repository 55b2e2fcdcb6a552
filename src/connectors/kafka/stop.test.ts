// A stopping query never waits on Kafka: the read's re-route backoff, a request to a broker that does not
// answer, and the engine's backoff after a Kafka failure all end as soon as the query stops. Every wait
// here is set to ten minutes, so a wait that ignored the stop would run into the test's timeout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePipelineText } from '../../plan/load.ts';
import { ErrorCodes, SluiceError } from '../../core/errors.ts';
import { silentLogger } from '../../core/logger.ts';
import { StreamingQuery } from '../../engine/query.ts';
import { registry } from '../../builtins/index.ts';
import type { TestBroker } from '../../../test/support/kafka/broker.ts';
import { recordingLogger, testContext } from '../../../test/support/kafka/context.ts';
import { kafkaFixture } from '../../../test/support/kafka/fixture.ts';
import { jsonMessages, produceMessages } from '../../../test/support/kafka/produce.ts';
import { kafkaSource } from './source.ts';

let broker: TestBroker;
const { contexts, sources } = kafkaFixture((b) => (broker = b));
const TEN_MINUTES = 600_000;
const LIMIT = { timeout: 60_000 };

const isStopped = (e: unknown): boolean => {
  assert.ok(e instanceof SluiceError, String(e));
  assert.equal(e.code, ErrorCodes.QUERY_STOPPED);
  assert.equal(e.retryable, false);
  return true;
};

async function until(what: string, cond: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !cond(); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(cond(), what);
}

void test('a read waiting to re-route after failed fetches ends with SLUICE_QUERY_STOPPED as soon as the query stops', LIMIT, async () => {
  const topic = await broker.uniqueTopic('stop-fetch', 1);
  await produceMessages(broker.bootstrap, topic, [{ partition: 0, value: 'v' }]);
  const stop = new AbortController();
  const logger = recordingLogger();
  const ctx = { ...testContext(), logger, signal: stop.signal };
  contexts.push(ctx);
  const config = { 'bootstrap.servers': broker.bootstrap, subscribe: topic, startingOffsets: 'earliest', 'fetchOffset.numRetries': 1000, 'fetchOffset.retryIntervalMs': TEN_MINUTES };
  const src = kafkaSource.create(kafkaSource.config.parse(config), ctx);
  sources.push(src);
  await src.open();
  const end = await src.latestOffset(null, { respectLimits: true });
  await broker.failRequests(1, 1000, 6); // Fetch: NOT_LEADER_OR_FOLLOWER
  try {
    const reading = src.read(null, end);
    reading.catch(() => undefined);
    await until('the read backs off after a failed fetch', () => logger.lines.some((l) => l.msg.startsWith('Kafka fetch failed')));
    stop.abort();
    await assert.rejects(reading, isStopped);
  } finally {
    await broker.clearFailures(1);
  }
});

void test('a request to a broker that never answers ends with SLUICE_QUERY_STOPPED as soon as the query stops', LIMIT, async () => {
  const held: Socket[] = [];
  const silent = createServer((socket) => void held.push(socket));
  const port = await new Promise<number>((resolve) => silent.listen(0, '127.0.0.1', () => resolve((silent.address() as { port: number }).port)));
  const stop = new AbortController();
  const ctx = { ...testContext(), signal: stop.signal };
  contexts.push(ctx);
  const config = { 'bootstrap.servers': `127.0.0.1:${port}`, subscribe: 't', 'kafka.request.timeout.ms': TEN_MINUTES, 'kafka.socket.connection.setup.timeout.ms': TEN_MINUTES };
  const src = kafkaSource.create(kafkaSource.config.parse(config), ctx);
  try {
    const opening = src.open();
    opening.catch(() => undefined);
    await until('the client connected and sent its first request', () => held.length > 0);
    stop.abort();
    await assert.rejects(opening, isStopped);
  } finally {
    await src.close();
    for (const s of held) s.destroy();
    await new Promise((r) => silent.close(r));
  }
});

void test("stopping a query while the engine backs off after a Kafka read failure ends the query at once", LIMIT, async () => {
  const topic = await broker.uniqueTopic('stop-engine', 1);
  await produceMessages(broker.bootstrap, topic, jsonMessages(5, 1));
  const root = mkdtempSync(join(tmpdir(), 'sluice-kafka-stop-'));
  const plan = parsePipelineText(
    [
      'streaming:',
      '  name: kafka-stop',
      '  source:',
      '    type: kafka',
      '    config:',
      `      bootstrap.servers: ${broker.bootstrap}`,
      `      topics: ${topic}`,
      '      startingOffsets: earliest',
      '      fetchOffset.numRetries: 0',
      '  error_handling:',
      '    retry:',
      '      max_attempts: 5',
      '      initial_backoff: 10 minutes',
      '      max_backoff: 10 minutes',
      '  sink:',
      '    type: memory',
      '    config:',
      '      name: kafka-stop',
      `      checkpoint.location: ${join(root, 'checkpoint')}`,
    ].join('\n'),
    registry,
  );
  await broker.failRequests(1, 1000, 6); // Fetch: NOT_LEADER_OR_FOLLOWER
  try {
    const query = await StreamingQuery.start(plan, { logger: silentLogger });
    await until('the engine backs off after the failed read', () => query.status.state === 'backing-off');
    await query.stop();
    assert.equal(query.isActive, false);
    const ended = await query.awaitTermination().then(() => undefined, (e: unknown) => e);
    if (ended !== undefined) isStopped(ended);
  } finally {
    await broker.clearFailures(1);
    rmSync(root, { recursive: true, force: true });
  }
});
