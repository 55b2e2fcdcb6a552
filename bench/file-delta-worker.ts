// Runs file -> Delta in its own process so that its peak RSS is its own; prints one JSON result line.
import { createSession } from '../src/index.ts';
import { silentLogger } from '../src/core/logger.ts';
import { EVENT_SCHEMA } from './data.ts';

const [landing, table, checkpoint, filesPerTrigger] = process.argv.slice(2);
if (landing === undefined || table === undefined || checkpoint === undefined) throw new Error('usage: worker <landing> <table> <checkpoint> <filesPerTrigger>');

const started = performance.now();
const query = await createSession({ logger: silentLogger })
  .readStream.format('file')
  .option('format', 'json')
  .option('maxFilesPerTrigger', Number(filesPerTrigger ?? '10'))
  .schema(EVENT_SCHEMA)
  .load(landing)
  .writeStream.format('delta')
  .option('checkpointLocation', checkpoint)
  .trigger({ availableNow: true })
  .start(table);
await query.awaitTermination();
const seconds = (performance.now() - started) / 1000;
const rows = query.recentProgress.reduce((s, p) => s + p.sink.numOutputRows, 0);
process.stdout.write(
  JSON.stringify({
    rows,
    seconds,
    batchMs: query.recentProgress.map((p) => p.batchDuration),
    phasesMs: query.recentProgress.reduce<Record<string, number>>((acc, p) => {
      for (const [k, v] of Object.entries(p.durationMs)) acc[k] = (acc[k] ?? 0) + v;
      return acc;
    }, {}),
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  }) + '\n',
);
