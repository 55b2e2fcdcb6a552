// The life of a run: recovery, then one trigger after another (planning each batch and logging its
// offsets before it runs), the waits between triggers, and closing everything when it ends.
import { CheckpointError, ErrorCodes } from '../core/errors.ts';
import { faultPoint } from '../core/faults.ts';
import { closeQuery } from './bootstrap.ts';
import { runBatch, type PlannedBatch } from './batch.ts';
import { stableJson } from './checkpoint.ts';
import { recover } from './recovery.ts';
import { sleep } from './retry.ts';
import type { QueryRun } from './run.ts';
import { Status } from './status.ts';

/** Runs the query until its trigger is done, it is stopped or it fails; never rejects. */
export async function runQuery(run: QueryRun): Promise<void> {
  try {
    const replay = await recover(run);
    if (replay !== undefined) await runBatch(run, replay);
    await triggerLoop(run);
    run.setStatus(Status.stopped());
  } catch (err) {
    run.fail(err);
  } finally {
    await closeQuery(run.parts);
    run.terminated();
  }
}

async function triggerLoop(run: QueryRun): Promise<void> {
  const { plan, source, stopper } = run.parts;
  const trigger = plan.trigger;
  if (trigger.kind === 'availableNow' && !run.stopRequested) await source.prepareForAvailableNow?.();
  for (let first = true; !run.stopRequested; first = false) {
    if (trigger.kind === 'once' && !first) break;
    const triggerStart = Date.now();
    run.lastActivityMs = triggerStart;
    run.setStatus(Status.planning(source.description));
    const planned = await planNext(run, triggerStart);
    if (planned !== undefined) {
      await runBatch(run, planned);
    } else {
      run.setStatus(Status.noData());
      if (trigger.kind !== 'processingTime') break;
    }
    if (trigger.kind === 'processingTime') {
      const wait = trigger.intervalMs > 0 ? triggerStart + trigger.intervalMs - Date.now() : planned === undefined ? (run.opts.idlePollMs ?? 100) : 0;
      if (wait > 0) {
        if (planned !== undefined) run.setStatus(Status.nextTrigger());
        await sleep(wait, stopper.signal);
      }
    }
  }
}

/** Plans the next batch from the committed offset (or takes the plan read ahead) and writes its
 * offsets to the log; undefined when there is nothing new. */
async function planNext(run: QueryRun, triggerStart: number): Promise<PlannedBatch | undefined> {
  const { plan, source, cp } = run.parts;
  const durations: Record<string, number> = {};
  let t = Date.now();
  const ahead = await run.readAhead.take(run.committed);
  const limit = { respectLimits: plan.trigger.kind !== 'once' };
  const end = ahead?.end ?? (await run.retry(`source ${source.description}: planning offsets`, () => source.latestOffset(run.committed, limit)));
  durations.latestOffset = ahead?.latestOffsetMs ?? Date.now() - t;
  if (end === null || stableJson(end) === stableJson(run.committed)) return undefined;
  t = Date.now();
  const batch: PlannedBatch = { batchId: run.nextBatchId, start: run.committed, end, watermarkMs: run.watermarkMs, timestampMs: triggerStart, durations, ...(ahead === undefined ? {} : { data: ahead.data }) };
  const written = await cp.writeOffsets({ batchId: batch.batchId, batchWatermarkMs: batch.watermarkMs, batchTimestampMs: triggerStart, offsets: [end] });
  if (!written) throw new CheckpointError(ErrorCodes.CHECKPOINT_MISMATCH, `offsets for batch ${batch.batchId} were written by another process in ${cp.dir}`);
  durations.walCommit = Date.now() - t;
  faultPoint('engine.after-wal');
  return batch;
}
