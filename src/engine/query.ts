// The micro-batch loop, as in Spark Structured Streaming. One batch:
//
//   latestOffset(start)  -> end          plan within the per-trigger limits
//   offsets/<id>         <- (start,end]   write-ahead log, before anything is read
//   read(start, end)     -> rows          replayable: same range, same rows
//   stages               -> rows, rejected
//   sink.prepare(batch)  -> prepared     rows in the sink's form; rows it cannot take -> rejected
//   dead-letter queue    <- rejected      keyed by batch id: a replay never duplicates (dlq/index.ts)
//   sink.commit(prepared, id)             idempotent per (query id, batch id); retried, never re-converted
//   commits/<id>                          the batch is done
//   source.commit(end)                    clean up files, ack
//
// A crash anywhere leaves offsets/<id> without commits/<id>; the restart re-runs batch <id> with
// exactly the same offsets, and the sink skips it if it already holds it.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { capabilityProblems } from '../plan/capabilities.ts';
import type { PipelinePlan } from '../plan/plan.ts';
import type { ComponentContext, ComponentHealth, JsonValue, Offset, Sink, Source, Stage } from '../core/component.ts';
import { CheckpointError, ConfigError, ErrorCodes, SluiceError, errorMessage } from '../core/errors.ts';
import { faultPoint } from '../core/faults.ts';
import { createLogger, type Logger } from '../core/logger.ts';
import type { Batch, Rejected, SourceData } from '../core/record.ts';
import type { StructType } from '../core/schema.ts';
import { CheckpointStore, stableJson, type CheckpointMetadata } from './checkpoint.ts';
import { batchProgress, collectQuality, type StreamingQueryProgress, type StreamingQueryStatus } from './progress.ts';
import { createDeadLetterQueue, type DeadLetterQueue } from './dlq/index.ts';
import { runStagesBounded } from './stage-runner.ts';
import { sleep, withRetry, type RetryEvent } from './retry.ts';
import { eventTimeStats } from './watermark.ts';

export interface QueryOptions {
  readonly logger?: Logger;
  /** How many recent progress objects to keep (Spark keeps 100). */
  readonly progressRetention?: number;
  /** Idle wait between polls when the trigger interval is 0 and no data came. */
  readonly idlePollMs?: number;
}

/** Rows read ahead, and how long reading them took. */
type AheadData = Promise<{ data: SourceData; getBatchMs: number }>;

interface ReadAhead {
  readonly from: Offset | null;
  /** The next batch's end offset, known before its rows are read, so its write-ahead log entry can be
   * written while they are. Undefined when there is nothing to read. */
  readonly plan: Promise<{ end: Offset; latestOffsetMs: number; data: AheadData } | undefined>;
}

interface PlannedBatch {
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

export interface QueryEvents {
  progress: [StreamingQueryProgress];
  terminated: [SluiceError | undefined];
}

export class StreamingQuery extends EventEmitter<QueryEvents> {
  readonly id: string;
  readonly runId: string;
  readonly name: string;
  readonly recentProgress: StreamingQueryProgress[] = [];
  status: StreamingQueryStatus = { message: 'Initializing', isDataAvailable: false, isTriggerActive: false };
  exception: SluiceError | undefined;
  /** When the loop last started a trigger or finished a batch (for liveness checks). */
  lastActivityMs = Date.now();
  /** Set while a source read or sink write waits to retry; cleared when it succeeds. */
  backoff: { readonly what: string; readonly attempt: number; readonly untilMs: number; readonly error: string } | undefined;
  /** The schema of the last batch handed to the sink. */
  lastSchema: StructType | null = null;
  /** The records the last batch rejected (read by `progress` listeners for per-cause counts). */
  lastRejected: readonly Rejected[] = [];

  private stopRequested = false;
  private committed: Offset | null = null;
  private readAhead: ReadAhead | undefined;
  private nextBatchId = 0;
  private watermarkMs = 0;
  private lastTriggerStart = 0;
  private readonly done: Promise<void>;

