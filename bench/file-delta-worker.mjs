// Runs file -> Delta from the built package (dist/, as users run it) in its own process, so that its
// peak RSS is its own; prints one JSON result line. With `monitor` = on, the monitoring server runs
// too and its address is printed first, for the parent to scrape.
import { createSession, createLogger, monitorQuery } from '../dist/index.js';
import { EVENT_SCHEMA } from './data-schema.mjs';

const [landing, table, checkpoint, filesPerTrigger, monitor = 'off'] = process.argv.slice(2);
if (landing === undefined || table === undefined || checkpoint === undefined) throw new Error('usage: worker <landing> <table> <checkpoint> <filesPerTrigger> [off|on]');

const logger = createLogger({ level: 'error' });
const started = performance.now();
const query = await createSession({ logger })
  .readStream.format('file')
  .option('format', 'json')
  .option('maxFilesPerTrigger', Number(filesPerTrigger ?? '10'))
  .schema(EVENT_SCHEMA)
  .load(landing)
  .writeStream.format('delta')
  .option('checkpointLocation', checkpoint)
  .trigger({ availableNow: true })
  .start(table);
const monitoring = monitor === 'on' ? await monitorQuery(query, { http: { port: 0 } }, { logger, diskPaths: [checkpoint, table] }) : undefined;
if (monitoring?.server !== undefined) process.stdout.write(`url ${monitoring.server.url}\n`);
await query.awaitTermination();
const seconds = (performance.now() - started) / 1000;
await monitoring?.close();
const phasesMs = {};
for (const p of query.recentProgress) for (const [k, v] of Object.entries(p.durationMs)) phasesMs[k] = (phasesMs[k] ?? 0) + v;
process.stdout.write(
  JSON.stringify({
    rows: query.recentProgress.reduce((s, p) => s + p.sink.numOutputRows, 0),
    seconds,
    batchMs: query.recentProgress.map((p) => p.batchDuration),
    phasesMs,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  }) + '\n',
);
