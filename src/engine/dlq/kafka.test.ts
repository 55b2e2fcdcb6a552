// The Kafka dead-letter target against a real Kafka-protocol broker, read back with kcat.
import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import type { Rejected } from '../../core/record.ts';
import { kcatConsume, startBroker, type TestBroker } from '../../../test/support/kafka/broker.ts';
import { testContext, type TestContext } from '../../../test/support/kafka/context.ts';
import { deadLetterPlan } from '../../../test/support/dlq.ts';
import { createDeadLetterQueue } from './index.ts';

let broker: TestBroker;
const contexts: TestContext[] = [];

before(async () => {
  broker = await startBroker();
});
after(async () => {
  for (const c of contexts) c.cleanup();
  await broker.stop();
});

const rejected: Rejected[] = [
  { errorType: 'PROCESSING', stage: 'parse', rule: 'parse.json', message: 'payload is not valid UTF-8', payload: 'e/99', payloadEncoding: 'base64', origin: { topic: 'in', partition: 2, offset: '41' } },
  { errorType: 'SCHEMA_VALIDATION', stage: 'checks', message: 'id is null', payload: '{"id":null}', origin: { topic: 'in', partition: 0, offset: '7' } },
];

void test('a Kafka DLQ topic gets one envelope per rejected record, and a replayed batch is not sent again', async () => {
  const topic = await broker.uniqueTopic('dlq', 1);
  const ctx = testContext();
  contexts.push(ctx);
  const q = createDeadLetterQueue(deadLetterPlan({ type: 'kafka', kafka: { 'kafka.bootstrap.servers': broker.bootstrap, topic } }, ctx.checkpointDir), ctx);
  await q.open();
  try {
    assert.deepEqual(await q.write(0, rejected, Date.UTC(2024, 0, 1)), { written: 2, location: `KafkaSink[${topic}]` });
    assert.deepEqual(await q.write(0, rejected, Date.UTC(2024, 0, 1)), { written: 0, location: `KafkaSink[${topic}]` });
    assert.equal((await q.write(1, rejected.slice(0, 1), Date.UTC(2024, 0, 2))).written, 1);
  } finally {
    await q.close();
  }
  const got = kcatConsume(broker.bootstrap, topic).map((l) => {
    const [key, value] = l.split('\t');
    return { key, value: JSON.parse(value ?? '') as Record<string, unknown> };
  });
  assert.deepEqual(got.map((g) => [g.value.batchId, g.value.stage]), [[0, 'parse'], [0, 'checks'], [1, 'parse']]);
  assert.deepEqual(got[0]?.value, {
    errorType: 'PROCESSING', stage: 'parse', rule: 'parse.json', message: 'payload is not valid UTF-8', payload: 'e/99', payloadEncoding: 'base64',
    origin: { topic: 'in', partition: 2, offset: '41' }, batchId: 0, timestamp: '2024-01-01T00:00:00.000Z',
  });
});
