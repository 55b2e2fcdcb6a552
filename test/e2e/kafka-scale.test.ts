// Scale-out through a consumer group: `sluice run` instances with the same group.id share 12 partitions
// and write one Delta table; an instance joins midway and another is killed with SIGKILL, and the
// table still ends with every message exactly once.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { loadSnapshot } from '../../src/connectors/delta/protocol/snapshot.ts';
import { spawnCli, type CliResult } from '../support/cli.ts';
import { startBroker, type TestBroker } from '../support/kafka/broker.ts';
import { jsonMessages, produceMessages } from '../support/kafka/produce.ts';
import { readTableWithDuckDB } from '../support/table-check.ts';
import { waitFor } from '../support/wait.ts';

const PARTITIONS = 12;
const WAVES = [6000, 3000, 3000] as const;
const GROUP = 'scale-test';

const root = mkdtempSync(join(tmpdir(), 'sluice-kafka-scale-'));
let broker: TestBroker;
before(async () => {
  broker = await startBroker();
});
after(async () => {
  await broker.stop();
  rmSync(root, { recursive: true, force: true });
});

function config(name: string, topic: string, table: string): string {
  const file = join(root, `${name}.yaml`);
  writeFileSync(
    file,
    [
      'streaming:',
      `  name: ${name}`,
      '  source:',
      '    type: kafka',
      '    config:',
      `      bootstrap.servers: ${broker.bootstrap}`,
      `      topics: ${topic}`,
      '      startingOffsets: earliest',
      '      valueFormat: json',
      `      group.id: ${GROUP}`,
      '      kafka.session.timeout.ms: 6000',
      '      kafka.heartbeat.interval.ms: 1000',
      '      maxOffsetsPerTrigger: 120',
      '  processing:',
      '    batch.interval: 300 milliseconds',
      '  sink:',
      '    type: delta',
      '    config:',
      `      path: ${table}`,
      `      checkpoint.location: ${join(root, `checkpoint-${name}`)}`,
    ].join('\n') + '\n',
  );
  return file;
}

/** Sum of the group's partition markers in the table: the messages written so far. */
async function written(table: string): Promise<{ messages: number; instances: Set<string> }> {
  const snap = await loadSnapshot(table).catch(() => null);
  let messages = 0;
  const instances = new Set<string>();
  for (const [appId, v] of snap?.txns ?? []) {
    if (appId.startsWith(`${GROUP}-`)) messages += v;
    else instances.add(appId);
  }
  return { messages, instances };
}

/** Waits until the table's markers pass `test`, reporting what they held when the time ran out. */
async function waitForTable(what: string, table: string, test: (w: { messages: number; instances: Set<string> }) => boolean, timeoutMs: number): Promise<void> {
  let seen = { messages: 0, instances: new Set<string>() };
  await waitFor(what, async () => {
    seen = await written(table);
    return test(seen) ? true : undefined;
  }, timeoutMs, 250).catch((err: unknown) => {
    throw new Error(`${err instanceof Error ? err.message : String(err)}: ${seen.messages} messages by ${seen.instances.size} instances`);
  });
}

describe('consumer-group scale-out into one Delta table', () => {
  it('three instances share twelve partitions, one joins and one is killed midway, and every message lands exactly once', async (t) => {
    const topic = await broker.uniqueTopic('scale', PARTITIONS);
    const table = join(root, 'table');
    const [first, second, third] = WAVES;
    const total = first + second + third;
    await produceMessages(broker.bootstrap, topic, jsonMessages(first, PARTITIONS));
    const runs = new Map<string, { child: import('node:child_process').ChildProcess; done: Promise<CliResult> }>();
    const assigned = new Set<string>();
    const start = (name: string): void => {
      const run = spawnCli(['run', config(name, topic, table), '--progress', 'json'], { SLUICE_LOG_LEVEL: 'info' });
      run.child.stderr?.on('data', (d: Buffer) => {
        if (d.toString().includes('consumer group assignment')) assigned.add(name);
      });
      runs.set(name, run);
    };
    try {
      start('a');
      start('b');
      await waitForTable('a and b to write', table, (w) => w.messages >= 1500 && w.instances.size >= 2, 120_000);
      start('c');
      const deadline = Date.now() + 120_000;
      while (!assigned.has('c') && Date.now() < deadline) await delay(100);
      assert.ok(assigned.has('c'), 'the joining instance got an assignment');
      // New data after the join, so that the newcomer has records on the partitions it now owns.
      await produceMessages(broker.bootstrap, topic, jsonMessages(second, PARTITIONS, first));
      await waitForTable('c to write', table, (w) => w.instances.size >= 3, 120_000);
      runs.get('a')?.child.kill('SIGKILL');
      const killed = await runs.get('a')?.done;
      assert.equal(killed?.signal, 'SIGKILL');
      await produceMessages(broker.bootstrap, topic, jsonMessages(third, PARTITIONS, first + second));
      await waitForTable('every message', table, (w) => w.messages >= total, 240_000);
    } finally {
      for (const name of ['b', 'c', 'a']) runs.get(name)?.child.kill('SIGINT');
    }
    for (const name of ['b', 'c']) {
      const r = await runs.get(name)?.done;
      t.diagnostic(`${name}: exit ${r?.code ?? r?.signal}; ${(r?.stderr ?? '').split('\n').filter((l) => /assignment|advanced/.test(l)).length} assignment/reread log lines`);
      assert.equal(r?.code, 0, `instance ${name} failed: ${r?.stderr.slice(-2000)}`);
    }
    const contents = await readTableWithDuckDB(table, 'id');
    const ids = contents.rows.map((r) => Number(r.id));
    assert.equal(ids.length, total, `${ids.length} rows instead of ${total}`);
    assert.deepEqual(ids, Array.from({ length: total }, (_, i) => i), 'some message is missing or written twice');
    const w = await written(table);
    assert.equal(w.messages, total, 'the partition markers add up to every message');
    assert.equal(w.instances.size, 3, 'the log holds commits from all three instances');
  });
});
