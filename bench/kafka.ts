// Benchmark: Kafka -> Delta (1M JSON messages, parse + write) beside the raw consume rate of our Kafka
// client (messages parsed, nothing written) and `kcat -C` into /dev/null, all against the same topic on
// librdkafka's mock cluster. The mock keeps only about 5 MiB per partition, so the 1M messages
// (~185 B each) are spread over 64 partitions instead of 12 (12 would hold ~15 MiB each).
//
//   produce 1M -> topic(64) ─┬─ kcat -C -e > /dev/null                    (the ceiling)
//                            ├─ client.fetch + JSON.parse, in-process      (raw consume)
//                            └─ this file --worker: engine kafka -> delta  (own process: own peak RSS)
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { tpKey } from '../src/connectors/kafka/client.ts';
import { createKafkajsClient } from '../src/connectors/kafka/kafkajs-client.ts';
import { silentLogger } from '../src/core/logger.ts';
import { startBroker } from '../test/support/kafka/broker.ts';
import { eventLine } from './data.ts';
import { percentile, type BenchResult } from './report.ts';

export const BENCH_PARTITIONS = 64;

export async function benchKafkaToDelta(messages = 1_000_000, partitions = BENCH_PARTITIONS, perTrigger = 100_000): Promise<BenchResult[]> {
  const broker = await startBroker({ brokers: 3 });
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-kafka-'));
  try {
    const topic = await broker.uniqueTopic('bench', partitions);
    const bytes = await produce(broker.bootstrap, topic, messages, partitions);
    const mb = bytes / 1024 / 1024;

    let t0 = performance.now();
    const kcat = spawnSync('kcat', ['-C', '-b', broker.bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%s\n'], { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 24 });
    if (kcat.status !== 0) throw new Error(`kcat failed: ${kcat.stderr.toString()}`);
    const kcatSeconds = (performance.now() - t0) / 1000;

    t0 = performance.now();
    const consumed = await rawConsume(broker.bootstrap, topic, partitions);
    const rawSeconds = (performance.now() - t0) / 1000;
    if (consumed !== messages) throw new Error(`raw consume read ${consumed} messages, expected ${messages}`);

    const out = await runWorker(broker.bootstrap, topic, dir, perTrigger);
    if (out.rows !== messages) throw new Error(`Kafka -> Delta wrote ${out.rows} rows, expected ${messages}`);
    const rawRate = consumed / rawSeconds;
    return [
      { name: `kcat -C > /dev/null (${partitions} partitions)`, rows: messages, seconds: kcatSeconds, mbPerSecond: mb / kcatSeconds },
      {
        name: 'Kafka raw consume + JSON.parse (our client)',
        rows: consumed,
        seconds: rawSeconds,
        mbPerSecond: mb / rawSeconds,
        relativeTo: { name: 'kcat', ratio: rawRate / (messages / kcatSeconds) },
      },
      {
        name: `Kafka -> Delta (${perTrigger / 1000}k-message batches)`,
        rows: out.rows,
        seconds: out.seconds,
        mbPerSecond: mb / out.seconds,
        peakRssMb: out.peakRssBytes / 1024 / 1024,
        latencyMs: { p50: percentile(out.batchMs, 50), p95: percentile(out.batchMs, 95), p99: percentile(out.batchMs, 99) },
        relativeTo: { name: 'raw consume', ratio: out.rows / out.seconds / rawRate },
      },
    ];
  } finally {
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function produce(bootstrap: string, topic: string, messages: number, partitions: number): Promise<number> {
  const kafka = new Kafka({ brokers: bootstrap.split(','), logLevel: logLevel.NOTHING, clientId: 'sluice-bench-producer' });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  let bytes = 0;
  try {
    const chunk = 20_000;
    for (let i = 0; i < messages; i += chunk) {
      const list = [];
      for (let k = i; k < Math.min(messages, i + chunk); k++) {
        const value = eventLine(k);
        bytes += value.length;
        list.push({ partition: k % partitions, value });
      }
      await producer.send({ topic, messages: list, acks: 1 });
    }
  } finally {
    await producer.disconnect();
  }
  return bytes;
}

async function rawConsume(bootstrap: string, topic: string, partitions: number): Promise<number> {
  const client = createKafkajsClient({
    servers: bootstrap.split(','),
    clientId: 'sluice-bench',
    connectionTimeout: 10_000,
    requestTimeout: 30_000,
    logger: silentLogger,
    role: 'source',
    retries: 3,
    retryIntervalMs: 50,
  });
  await client.connect();
  try {
    const tps = Array.from({ length: partitions }, (_, partition) => ({ topic, partition }));
    const bounds = new Map((await client.bounds(tps)).map((b) => [tpKey(b.topic, b.partition), b]));
    const decoder = new TextDecoder();
    let n = 0;
    await client.fetch(
      tps.map((tp) => ({ ...tp, start: bounds.get(tpKey(tp.topic, tp.partition))?.earliest ?? 0, end: bounds.get(tpKey(tp.topic, tp.partition))?.latest ?? 0 })),
      (m) => {
        if (m.value !== null && JSON.parse(decoder.decode(m.value)) !== null) n++;
      },
    );
    return n;
  } finally {
    await client.close();
  }
}

interface WorkerResult {
  rows: number;
  seconds: number;
  batchMs: number[];
  peakRssBytes: number;
}

function runWorker(bootstrap: string, topic: string, dir: string, perTrigger: number): Promise<WorkerResult> {
  const config = join(dir, 'pipeline.yaml');
  writeFileSync(
    config,
    [
      'streaming:',
      '  name: bench-kafka',
      '  source:',
      '    type: kafka',
      '    config:',
      `      bootstrap.servers: ${bootstrap}`,
      `      topics: ${topic}`,
      '      startingOffsets: earliest',
      '      valueFormat: json',
      `      maxOffsetsPerTrigger: ${perTrigger}`,
      '  sink:',
      '    type: delta',
      '    config:',
      `      path: ${join(dir, 'table')}`,
      `      checkpoint.location: ${join(dir, 'checkpoint')}`,
    ].join('\n') + '\n',
  );
  const self = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, ['--import', 'tsx', self, '--worker', config], { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  return new Promise((resolve, reject) => {
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`Kafka -> Delta worker exited with ${code}`));
      else resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as WorkerResult);
    });
  });
}

/** Worker mode: runs the pipeline file with the engine (availableNow) and prints one JSON result line. */
async function worker(config: string): Promise<void> {
  const { loadPipelineFile } = await import('../src/plan/load.ts');
  const { registry } = await import('../src/builtins/index.ts');
  const { StreamingQuery } = await import('../src/engine/query.ts');
  const plan = loadPipelineFile(config, registry, { trigger: { kind: 'availableNow' } });
  const started = performance.now();
  const query = await StreamingQuery.start(plan, { logger: silentLogger });
  await query.awaitTermination();
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(
    JSON.stringify({
      rows: query.recentProgress.reduce((s, p) => s + p.sink.numOutputRows, 0),
      seconds,
      batchMs: query.recentProgress.map((p) => p.batchDuration),
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
    }) + '\n',
  );
}

if (process.argv[2] === '--worker' && process.argv[3] !== undefined) {
  await worker(process.argv[3]);
}
