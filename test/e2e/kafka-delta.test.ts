// Kafka -> Delta through the CLI against a real Kafka-protocol broker: JSON values become table rows,
// a restart resumes after the last committed batch, SIGKILL at random points loses and duplicates
// nothing, and bad input (no broker, no topic, invalid JSON) is reported clearly.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseProgress, runCli } from '../support/cli.ts';
import { crashLoop, crashSeed } from '../support/crash-loop.ts';
import { startBroker, type TestBroker } from '../support/kafka/broker.ts';
import { jsonMessages, produceMessages } from '../support/kafka/produce.ts';
import { readTableWithDuckDB } from '../support/table-check.ts';

const root = mkdtempSync(join(tmpdir(), 'sluice-kafka-delta-'));
let broker: TestBroker;
before(async () => {
  broker = await startBroker();
});
after(async () => {
  await broker.stop();
  rmSync(root, { recursive: true, force: true });
});

function pipeline(name: string, source: Record<string, string | number>, extra: string[] = []): { config: string; table: string; checkpoint: string } {
  const dir = join(root, name);
  const table = join(dir, 'table');
  const checkpoint = join(dir, 'checkpoint');
  const config = join(root, `${name}.yaml`);
  writeFileSync(
    config,
    [
      'streaming:',
      `  name: ${name}`,
      '  source:',
      '    type: kafka',
      '    config:',
      ...Object.entries(source).map(([k, v]) => `      ${k}: ${typeof v === 'number' ? v : JSON.stringify(v)}`),
      ...extra,
      '  sink:',
      '    type: delta',
      '    config:',
      `      path: ${table}`,
      `      checkpoint.location: ${checkpoint}`,
    ].join('\n') + '\n',
  );
  return { config, table, checkpoint };
}

async function ids(table: string): Promise<number[]> {
  const contents = await readTableWithDuckDB(table, 'id');
  return contents.rows.map((r) => Number(r.id));
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

describe('Kafka to Delta through the CLI', () => {
  it('writes JSON values as rows, and a restart resumes exactly after the last committed batch', async () => {
    const topic = await broker.uniqueTopic('kd-resume', 4);
    await produceMessages(broker.bootstrap, topic, jsonMessages(400, 4));
    const p = pipeline('resume', { 'bootstrap.servers': broker.bootstrap, topics: topic, startingOffsets: 'earliest', valueFormat: 'json', maxOffsetsPerTrigger: 150 });
    const first = await runCli(['run', p.config, '--available-now', '--progress', 'json']);
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(await ids(p.table), range(0, 400));
    const batches = parseProgress(first.stdout).progress.length;
    assert.equal(batches, 3, 'maxOffsetsPerTrigger 150 splits 400 messages into three batches');

    await produceMessages(broker.bootstrap, topic, jsonMessages(200, 4, 400));
    const second = await runCli(['run', p.config, '--available-now', '--progress', 'json']);
    assert.equal(second.code, 0, second.stderr);
    const { progress } = parseProgress(second.stdout);
    assert.equal(progress[0]?.batchId, batches, 'the second run continues the batch numbering');
    assert.equal(progress.reduce((n, x) => n + Number(x.numInputRows), 0), 200, 'only the new messages are read');
    assert.deepEqual(await ids(p.table), range(0, 600));

    const third = await runCli(['run', p.config, '--available-now', '--progress', 'json']);
    assert.equal(third.code, 0, third.stderr);
    assert.equal(parseProgress(third.stdout).progress.length, 0, 'nothing new: no batch');
  });

  it('leaves every message in the table exactly once after at least ten SIGKILLs at random points', async (t) => {
    const seed = crashSeed();
    const total = 6000;
    const topic = await broker.uniqueTopic('kd-crash', 4);
    await produceMessages(broker.bootstrap, topic, jsonMessages(total, 4));
    const p = pipeline('crash', { 'bootstrap.servers': broker.bootstrap, topics: topic, startingOffsets: 'earliest', valueFormat: 'json', maxOffsetsPerTrigger: 150 });
    const { kills, log } = await crashLoop({ config: p.config, seed, randomDelayMs: 1500 });
    t.diagnostic(`seed ${seed}; ${kills} kills: ${log.join(', ')}`);
    const final = await runCli(['run', p.config, '--available-now', '--progress', 'json']);
    assert.equal(final.code, 0, final.stderr);
    const got = await ids(p.table);
    assert.equal(got.length, total, `seed ${seed}: ${got.length} rows instead of ${total} (${log.join(', ')})`);
    assert.deepEqual(got, range(0, total), `seed ${seed}: some message is missing or duplicated`);
  });

  it('fails with an error naming the servers when no broker answers, within the retry policy', async () => {
    const p = pipeline('unreachable', { 'bootstrap.servers': '127.0.0.1:1', topics: 'anything', startingOffsets: 'earliest', valueFormat: 'json' }, [
      '  error_handling:',
      '    retry:',
      '      max_attempts: 2',
      '      initial_backoff: 100 ms',
    ]);
    const r = await runCli(['run', p.config, '--available-now']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /SLUICE_SOURCE_READ/);
    assert.match(r.stderr, /cannot reach Kafka at 127\.0\.0\.1:1/);
  });

  it('reports a topic that does not exist by its name', async () => {
    const p = pipeline('missing-topic', { 'bootstrap.servers': broker.bootstrap, topics: 'no-such-topic-kd', startingOffsets: 'earliest', valueFormat: 'json' });
    const r = await runCli(['run', p.config, '--available-now']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /SLUICE_SOURCE_NOT_FOUND/);
    assert.match(r.stderr, /Kafka topic no-such-topic-kd not found/);
  });

  it('sends a value that is not valid JSON to the rejected-records file with its topic, partition and offset', async () => {
    const topic = await broker.uniqueTopic('kd-badjson', 2);
    await produceMessages(broker.bootstrap, topic, [
      { partition: 0, value: JSON.stringify({ id: 0 }) },
      { partition: 1, value: JSON.stringify({ id: 1 }) },
      { partition: 1, value: '{"id": 2, broken' },
      { partition: 0, value: JSON.stringify({ id: 3 }) },
    ]);
    const p = pipeline('badjson', { 'bootstrap.servers': broker.bootstrap, topics: topic, startingOffsets: 'earliest', valueFormat: 'json' });
    const r = await runCli(['run', p.config, '--available-now', '--progress', 'json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await ids(p.table), [0, 1, 3]);
    const dir = join(p.checkpoint, 'rejected');
    const lines = readdirSync(dir).flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter((l) => l !== ''));
    assert.equal(lines.length, 1);
    const entry = JSON.parse(lines[0] ?? '{}') as { origin: Record<string, unknown>; payload: string; message: string };
    assert.deepEqual(entry.origin, { topic, partition: 1, offset: '1' });
    assert.equal(entry.payload, '{"id": 2, broken');
    assert.match(entry.message, /not valid JSON/);
  });
});