  private constructor(
    private readonly plan: PipelinePlan,
    private readonly cp: CheckpointStore,
    meta: CheckpointMetadata,
    private readonly source: Source,
    private readonly sink: Sink,
    private readonly stages: readonly Stage[],
    private readonly release: () => Promise<void>,
    private readonly logger: Logger,
    private readonly opts: QueryOptions,
    private readonly stopper: AbortController,
    private readonly dlq: DeadLetterQueue,
    runId: string,
  ) {
    super();
    this.id = meta.id;
    this.runId = runId;
    this.name = plan.name;
    this.done = this.run();
  }

  /** Opens the checkpoint and the components, then runs the loop in the background. */
  static async start(plan: PipelinePlan, opts: QueryOptions = {}): Promise<StreamingQuery> {
    const logger = (opts.logger ?? createLogger()).child({ pipeline: plan.name });
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
    const signal = stopper.signal;
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
      signal,
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
      return new StreamingQuery(plan, cp, meta, source, sink, stages, release, logger, opts, stopper, dlq, runId);
    } catch (err) {
      for (const c of opened.reverse()) await c.close().catch(() => undefined);
      await release();
      throw err;
    }
  }

  get lastProgress(): StreamingQueryProgress | undefined {
    return this.recentProgress[this.recentProgress.length - 1];
  }

  get sinkDescription(): string {
    return this.sink.description;
  }

  /** The sink's own figures now (e.g. the Delta table version), also after the query stopped. */
  sinkMetrics(): Record<string, string> {
    return this.sink.metrics?.() ?? {};
  }

  /** Source connectivity and sink availability as the components report them (undefined: no check). */
  async componentHealth(): Promise<{ source: ComponentHealth | undefined; sink: ComponentHealth | undefined }> {
    const check = async (c: Source | Sink): Promise<ComponentHealth | undefined> => {
      try {
        return await c.health?.();
      } catch (err) {
        return { healthy: false, detail: errorMessage(err) };
      }
    };
    const [source, sink] = await Promise.all([check(this.source), check(this.sink)]);
    return { source, sink };
  }

  get isActive(): boolean {
    return this.status.message !== 'Stopped' && this.status.message !== 'Failed';
  }

  /** Resolves when the query ends; rejects with the error that ended it. */
  async awaitTermination(): Promise<void> {
    await this.done;
    if (this.exception !== undefined) throw this.exception;
  }

  /** Finishes the batch in flight, then stops. */
  async stop(): Promise<void> {
    this.stopRequested = true;
    this.stopper.abort();
    await this.done;
  }

  private async run(): Promise<void> {
    try {
      await this.recover();
      const trigger = this.plan.trigger;
      if (trigger.kind === 'availableNow' && !this.stopRequested) await this.source.prepareForAvailableNow?.();
      for (let first = true; !this.stopRequested; first = false) {
        if (trigger.kind === 'once' && !first) break;
        const triggerStart = Date.now();
        this.lastActivityMs = triggerStart;
        this.status = { message: 'Getting offsets from ' + this.source.description, isDataAvailable: false, isTriggerActive: true };
        const planned = await this.planNext(triggerStart);
        if (planned !== undefined) {
          await this.runBatch(planned);
        } else {
          this.status = { message: 'Waiting for data to arrive', isDataAvailable: false, isTriggerActive: false };
          if (trigger.kind !== 'processingTime') break;
        }
        if (trigger.kind === 'processingTime') {
          const wait = trigger.intervalMs > 0 ? triggerStart + trigger.intervalMs - Date.now() : planned === undefined ? (this.opts.idlePollMs ?? 100) : 0;
          if (wait > 0) await sleep(wait, this.stopper.signal);
        }
      }
      this.status = { message: 'Stopped', isDataAvailable: false, isTriggerActive: false };
    } catch (err) {
      this.exception = err instanceof SluiceError ? err : new SluiceError(ErrorCodes.INTERNAL, errorMessage(err), { cause: err });
      this.status = { message: 'Failed', isDataAvailable: false, isTriggerActive: false };
      this.logger.error('query failed', { code: this.exception.code, error: this.exception.message });
    } finally {
      await this.source.close().catch((e: unknown) => this.logger.warn('closing source failed', { error: errorMessage(e) }));
      await this.sink.close().catch((e: unknown) => this.logger.warn('closing sink failed', { error: errorMessage(e) }));
      for (const s of this.stages) await s.close?.().catch(() => undefined);
      await this.dlq.close().catch((e: unknown) => this.logger.warn('closing the dead-letter queue failed', { error: errorMessage(e) }));
      await this.release().catch(() => undefined);
      this.emit('terminated', this.exception);
    }
  }

