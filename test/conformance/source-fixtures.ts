// The source fixtures of the conformance suite, one per registered source type (checked by registry.test.ts).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileSource } from '../../src/connectors/files/index.ts';
import { kafkaSource } from '../../src/connectors/kafka/source.ts';
import { memorySource, MemoryStream } from '../../src/connectors/memory/index.ts';
import { createRateSource, rateConfig } from '../../src/connectors/rate/index.ts';
import type { Row } from '../../src/core/record.ts';
import { jsonMessages, produceMessages } from '../support/kafka/produce.ts';
import { startBroker } from '../support/kafka/broker.ts';
import type { SourceFixture } from './harness.ts';

const num = (v: unknown): number => Number(v);

export const sourceFixtures: Readonly<Record<string, () => Promise<SourceFixture>>> = {
  file: () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-conf-file-'));
    let next = 0;
    const config = fileSource.config.parse({ path: dir, format: 'json', maxFilesPerTrigger: 2, schema: 'id BIGINT NOT NULL, name STRING' });
    const fx: SourceFixture = {
      name: 'file',
      create: (ctx) => fileSource.create(config, ctx),
      addData: (n) => {
        // One record per file, so that the file limit is a record limit.
        for (let i = 0; i < n; i++, next++) writeFileSync(join(dir, `r-${String(next).padStart(6, '0')}.json`), JSON.stringify({ id: next, name: `n${next}` }) + '\n');
        return Promise.resolve();
      },
      limit: 2,
      idOf: (r: Row) => num(r.id),
      close: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
    };
    return Promise.resolve(fx);
  },
  rate: () => {
    let now = 1_800_000_000_000;
    const config = rateConfig.parse({ rowsPerSecond: 1 });
    return Promise.resolve({
      name: 'rate',
      create: (ctx) => createRateSource(config, ctx, () => now),
      addData: (n: number) => {
        now += n * 1000;
        return Promise.resolve();
      },
      idOf: (r: Row) => num(r.value),
    });
  },
  memory: () => {
    const name = `conformance-${process.pid}`;
    const stream = new MemoryStream(name);
    let next = 0;
    const config = memorySource.config.parse({ name, maxRowsPerTrigger: 3 });
    return Promise.resolve({
      name: 'memory',
      create: (ctx) => memorySource.create(config, ctx),
      addData: (n: number) => {
        for (let i = 0; i < n; i++, next++) stream.addData({ id: next });
        return Promise.resolve();
      },
      limit: 3,
      idOf: (r: Row) => num(r.id),
    });
  },
  kafka: async () => {
    const broker = await startBroker();
    const topic = await broker.uniqueTopic('conformance', 3);
    let next = 0;
    const config = kafkaSource.config.parse({ 'kafka.bootstrap.servers': broker.bootstrap, subscribe: topic, startingOffsets: 'earliest', valueFormat: 'json', maxOffsetsPerTrigger: 3 });
    return {
      name: 'kafka',
      create: (ctx) => kafkaSource.create(config, ctx),
      addData: async (n: number) => {
        await produceMessages(broker.bootstrap, topic, jsonMessages(n, 3, next));
        next += n;
      },
      limit: 3,
      idOf: (r: Row) => num(r.id),
      close: () => broker.stop(),
    };
  },
};
