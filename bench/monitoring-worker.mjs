// Runs file -> Delta from the built package (as users run it) with monitoring off or on; with it on,
// prints the server's address for the parent to scrape. Prints one JSON result line.
import { createSession, createLogger, monitorQuery } from '../dist/index.js';
import { EVENT_SCHEMA } from './data-schema.mjs';

const [mode, landing, table, checkpoint, filesPerTrigger] = process.argv.slice(2);
if (landing === undefined || table === undefined || checkpoint === undefined) throw new Error('usage: worker <off|on> <landing> <table> <checkpoint> <filesPerTrigger>');
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
const monitoring = mode === 'on' ? await monitorQuery(query, { http: { port: 0 } }, { logger, diskPaths: [checkpoint, table] }) : undefined;
if (monitoring?.server !== undefined) process.stdout.write(`url ${monitoring.server.url}\n`);
await query.awaitTermination();
const seconds = (performance.now() - started) / 1000;
await monitoring?.close();
const rows = query.recentProgress.reduce((s, p) => s + p.sink.numOutputRows, 0);
process.stdout.write(JSON.stringify({ rows, seconds, batchMs: query.recentProgress.map((p) => p.batchDuration), peakRssBytes: process.resourceUsage().maxRSS * 1024 }) + '\n');