  /** Reads the checkpoint: resumes after the last commit and re-runs a batch that was planned but
   * never committed with exactly its recorded offsets. */
  private async recover(): Promise<void> {
    const lastOffsets = await this.cp.latestBatchId('offsets');
    if (lastOffsets === undefined) return;
    const lastCommit = await this.cp.latestBatchId('commits');
    const entry = await this.cp.readOffsets(lastOffsets);
    if (entry === undefined) return;
    const end = entry.offsets[0] ?? null;
    if (lastCommit === lastOffsets) {
      this.committed = end;
      this.nextBatchId = lastOffsets + 1;
      this.watermarkMs = (await this.cp.readCommit(lastCommit))?.nextBatchWatermarkMs ?? entry.batchWatermarkMs;
      this.logger.info('resuming after last committed batch', { batchId: lastCommit, offset: stableJson(end) });
      return;
    }
    if (lastCommit !== undefined && lastCommit !== lastOffsets - 1) {
      throw new CheckpointError(ErrorCodes.CHECKPOINT_CORRUPT, `checkpoint ${this.cp.dir} has offsets up to batch ${lastOffsets} but commits up to ${lastCommit}`);
    }
    const prev = lastOffsets > 0 ? await this.cp.readOffsets(lastOffsets - 1) : undefined;
    if (lastOffsets > 0 && prev === undefined) {
      throw new CheckpointError(ErrorCodes.CHECKPOINT_CORRUPT, `checkpoint ${this.cp.dir} lacks offsets/${lastOffsets - 1} needed to re-run batch ${lastOffsets}`);
    }
    this.committed = prev?.offsets[0] ?? null;
    this.nextBatchId = lastOffsets;
    this.watermarkMs = entry.batchWatermarkMs;
    if (end === null) return;
    this.logger.info('re-running batch planned before the last stop', { batchId: lastOffsets });
    await this.runBatch({ batchId: lastOffsets, start: this.committed, end, watermarkMs: entry.batchWatermarkMs, timestampMs: entry.batchTimestampMs, durations: {} });
  }

  private async planNext(triggerStart: number): Promise<PlannedBatch | undefined> {
    const durations: Record<string, number> = {};
    let t = Date.now();
    const ahead = await this.takeReadAhead();
    const limit = { respectLimits: this.plan.trigger.kind !== 'once' };
    const end = ahead?.end ?? (await this.retry(`source ${this.source.description}: planning offsets`, () => this.source.latestOffset(this.committed, limit)));
    durations.latestOffset = ahead?.latestOffsetMs ?? Date.now() - t;
    if (end === null || stableJson(end) === stableJson(this.committed)) return undefined;
    t = Date.now();
    const batch = { batchId: this.nextBatchId, start: this.committed, end, watermarkMs: this.watermarkMs, timestampMs: triggerStart, durations, ...(ahead === undefined ? {} : { data: ahead.data }) };
    const written = await this.cp.writeOffsets({ batchId: batch.batchId, batchWatermarkMs: batch.watermarkMs, batchTimestampMs: triggerStart, offsets: [end] });
    if (!written) throw new CheckpointError(ErrorCodes.CHECKPOINT_MISMATCH, `offsets for batch ${batch.batchId} were written by another process in ${this.cp.dir}`);
    durations.walCommit = Date.now() - t;
    faultPoint('engine.after-wal');
    return batch;
  }

