// Tests of the capability check between source and sink: YAML, the TypeScript API and hand-built
// plans refuse a consumer-group source with a sink that keeps no progress markers, naming both.
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { z } from 'zod';
import { createSession } from '../api/session.ts';
import { registry } from '../builtins/index.ts';
import { MemorySinkTable, MemoryStream } from '../connectors/memory/index.ts';
import { defineSource, type Source } from '../core/component.ts';
import { ConfigError, ErrorCodes, SluiceError } from '../core/errors.ts';
import { silentLogger } from '../core/logger.ts';
import { StreamingQuery } from '../engine/query.ts';
import { parsePipelineText } from './load.ts';
import type { ComponentRegistry } from './plan.ts';

const root = mkdtempSync(join(tmpdir(), 'sluice-capabilities-'));
after(() => rmSync(root, { recursive: true, force: true }));

function pipeline(groupKey: string | null, sink: string): string {
  return [
    'streaming:',
    '  source:',
    '    type: kafka',
    '    config:',
    '      bootstrap.servers: localhost:9092',
    '      topics: orders',
    ...(groupKey === null ? [] : [`      ${groupKey}: orders-ingest`]),
    '  sink:',
    `    type: ${sink}`,
    '    config:',
    ...(sink === 'delta' ? [`      path: ${join(root, 'table')}`] : sink === 'kafka' ? ['      bootstrap.servers: localhost:9092', '      topic: out'] : sink === 'memory' ? ['      name: out'] : ['      numRows: 5']),
    `      checkpoint.location: ${join(root, 'cp')}`,
  ].join('\n');
}

function problemsOf(text: string): ConfigError {
  try {
    parsePipelineText(text, registry, {});
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  assert.fail('expected a config error');
}

describe('the capability check between source and sink', () => {
  it('refuses a consumer-group Kafka source with a Kafka sink, naming both components, the key and the sinks that would do', () => {
    const e = problemsOf(pipeline('group.id', 'kafka'));
    assert.equal(e.problems.length, 1, e.message);
    assert.match(e.problems[0]?.path ?? '', /^streaming\.source\.config\.group\.id \(line 7\)$/);
    assert.match(
      e.message,
      /source kafka \(consumer-group mode, `group\.id` set\) needs a sink that keeps per-partition progress markers atomically with its rows; sink kafka does not \(sinks that do: delta\)/,
    );
  });

  it('names the alias consumer.group when that is the key the file uses', () => {
    const e = problemsOf(pipeline('consumer.group', 'memory'));
    assert.match(e.problems[0]?.path ?? '', /^streaming\.source\.config\.consumer\.group \(line 7\)$/);
    assert.match(e.message, /`consumer\.group` set\) needs .*; sink memory does not/);
  });

  it('refuses the console sink in consumer-group mode too', () => {
    assert.match(problemsOf(pipeline('group.id', 'console')).message, /sink console does not/);
  });

  it('accepts consumer-group mode with the Delta sink, and any sink without a group', () => {
    const plan = parsePipelineText(pipeline('group.id', 'delta'), registry, {});
    assert.equal(plan.sink.type, 'delta');
    assert.equal(parsePipelineText(pipeline(null, 'kafka'), registry, {}).sink.type, 'kafka');
  });

  it('refuses the same mismatch from the TypeScript API, at the source option', () => {
    const writer = createSession().readStream.format('kafka').option('bootstrap.servers', 'localhost:9092').option('subscribe', 'orders').option('group.id', 'g').load().writeStream.format('console');
    assert.throws(
      () => writer.plan(),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.deepEqual(e.problems.map((p) => p.path), ['readStream.option("group.id")']);
        assert.match(e.message, /source kafka \(consumer-group mode, `group\.id` set\) needs .*; sink console does not \(sinks that do: delta\)/);
        return true;
      },
    );
  });

  it('refuses an output mode the sink does not support', () => {
    new MemoryStream('capabilities-mode');
    const writer = createSession().readStream.format('memory').option('name', 'capabilities-mode').load().writeStream.format('memory').option('name', 'x').outputMode('complete');
    assert.throws(() => writer.plan(join(root, 'cp-mode')), /writeStream\.outputMode: sink memory does not support output mode complete; expected "append"; found "complete"/);
  });

  it('refuses a hand-built plan with a mismatch before the checkpoint is touched', async () => {
    const plan = parsePipelineText(pipeline('group.id', 'delta'), registry, {});
    const memory = registry.sinks.get('memory');
    assert.ok(memory !== undefined);
    const checkpoint = join(root, 'cp-by-hand');
    await assert.rejects(
      StreamingQuery.start({ ...plan, sink: { type: 'memory', def: memory, config: { name: 'by-hand' } }, checkpointLocation: checkpoint }, { logger: silentLogger }),
      (e: unknown) => e instanceof ConfigError && /sink memory does not/.test(e.message),
    );
    assert.equal(existsSync(checkpoint), false);
  });

  it('fails a source that asks a sink without markers for them, instead of answering "none"', async () => {
    // A source that does not declare the need, as a third-party source might forget to.
    const asking = defineSource({
      type: 'asking',
      summary: 'test source',
      config: z.object({}).strict(),
      create(_cfg, ctx): Source {
        return {
          description: 'Asking',
          identity: () => ({ type: 'asking' }),
          open: () => Promise.resolve(),
          latestOffset: async () => (await ctx.sinkVersions('g-')).size,
          read: () => Promise.resolve({ rows: [], rejected: [], schema: null }),
          commit: () => Promise.resolve(),
          close: () => Promise.resolve(),
        };
      },
    });
    const reg: ComponentRegistry = { ...registry, sources: new Map([['asking', asking as never]]) };
    const query = await createSession({ registry: reg, logger: silentLogger }).readStream.format('asking').load().writeStream.format('memory').option('name', 'asked').option('checkpointLocation', join(root, 'cp-asking')).trigger({ once: true }).start();
    await assert.rejects(query.awaitTermination(), (e: unknown) => e instanceof SluiceError && e.code === ErrorCodes.CONFIG_INVALID && /asked sink memory for its progress markers, and it keeps none/.test(e.message));
    assert.equal(MemorySinkTable.named('asked').batches.size, 0);
  });
});
