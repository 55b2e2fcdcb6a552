// The dead-letter queue: every rejected record of a batch, written as part of that batch, keyed by the
// batch id so that a replayed batch replaces or skips its entries instead of duplicating them.
//
//   stages -> batch.rejected -> envelopes(batchId, timestamp)
//     folder: <dir>/batch-<id>.jsonl        atomic rename, replaced whole on a replay
//     delta:  appendRows(txn appId <queryId>-dlq, version = batchId)   skipped when the table holds it
//     kafka:  produce, then <checkpoint>/dlq/kafka-<id>.done            skipped when the marker exists
//   then sink.commit, then commits/<id>
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { appendRows } from '../../connectors/delta/table.ts';
import { KafkaSink } from '../../connectors/kafka/sink.ts';
import { kafkaSinkSchema } from '../../connectors/kafka/sink-config.ts';
import { writeBatch, type ComponentContext } from '../../core/component.ts';
import { exists, writeFileAtomic } from '../../core/fs.ts';
import type { Rejected } from '../../core/record.ts';
import { RejectedLog } from '../rejected.ts';
import type { DeadLetterConfig } from './config.ts';
import { DLQ_TABLE_SCHEMA, envelopeToRow, toEnvelope, type DlqEnvelope } from './envelope.ts';

export { DeadLetterSchema, type DeadLetterConfig } from './config.ts';
export { DLQ_TABLE_SCHEMA, envelopeToRow, toEnvelope, type DlqEnvelope } from './envelope.ts';

export interface DlqWriteResult {
  /** Entries written (0 when the target already held the batch). */
  readonly written: number;
  /** Where they are: a file, a table or a topic. */
  readonly location: string | null;
}

export interface DeadLetterQueue {
  readonly description: string;
  open(): Promise<void>;
  /** Writes the batch's rejected records; idempotent per batch id. */
  write(batchId: number, rejected: readonly Rejected[], batchTimestampMs: number): Promise<DlqWriteResult>;
  close(): Promise<void>;
}

export function createDeadLetterQueue(config: DeadLetterConfig, ctx: ComponentContext): DeadLetterQueue {
  switch (config.type) {
    case 'folder':
      return folderQueue(config.path, ctx.checkpointDir);
    case 'delta':
      return deltaQueue(config.path ?? join(ctx.checkpointDir, 'dlq-table'), ctx);
    case 'kafka':
      return kafkaQueue(config.kafka ?? {}, ctx);
  }
}

function envelopes(batchId: number, rejected: readonly Rejected[], ms: number): DlqEnvelope[] {
  const ts = new Date(ms).toISOString();
  return rejected.map((r) => toEnvelope(r, batchId, ts));
}

function folderQueue(path: string | undefined, checkpointDir: string): DeadLetterQueue {
  const log = new RejectedLog(checkpointDir, path);
  return {
    description: `folder ${log.dir}`,
    open: () => Promise.resolve(),
    async write(batchId, rejected, ms) {
      const file = await log.write(batchId, rejected, ms);
      return { written: file === undefined ? 0 : rejected.length, location: file ?? null };
    },
    close: () => Promise.resolve(),
  };
}

function deltaQueue(tablePath: string, ctx: ComponentContext): DeadLetterQueue {
  const cache = { snapshot: null };
  const appId = `${ctx.queryId}-dlq`;
  return {
    description: `Delta table ${tablePath}`,
    open: () => Promise.resolve(),
    async write(batchId, rejected, ms) {
      if (rejected.length === 0) return { written: 0, location: null };
      const rows = envelopes(batchId, rejected, ms).map(envelopeToRow);
      // mergeSchema: a DLQ table made before a column of the envelope existed gains it.
      const r = await appendRows(tablePath, rows, DLQ_TABLE_SCHEMA, { appId, batchId, queryId: ctx.queryId, logger: ctx.logger, cache, mergeSchema: true });
      return { written: r.skipped ? 0 : rows.length, location: tablePath };
    },
    close: () => Promise.resolve(),
  };
}

function kafkaQueue(options: Record<string, unknown>, ctx: ComponentContext): DeadLetterQueue {
  const config = kafkaSinkSchema.parse(options);
  const sink = new KafkaSink({ ...config, valueColumn: 'value', keyColumn: 'key' }, ctx);
  const markers = join(ctx.checkpointDir, 'dlq');
  const marker = (id: number): string => join(markers, `kafka-${String(id).padStart(10, '0')}.done`);
  return {
    description: `Kafka topic ${config.topic ?? '?'}`,
    open: () => sink.open(),
    async write(batchId, rejected, ms) {
      if (rejected.length === 0) return { written: 0, location: null };
      // A crash between the produce and the marker re-sends the batch's entries (at-least-once there).
      if (await exists(marker(batchId))) return { written: 0, location: config.topic ?? null };
      const rows = envelopes(batchId, rejected, ms).map((e) => ({ key: `${ctx.queryId}-${batchId}`, value: JSON.stringify(e) }));
      await writeBatch(sink, { batchId, rows, rejected: [], schema: null });
      await mkdir(markers, { recursive: true });
      await writeFileAtomic(marker(batchId), `${rows.length}\n`);
      return { written: rows.length, location: config.topic ?? null };
    },
    close: () => sink.close(),
  };
}
