// The dead-letter queue: every rejected record of a batch, as an envelope row, written to a sink of the
// plan's choice as part of that batch and keyed by its batch id, so that a replayed batch never
// duplicates its entries.
//
//   stages + sink.prepare -> rejected -> envelope rows (DLQ_TABLE_SCHEMA)
//     idempotent sink (jsonl folder, Delta table):  prepare + commit(batch id)   a replay replaces or skips
//     other sink (Kafka):  <checkpoint>/dlq/<type>-<id>.done exists? skip : prepare + commit, then the marker
//   then the main sink's commit, then commits/<id>
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ComponentContext, Sink } from '../../core/component.ts';
import { SinkError, ErrorCodes } from '../../core/errors.ts';
import { exists, writeFileAtomic } from '../../core/fs.ts';
import type { Rejected } from '../../core/record.ts';
import type { DeadLetterPlan } from '../../plan/dead-letter.ts';
import { DLQ_TABLE_SCHEMA, envelopeToRow, toEnvelope } from './envelope.ts';

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

/** The queue over the plan's dead-letter sink. The sink gets its own query id (`<query id>-dlq`), so
 * a Delta table's txn for the queue never mixes with the main sink's. */
export function createDeadLetterQueue(plan: DeadLetterPlan, ctx: ComponentContext): DeadLetterQueue {
  const sink: Sink = plan.def.create(plan.config, { ...ctx, queryId: `${ctx.queryId}-dlq` });
  const idempotent = plan.def.capabilities.idempotentCommit;
  const markers = join(ctx.checkpointDir, 'dlq');
  const marker = (id: number): string => join(markers, `${plan.type}-${String(id).padStart(10, '0')}.done`);
  return {
    description: sink.description,
    open: () => sink.open(),
    async write(batchId, rejected, ms) {
      if (rejected.length === 0) return { written: 0, location: null };
      // A sink that cannot recognise a batch it holds: a marker after its commit stands in. A crash
      // between the two sends the batch's entries again (at-least-once, as the sink itself is).
      if (!idempotent && (await exists(marker(batchId)))) return { written: 0, location: sink.description };
      const timestamp = new Date(ms).toISOString();
      const rows = rejected.map((r) => envelopeToRow(toEnvelope(r, batchId, timestamp)));
      const prepared = await sink.prepare({ batchId, rows, rejected: [], schema: DLQ_TABLE_SCHEMA });
      if (prepared.rejected.length > 0) {
        throw new SinkError(ErrorCodes.SINK_WRITE, `the dead-letter sink ${sink.description} cannot take ${prepared.rejected.length} of batch ${batchId}'s entries: ${prepared.rejected[0]?.message ?? ''}`);
      }
      const r = await sink.commit(prepared, { batchId });
      if (!idempotent) {
        await mkdir(markers, { recursive: true });
        await writeFileAtomic(marker(batchId), `${rows.length}\n`);
      }
      const location = r.details?.location;
      return { written: r.skipped ? 0 : rows.length, location: typeof location === 'string' ? location : sink.description };
    },
    close: () => sink.close(),
  };
}