  /** While a batch is being written, plans and reads the next one (when the trigger would start it at
   * once and the source allows it), so that reading overlaps with the sink's work. Nothing is recorded:
   * the next batch still writes its offsets to the log before its rows go anywhere. */
  private startReadAhead(from: Offset): void {
    const t = this.plan.trigger;
    const immediate = t.kind === 'availableNow' || (t.kind === 'processingTime' && t.intervalMs === 0);
    if (this.source.readAhead !== true || !immediate || this.stopRequested) return;
    const started = Date.now();
    // A failed read-ahead is simply dropped: the next batch then plans or reads as usual, with retries.
    const dropped = (e: unknown): undefined => {
      this.logger.debug('read-ahead failed; the next batch reads again', { error: errorMessage(e) });
      return undefined;
    };
    const plan = this.source.latestOffset(from, { respectLimits: true }).then((end) => {
      if (end === null || stableJson(end) === stableJson(from)) return undefined;
      const latestOffsetMs = Date.now() - started;
      const readStart = Date.now();
      const data: AheadData = this.source.read(from, end).then((d) => ({ data: d, getBatchMs: Date.now() - readStart }));
      data.catch(dropped);
      return { end, latestOffsetMs, data };
    }).catch(dropped);
    this.readAhead = { from, plan };
  }

  private async takeReadAhead(): Promise<{ end: Offset; latestOffsetMs: number; data: AheadData } | undefined> {
    const ahead = this.readAhead;
    this.readAhead = undefined;
    if (ahead === undefined || stableJson(ahead.from) !== stableJson(this.committed)) return undefined;
    return ahead.plan;
  }

  /** Reads the batch (or takes what was read ahead) and runs the stages. A method of its own so that
   * no frame holds the source's rows while the sink writes: V8 keeps a suspended function's locals. */
  private async readAndStage(p: PlannedBatch): Promise<{ batch: Batch; numInputRows: number; metrics: Record<string, JsonValue> }> {
    const d = p.durations;
    let t = Date.now();
    const ahead = p.data;
    delete p.data;
    // Rows read ahead (possibly still arriving); a failed read-ahead is read again here, with retries.
    const early = ahead === undefined ? undefined : await ahead.catch(() => undefined);
    const data = early?.data ?? (await this.retry(`source ${this.source.description}: reading batch ${p.batchId}`, () => this.source.read(p.start, p.end)));
    d.getBatch = early?.getBatchMs ?? Date.now() - t;
    const numInputRows = data.rows.length + data.rejected.length;
    const input: Batch = { batchId: p.batchId, rows: data.rows, rejected: data.rejected, schema: data.schema, ...(data.markers === undefined ? {} : { markers: data.markers }) };
    t = Date.now();
    const staged = await runStagesBounded(this.stages, input, this.plan.processing['max.batch.bytes']);
    if (staged.parts > 1) this.logger.warn('batch above max.batch.bytes processed in parts', { batchId: p.batchId, estimatedBytes: staged.estimatedBytes, parts: staged.parts });
    d.queryPlanning = Date.now() - t;
    return { batch: staged.batch, numInputRows, metrics: staged.metrics };
  }

