// The quick start through the TypeScript API: landing JSON files -> a transform -> a Delta table.
//   npx tsx examples/api.ts
import { createSession } from '../src/index.ts';

const out = process.env.SLUICE_OUTPUT ?? 'examples/output';
const session = createSession({ name: 'api-example' });

const events = session.readStream
  .format('file')
  .option('format', 'json')
  .option('pattern', '*.jsonl')
  .option('maxFilesPerTrigger', 2)
  .schema('event_id STRING NOT NULL, ts TIMESTAMP, user_id BIGINT, kind STRING, amount DOUBLE, country STRING')
  .load('examples/data/landing');

const query = await events
  .transform((batch) => batch.rows.filter((r) => r.kind === 'purchase'), 'purchases_only')
  .writeStream.format('delta')
  .outputMode('append')
  .option('checkpointLocation', `${out}/checkpoints/purchases`)
  .trigger({ availableNow: true })
  .start(`${out}/purchases`);

query.on('progress', (p) => console.log(`batch ${p.batchId}: ${p.numInputRows} rows in, ${p.sink.numOutputRows} purchases written`));
await query.awaitTermination();
console.log(`table ${out}/purchases at version ${query.sinkMetrics().tableVersion ?? '?'}`);
