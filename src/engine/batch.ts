// The phases of one micro-batch, as in Spark Structured Streaming:
//
//   latestOffset(start)  -> end          plan within the per-trigger limits (trigger-loop.ts)
//   offsets/<id>         <- (start,end]   write-ahead log, before anything is read (trigger-loop.ts)
//   read(start, end)     -> rows          replayable: same range, same rows
//   stages               -> rows, rejected
//   sink.prepare(batch)  -> prepared     rows in the sink's form; rows it cannot take -> rejected
//   dead-letter queue    <- rejected      keyed by batch id: a replay never duplicates (dlq/index.ts)
//   sink.commit(prepared, id)             idempotent per (query id, batch id); retried, never re-converted
//   commits/<id>                          the batch is done
//   source.commit(end)                    clean up files, ack
//
// A crash anywhere leaves offsets/<id> without commits/<id>; the restart re-runs batch <id> with
// exactly the same offsets (recovery.ts), and the sink skips it if it already holds it.
import type { JsonValue, Offset } from '../core/component.ts';
import { ErrorCodes, SluiceError, errorMessage } from '../core/errors.ts';
import { faultPoint } from '../core/faults.ts';
import type { Batch } from '../core/record.ts';
import { batchProgress, collectQuality } from './progress.ts';
import type { AheadData } from './read-ahead.ts';
import type { QueryRun } from './run.ts';
import { runStagesBounded } from './stage-runner.ts';
import { Status } from './status.ts';
import { eventTimeStats } from './watermark.ts';

/** A batch whose offsets are in the write-ahead log. */
export interface PlannedBatch {
  readonly batchId: number;
  readonly start: Offset | null;
  readonly end: Offset;
  readonly watermarkMs: number;
  readonly timestampMs: number;
  readonly durations: Record<string, number>;
  /** Times the batch was read again because another instance advanced a marker it continues. */
  readonly rereads?: number;
  /** Rows being read ahead while the previous batch was written; taken (deleted) when the batch runs. */
  data?: AheadData;
}

/** How many times a batch is read again after PROGRESS_MOVED before the error stands. */
const MAX_REREADS = 5;

