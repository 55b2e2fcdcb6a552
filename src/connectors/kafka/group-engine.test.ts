// Group mode through the engine into a real Delta table: when another instance commits part of a
// partition while a batch is in flight, the batch is read again without those offsets, so the table
// holds every message exactly once.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePipelineText } from '../../plan/load.ts';
import { silentLogger } from '../../core/logger.ts';
import type { Batch } from '../../core/record.ts';
import { StreamingQuery } from '../../engine/query.ts';
import { appendRows } from '../delta/table.ts';
import { registry } from '../../builtins/index.ts';
import { startBroker, type TestBroker } from '../../../test/support/kafka/broker.ts';
import { jsonMessages, produceMessages } from '../../../test/support/kafka/produce.ts';
import { readTableWithDuckDB } from '../../../test/support/table-check.ts';

let broker: TestBroker;
const root = mkdtempSync(join(tmpdir(), 'sluice-kafka-group-engine-'));
before(async () => {
  broker = await startBroker();
});
after(async () => {
  await broker.stop();
  rmSync(root, { recursive: true, force: true });
});

void test('a batch whose partition another instance advanced meanwhile is read again and nothing is written twice', async () => {
  const topic = await broker.uniqueTopic('grp-engine', 2);
  await produceMessages(broker.bootstrap, topic, jsonMessages(40, 2));
  const table = join(root, 'table');
  const plan = parsePipelineText(
    [
      'streaming:',
      '  name: group-engine',
      '  source:',
      '    type: kafka',
      '    config:',
      `      bootstrap.servers: ${broker.bootstrap}`,
      `      topics: ${topic}`,
      '      startingOffsets: earliest',
      '      valueFormat: json',
      '      group.id: engine',
      '      kafka.session.timeout.ms: 6000',
      '      kafka.heartbeat.interval.ms: 1000',
      '  sink:',
      '    type: delta',
      '    config:',
      `      path: ${table}`,
      `      checkpoint.location: ${join(root, 'checkpoint')}`,
    ].join('\n'),
    registry,
    { trigger: { kind: 'availableNow' } },
  );
  let interfered = 0;
  // Plays the other instance: the first time the batch passes, offsets 0-4 of partition 0 land in the table.
  const otherInstance = () => ({
    name: 'other-instance',
    async process(batch: Batch): Promise<Batch> {
      if (interfered++ === 0) {
        const rows = [0, 2, 4, 6, 8].map((id) => ({ id, name: `n${id}` }));
        await appendRows(table, rows, null, { appId: 'other-instance', batchId: 0, txns: [{ appId: `engine-${topic}-0`, version: 5 }] });
      }
      return batch;
    },
  });
  const query = await StreamingQuery.start({ ...plan, stages: [...plan.stages, otherInstance] }, { logger: silentLogger });
  await query.awaitTermination();
  assert.equal(interfered, 2, 'the batch went through the stages twice');
  const contents = await readTableWithDuckDB(table, 'id');
  assert.deepEqual(contents.rows.map((r) => Number(r.id)), Array.from({ length: 40 }, (_, i) => i));
  assert.equal(contents.txns.get(`engine-${topic}-0`), 20);
  assert.equal(contents.txns.get(`engine-${topic}-1`), 20);
  assert.equal(query.lastProgress?.sink.numOutputRows, 35);
});
