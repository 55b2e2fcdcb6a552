// Every sink passes the same contract: Delta (read back with DuckDB), memory, console and Kafka (read back with kcat).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'node:test';
import { consoleConfig, createConsoleSink } from '../../src/connectors/console/index.ts';
import { deltaSink } from '../../src/connectors/delta/sink.ts';
import { kafkaSink } from '../../src/connectors/kafka/sink.ts';
import { memorySink, MemorySinkTable } from '../../src/connectors/memory/index.ts';
import { kcatConsume, startBroker } from '../support/kafka/broker.ts';
import { readTableWithDuckDB } from '../support/table-check.ts';
import { sinkConformance } from './harness.ts';

describe('sink conformance: delta', () => {
  sinkConformance(() => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-conf-delta-'));
    const config = deltaSink.config.parse({ path: join(dir, 'table') });
    return Promise.resolve({
      name: 'delta',
      create: (ctx) => deltaSink.create(config, ctx),
      readBack: async () => (await readTableWithDuckDB(join(dir, 'table'))).rows.map((r) => Number(r.id)),
      idempotent: true,
      close: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
    });
  });
});

describe('sink conformance: memory', () => {
  sinkConformance(() => {
    const name = `conformance-sink-${process.pid}`;
    const config = memorySink.config.parse({ name });
    return Promise.resolve({
      name: 'memory',
      create: (ctx) => memorySink.create(config, ctx),
      readBack: () => Promise.resolve(MemorySinkTable.named(name).rows.map((r) => Number(r.id))),
      idempotent: true,
    });
  });
});

describe('sink conformance: console', () => {
  sinkConformance(() => {
    let printed = '';
    const config = consoleConfig.parse({});
    return Promise.resolve({
      name: 'console',
      create: () => createConsoleSink(config, { write: (s: string) => void (printed += s) }),
      readBack: () => Promise.resolve([...printed.matchAll(/^\|\s*(\d+)\|/gm)].map((m) => Number(m[1]))),
      idempotent: false,
    });
  });
});

describe('sink conformance: kafka', () => {
  sinkConformance(async () => {
    const broker = await startBroker();
    const topic = await broker.uniqueTopic('conformance-sink', 2);
    const config = kafkaSink.config.parse({ 'kafka.bootstrap.servers': broker.bootstrap, topic });
    return {
      name: 'kafka',
      create: (ctx) => kafkaSink.create(config, ctx),
      readBack: () => Promise.resolve(kcatConsume(broker.bootstrap, topic, '%s\\n').map((v) => Number((JSON.parse(v) as { id: unknown }).id))),
      idempotent: false,
      close: () => broker.stop(),
    };
  });
});
