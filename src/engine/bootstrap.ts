// Everything a query needs before its first trigger: the plan checked, the checkpoint prepared and
// locked, the source, sink, stages and dead-letter queue created and opened; and their closing.
import { randomUUID } from 'node:crypto';
import { capabilityProblems } from '../plan/capabilities.ts';
import type { PipelinePlan } from '../plan/plan.ts';
import type { ComponentContext, Sink, Source, Stage } from '../core/component.ts';
import { ConfigError, ErrorCodes, SluiceError, errorMessage } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { CheckpointStore } from './checkpoint.ts';
import { createDeadLetterQueue, type DeadLetterQueue } from './dlq/index.ts';

/** The opened parts of one run of a query. */
export interface QueryParts {
  readonly plan: PipelinePlan;
  readonly id: string;
  readonly runId: string;
  readonly cp: CheckpointStore;
  readonly source: Source;
  readonly sink: Sink;
  readonly stages: readonly Stage[];
  readonly dlq: DeadLetterQueue;
  readonly logger: Logger;
  /** Aborted by stop(): cuts idle waits and retry backoffs short, and tells components. */
  readonly stopper: AbortController;
  /** Releases the checkpoint lock. */
  readonly release: () => Promise<void>;
}

/** Checks the plan, takes the checkpoint and opens the components; on failure closes what it opened
 * and releases the lock, so that a failed start leaves nothing behind. */
export async function openQuery(plan: PipelinePlan, baseLogger: Logger): Promise<QueryParts> {
  const logger = baseLogger.child({ pipeline: plan.name });
  // Plans from YAML and the API are checked when built; this covers plans put together by hand.
  const mismatch = capabilityProblems({ source: plan.source, sink: plan.sink, paths: { sourceOption: (k) => `source option ${k}`, outputMode: 'output mode' } });
  mismatch.push(...((await plan.preflight?.()) ?? []));
  if (mismatch.length > 0) throw new ConfigError(mismatch, `pipeline ${plan.name}`);
  const cp = new CheckpointStore(plan.checkpointLocation);
  const existing = await cp.prepare();
  const queryId = existing?.id ?? randomUUID();
  const runId = randomUUID();
  const { release, replaced } = await cp.lock({ queryId, runId });
  if (replaced !== undefined) {
    logger.warn('took over the checkpoint lock left by a process that no longer exists', { pid: replaced.pid, host: replaced.host, since: replaced.since, why: replaced.why });
  }
  const stopper = new AbortController();
  let sinkRef: Sink | undefined;
  // No markers is not an empty answer: a source resuming from it would re-read from its start.
  const sinkVersions = (prefix: string): Promise<ReadonlyMap<string, number>> => {
    if (sinkRef?.committedVersions === undefined) {
      return Promise.reject(new SluiceError(ErrorCodes.CONFIG_INVALID, `source ${plan.source.type} asked sink ${plan.sink.type} for its progress markers, and it keeps none`));
    }
    return sinkRef.committedVersions(prefix);
  };
  const ctx = (stateDir: string, component: string): ComponentContext => ({
    queryId,
    pipelineName: plan.name,
    checkpointDir: cp.dir,
    stateDir,
    logger: logger.child({ component }),
    signal: stopper.signal,
    defaults: plan.processing['max.offsets.per.trigger'] === undefined ? {} : { maxOffsetsPerTrigger: plan.processing['max.offsets.per.trigger'] },
    sinkVersions,
  });
  const opened: { close(): Promise<void> }[] = [];
  try {
    const source = plan.source.def.create(plan.source.config, ctx(cp.sourceDir(0), `source:${plan.source.type}`));
    const sink = plan.sink.def.create(plan.sink.config, ctx(`${cp.dir}/sink`, `sink:${plan.sink.type}`));
    sinkRef = sink;
    const meta = await cp.bind(existing, queryId, { source: source.identity(), sink: sink.identity() });
    await source.open();
    opened.push(source);
    await sink.open();
    opened.push(sink);
    const stages: Stage[] = [];
    for (const make of plan.stages) stages.push(await make(ctx(`${cp.dir}/stages/${stages.length}`, `stage:${stages.length}`)));
    const dlq = createDeadLetterQueue(plan.deadLetter, ctx(`${cp.dir}/dlq`, 'dead-letter'));
    await dlq.open();
    opened.push(dlq);
    return { plan, id: meta.id, runId, cp, source, sink, stages, dlq, logger, stopper, release };
  } catch (err) {
    for (const c of opened.reverse()) await c.close().catch(() => undefined);
    await release();
    throw err;
  }
}

/** Closes every part and releases the lock; a part that fails to close is logged, not thrown, so the
 * others still close. */
export async function closeQuery(parts: QueryParts): Promise<void> {
  const { logger } = parts;
  await parts.source.close().catch((e: unknown) => logger.warn('closing source failed', { error: errorMessage(e) }));
  await parts.sink.close().catch((e: unknown) => logger.warn('closing sink failed', { error: errorMessage(e) }));
  for (const s of parts.stages) await s.close?.().catch(() => undefined);
  await parts.dlq.close().catch((e: unknown) => logger.warn('closing the dead-letter queue failed', { error: errorMessage(e) }));
  await parts.release().catch(() => undefined);
}