/** Runs a planned batch to its commit and reports its progress. */
export async function runBatch(run: QueryRun, p: PlannedBatch): Promise<void> {
  const started = Date.now();
  const d = p.durations;
  const { plan, sink, source, dlq, cp, logger } = run.parts;
  run.setStatus(Status.processing(p.batchId));
  const { batch, numInputRows, metrics: stageMetrics } = await readAndStage(run, p);
  const quality = collectQuality(stageMetrics);
  const eventTime = eventTimeStats(batch.rows, plan.processing['watermark.column'], p.watermarkMs);
  // Phase one of the sink: the rows in its own form, and the rows it cannot take set aside.
  let t = Date.now();
  const prepared = await run.retry(`sink ${sink.description}: preparing batch ${p.batchId}`, () => sink.prepare(batch));
  d.prepareBatch = Date.now() - t;
  batch.rows = [];
  const rejected = prepared.rejected.length === 0 ? batch.rejected : [...batch.rejected, ...prepared.rejected];
  if (plan.errorHandling.fail_on_rejected && rejected.length > 0) {
    const r = rejected[0];
    throw new SluiceError(ErrorCodes.RECORD_INVALID, `batch ${p.batchId} rejected ${rejected.length} records (fail_on_rejected is on); first: ${r?.message ?? ''}`);
  }
  // A batch the sink already holds wrote its dead letters before its commit: they stay as they are,
  // even if this run read something else (a file that vanished since, say).
  const dead = prepared.skipped === true ? { location: null } : await run.retry(`dead-letter queue ${dlq.description}: writing batch ${p.batchId}`, () => dlq.write(p.batchId, rejected, p.timestampMs));
  t = Date.now();
  const target = { batchId: p.batchId, ...(batch.markers === undefined ? {} : { markers: batch.markers }) };
  const writing = run.retry(`sink ${sink.description}: writing batch ${p.batchId}`, () => sink.commit(prepared, target));
  if (!run.stopRequested) run.readAhead.start(p.end);
  const result = await writing.catch((err: unknown) => {
    // Instances sharing a table (Kafka consumer-group mode): a partition moved to another instance that
    // already wrote part of this range. Reading again skips what the sink holds now.
    if (!(err instanceof SluiceError) || err.code !== ErrorCodes.PROGRESS_MOVED || (p.rereads ?? 0) >= MAX_REREADS) throw err;
    logger.info('a partition of this batch was advanced by another instance; reading the batch again', { batchId: p.batchId, error: err.message });
    return undefined;
  });
  if (result === undefined) return runBatch(run, { ...p, rereads: (p.rereads ?? 0) + 1 });
  d.addBatch = Date.now() - t;
  faultPoint('engine.before-commit');
  t = Date.now();
  const delay = plan.processing['watermark.delay'] ?? 0;
  const nextWatermark = eventTime.maxMs === undefined ? p.watermarkMs : Math.max(p.watermarkMs, eventTime.maxMs - delay);
  await cp.writeCommit({ batchId: p.batchId, nextBatchWatermarkMs: nextWatermark });
  d.commitOffsets = Date.now() - t;
  faultPoint('engine.after-commit');
  run.committed = p.end;
  run.nextBatchId = p.batchId + 1;
  run.watermarkMs = nextWatermark;
  await source.commit(p.end).catch((e: unknown) => logger.warn('source commit failed; the batch itself is committed', { error: errorMessage(e) }));
  await cp.purge(p.batchId);
  d.triggerExecution = Date.now() - (p.durations.latestOffset === undefined ? started : p.timestampMs);
  const sinceLast = run.lastTriggerStart === 0 ? d.triggerExecution : p.timestampMs - run.lastTriggerStart;
  run.lastTriggerStart = p.timestampMs;
  const progress = batchProgress({
    query: { id: run.parts.id, runId: run.parts.runId, name: plan.name },
    batchId: p.batchId, timestampMs: p.timestampMs, sinceLastMs: sinceLast, durations: d, numInputRows,
    source: { description: source.description, start: p.start, end: p.end, metrics: source.metrics?.() ?? {} },
    sink: { description: sink.description, metrics: sink.metrics?.() ?? {}, result },
    eventTime: eventTime.progress, numRejectedRows: rejected.length, rejectedPath: dead.location ?? null, stages: stageMetrics, quality,
  });
  run.report({ progress, schema: batch.schema, rejected });
}

/** Reads the batch (or takes what was read ahead) and runs the stages. A function of its own so that
 * no frame holds the source's rows while the sink writes: V8 keeps a suspended function's locals. */
async function readAndStage(run: QueryRun, p: PlannedBatch): Promise<{ batch: Batch; numInputRows: number; metrics: Record<string, JsonValue> }> {
  const { plan, source, stages, logger } = run.parts;
  const d = p.durations;
  let t = Date.now();
  const ahead = p.data;
  delete p.data;
  // Rows read ahead (possibly still arriving); a failed read-ahead is read again here, with retries.
  const early = ahead === undefined ? undefined : await ahead.catch(() => undefined);
  const data = early?.data ?? (await run.retry(`source ${source.description}: reading batch ${p.batchId}`, () => source.read(p.start, p.end)));
  d.getBatch = early?.getBatchMs ?? Date.now() - t;
  const numInputRows = data.rows.length + data.rejected.length;
  const input: Batch = { batchId: p.batchId, rows: data.rows, rejected: data.rejected, schema: data.schema, ...(data.markers === undefined ? {} : { markers: data.markers }) };
  t = Date.now();
  const staged = await runStagesBounded(stages, input, plan.processing['max.batch.bytes']);
  if (staged.parts > 1) logger.warn('batch above max.batch.bytes processed in parts', { batchId: p.batchId, estimatedBytes: staged.estimatedBytes, parts: staged.parts });
  d.queryPlanning = Date.now() - t;
  return { batch: staged.batch, numInputRows, metrics: staged.metrics };
}
