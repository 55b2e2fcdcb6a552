// The sink fixtures of the conformance suite, one per registered sink type (checked by registry.test.ts).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { consoleConfig, createConsoleSink } from '../../src/connectors/console/index.ts';
import { deltaSink } from '../../src/connectors/delta/sink.ts';
import { jsonlSink } from '../../src/connectors/jsonl/index.ts';
import { kafkaSink } from '../../src/connectors/kafka/sink.ts';
import { memorySink, MemorySinkTable } from '../../src/connectors/memory/index.ts';
import { kcatConsume, startBroker } from '../support/kafka/broker.ts';
import { readTableWithDuckDB } from '../support/table-check.ts';
import type { SinkFixture } from './harness.ts';

export const sinkFixtures: Readonly<Record<string, () => Promise<SinkFixture>>> = {
  delta: () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-conf-delta-'));
    const config = deltaSink.config.parse({ path: join(dir, 'table') });
    return Promise.resolve({
      name: 'delta',
      create: (ctx) => deltaSink.create(config, ctx),
      readBack: async () => (await readTableWithDuckDB(join(dir, 'table'))).rows.map((r) => Number(r.id)),
      idempotent: true,
      close: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
    });
  },
  memory: () => {
    const name = `conformance-sink-${process.pid}`;
    const config = memorySink.config.parse({ name });
    return Promise.resolve({
      name: 'memory',
      create: (ctx) => memorySink.create(config, ctx),
      readBack: () => Promise.resolve(MemorySinkTable.named(name).rows.map((r) => Number(r.id))),
      idempotent: true,
    });
  },
  jsonl: () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-conf-jsonl-'));
    const config = jsonlSink.config.parse({ path: dir });
    const readBack = (): number[] => readdirSync(dir).filter((n) => n.endsWith('.jsonl')).flatMap((n) =>
      readFileSync(join(dir, n), 'utf8').split('\n').filter((l) => l !== '').map((l) => Number((JSON.parse(l) as { id: unknown }).id)));
    return Promise.resolve({
      name: 'jsonl',
      create: (ctx) => jsonlSink.create(config, ctx),
      readBack: () => Promise.resolve(readBack()),
      idempotent: true,
      replaces: true,
      close: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
    });
  },
  console: () => {
    let printed = '';
    const config = consoleConfig.parse({});
    return Promise.resolve({
      name: 'console',
      create: () => createConsoleSink(config, { write: (s: string) => void (printed += s) }),
      readBack: () => Promise.resolve([...printed.matchAll(/^\|\s*(\d+)\|/gm)].map((m) => Number(m[1]))),
      idempotent: false,
    });
  },
  kafka: async () => {
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
  },
};
