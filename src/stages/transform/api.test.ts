// The TypeScript API's declarative helpers (filter, withColumn, select, steps) on a real query.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createSession } from '../../api/session.ts';
import { MemorySinkTable, MemoryStream } from '../../connectors/memory/index.ts';
import { ConfigError } from '../../core/errors.ts';
import { parseDdl } from '../../schema/ddl.ts';

const root = mkdtempSync(join(tmpdir(), 'sluice-transform-api-'));
after(() => rmSync(root, { recursive: true, force: true }));

describe('declarative steps in the TypeScript API', () => {
  it('filter, withColumn, select and steps run in order inside a query', async () => {
    const input = new MemoryStream('api-steps-in', parseDdl('id BIGINT, name STRING, amount DOUBLE'));
    input.addData({ id: 1, name: 'ada', amount: 20 }, { id: 2, name: 'bo', amount: 5 }, { id: 3, name: 'cy', amount: 50 });
    const query = await createSession({ name: 'api-steps' })
      .readStream.format('memory')
      .option('name', 'api-steps-in')
      .load()
      .filter('amount > 10')
      .withColumn('gross', 'amount * 2')
      .select('id', 'name', 'gross')
      .steps([{ mask: { columns: ['name'], keep_first: 1 } }])
      .writeStream.format('memory')
      .option('name', 'api-steps-out')
      .option('checkpointLocation', join(root, 'cp'))
      .trigger({ availableNow: true })
      .start();
    await query.awaitTermination();
    assert.deepEqual(MemorySinkTable.named('api-steps-out').rows, [{ id: 1, name: 'a**', gross: 40 }, { id: 3, name: 'c*', gross: 100 }]);
  });

  it('throws a config error with the position where a bad expression is written', () => {
    const stream = createSession().readStream.format('memory').option('name', 'unused').load();
    assert.throws(() => stream.filter('amount >'), (err: unknown) => err instanceof ConfigError && /stage filter0\.steps\[0\]\.filter.*expression "amount >"/s.test(err.message));
    assert.throws(() => stream.steps([{ shuffle: true }]), (err: unknown) => err instanceof ConfigError && /shuffle/.test(err.message));
    assert.throws(() => stream.steps([{ function: { module: 'x.ts' } }]), /function steps are not available here/);
  });
});
