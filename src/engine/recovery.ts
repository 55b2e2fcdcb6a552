// Where a restarted query resumes, from its checkpoint: after the last committed batch, or with the
// batch that was planned (its offsets logged) but never committed, re-run with exactly those offsets.
import { CheckpointError, ErrorCodes } from '../core/errors.ts';
import { stableJson } from './checkpoint.ts';
import type { PlannedBatch } from './batch.ts';
import type { QueryRun } from './run.ts';

/** Sets the run's position from the checkpoint; returns the batch to re-run first, if any. */
export async function recover(run: QueryRun): Promise<PlannedBatch | undefined> {
  const { cp, logger } = run.parts;
  const lastOffsets = await cp.latestBatchId('offsets');
  if (lastOffsets === undefined) return undefined;
  const lastCommit = await cp.latestBatchId('commits');
  const entry = await cp.readOffsets(lastOffsets);
  if (entry === undefined) return undefined;
  const end = entry.offsets[0] ?? null;
  if (lastCommit === lastOffsets) {
    run.committed = end;
    run.nextBatchId = lastOffsets + 1;
    run.watermarkMs = (await cp.readCommit(lastCommit))?.nextBatchWatermarkMs ?? entry.batchWatermarkMs;
    logger.info('resuming after last committed batch', { batchId: lastCommit, offset: stableJson(end) });
    return undefined;
  }
  if (lastCommit !== undefined && lastCommit !== lastOffsets - 1) {
    throw new CheckpointError(ErrorCodes.CHECKPOINT_CORRUPT, `checkpoint ${cp.dir} has offsets up to batch ${lastOffsets} but commits up to ${lastCommit}`);
  }
  const prev = lastOffsets > 0 ? await cp.readOffsets(lastOffsets - 1) : undefined;
  if (lastOffsets > 0 && prev === undefined) {
    throw new CheckpointError(ErrorCodes.CHECKPOINT_CORRUPT, `checkpoint ${cp.dir} lacks offsets/${lastOffsets - 1} needed to re-run batch ${lastOffsets}`);
  }
  run.committed = prev?.offsets[0] ?? null;
  run.nextBatchId = lastOffsets;
  run.watermarkMs = entry.batchWatermarkMs;
  if (end === null) return undefined;
  logger.info('re-running batch planned before the last stop', { batchId: lastOffsets });
  return { batchId: lastOffsets, start: run.committed, end, watermarkMs: entry.batchWatermarkMs, timestampMs: entry.batchTimestampMs, durations: {} };
}