  private async runBatch(p: PlannedBatch): Promise<void> {
    const started = Date.now();
    const d = p.durations;
    this.status = { message: 'Processing new data', isDataAvailable: true, isTriggerActive: true };
    const { batch, numInputRows, metrics: stageMetrics } = await this.readAndStage(p);
    const quality = collectQuality(stageMetrics);
    const eventTime = eventTimeStats(batch.rows, this.plan.processing['watermark.column'], p.watermarkMs);
    // Phase one of the sink: the rows in its own form, and the rows it cannot take set aside.
    let t = Date.now();
    const prepared = await this.retry(`sink ${this.sink.description}: preparing batch ${p.batchId}`, () => this.sink.prepare(batch));
    d.prepareBatch = Date.now() - t;
    batch.rows = [];
    const rejected = prepared.rejected.length === 0 ? batch.rejected : [...batch.rejected, ...prepared.rejected];
    if (this.plan.errorHandling.fail_on_rejected && rejected.length > 0) {
      const r = rejected[0];
      throw new SluiceError(ErrorCodes.RECORD_INVALID, `batch ${p.batchId} rejected ${rejected.length} records (fail_on_rejected is on); first: ${r?.message ?? ''}`);
    }
    // A batch the sink already holds wrote its dead letters before its commit: they stay as they are,
    // even if this run read something else (a file that vanished since, say).
    const dead = prepared.skipped === true ? { location: null } : await this.retry(`dead-letter queue ${this.dlq.description}: writing batch ${p.batchId}`, () => this.dlq.write(p.batchId, rejected, p.timestampMs));
    const rejectedPath = dead.location;
    t = Date.now();
    const target = { batchId: p.batchId, ...(batch.markers === undefined ? {} : { markers: batch.markers }) };
    const writing = this.retry(`sink ${this.sink.description}: writing batch ${p.batchId}`, () => this.sink.commit(prepared, target));
    this.startReadAhead(p.end);
    const result = await writing.catch((err: unknown) => {
      // Instances sharing a table (Kafka consumer-group mode): a partition moved to another instance that
      // already wrote part of this range. Reading again skips what the sink holds now.
      if (!(err instanceof SluiceError) || err.code !== ErrorCodes.PROGRESS_MOVED || (p.rereads ?? 0) >= 5) throw err;
      this.logger.info('a partition of this batch was advanced by another instance; reading the batch again', { batchId: p.batchId, error: err.message });
      return undefined;
    });
    if (result === undefined) return this.runBatch({ ...p, rereads: (p.rereads ?? 0) + 1 });
    d.addBatch = Date.now() - t;
    faultPoint('engine.before-commit');
    t = Date.now();
    const delay = this.plan.processing['watermark.delay'] ?? 0;
    const nextWatermark = eventTime.maxMs === undefined ? p.watermarkMs : Math.max(p.watermarkMs, eventTime.maxMs - delay);
    await this.cp.writeCommit({ batchId: p.batchId, nextBatchWatermarkMs: nextWatermark });
    d.commitOffsets = Date.now() - t;
    faultPoint('engine.after-commit');
    this.committed = p.end;
    this.nextBatchId = p.batchId + 1;
    this.watermarkMs = nextWatermark;
    await this.source.commit(p.end).catch((e: unknown) => this.logger.warn('source commit failed; the batch itself is committed', { error: errorMessage(e) }));
    await this.cp.purge(p.batchId);
    d.triggerExecution = Date.now() - (p.durations.latestOffset === undefined ? started : p.timestampMs);
    const sinceLast = this.lastTriggerStart === 0 ? d.triggerExecution : p.timestampMs - this.lastTriggerStart;
    this.lastTriggerStart = p.timestampMs;
    const progress = batchProgress({
      query: { id: this.id, runId: this.runId, name: this.name },
      batchId: p.batchId, timestampMs: p.timestampMs, sinceLastMs: sinceLast, durations: d, numInputRows,
      source: { description: this.source.description, start: p.start, end: p.end, metrics: this.source.metrics?.() ?? {} },
      sink: { description: this.sink.description, metrics: this.sink.metrics?.() ?? {}, result },
      eventTime: eventTime.progress, numRejectedRows: rejected.length, rejectedPath: rejectedPath ?? null, stages: stageMetrics, quality,
    });
    this.lastSchema = batch.schema;
    this.lastRejected = rejected;
    this.lastActivityMs = Date.now();
    this.recentProgress.push(progress);
    if (this.recentProgress.length > (this.opts.progressRetention ?? 100)) this.recentProgress.shift();
    this.emit('progress', progress);
  }

  private retry<T>(what: string, fn: () => Promise<T>): Promise<T> {
    const onRetry = (e: RetryEvent): void => {
      this.backoff = { what, attempt: e.attempt, untilMs: Date.now() + e.delayMs, error: errorMessage(e.error) };
    };
    return withRetry(what, this.plan.errorHandling.retry, fn, { logger: this.logger, signal: this.stopper.signal, onRetry }).finally(() => (this.backoff = undefined));
  }
}
