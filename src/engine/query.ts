// StreamingQuery, Spark's handle on a running query: read-only views of its state and progress,
// stop() and awaitTermination(), and typed events. The work itself is in bootstrap.ts (opening),
// trigger-loop.ts (the triggers), recovery.ts (restarts) and batch.ts (the phases of one batch).
import { EventEmitter } from 'node:events';
import type { ComponentHealth, Sink, Source } from '../core/component.ts';
import { errorMessage, type SluiceError } from '../core/errors.ts';
import { createLogger, type Logger } from '../core/logger.ts';
import type { StructType } from '../core/schema.ts';
import type { PipelinePlan } from '../plan/plan.ts';
import { openQuery, type QueryParts } from './bootstrap.ts';
import type { StreamingQueryProgress } from './progress.ts';
import { QueryRun, type RunOptions } from './run.ts';
import type { QueryEvents, StreamingQueryStatus } from './status.ts';
import { runQuery } from './trigger-loop.ts';

export interface QueryOptions extends RunOptions {
  readonly logger?: Logger;
}

export class StreamingQuery extends EventEmitter<QueryEvents> {
  readonly #run: QueryRun;
  readonly #done: Promise<void>;

  private constructor(parts: QueryParts, opts: QueryOptions) {
    super();
    this.#run = new QueryRun(parts, opts, this);
    this.#done = runQuery(this.#run);
  }

  /** Opens the checkpoint and the components, then runs the loop in the background. */
  static async start(plan: PipelinePlan, opts: QueryOptions = {}): Promise<StreamingQuery> {
    const parts = await openQuery(plan, opts.logger ?? createLogger());
    return new StreamingQuery(parts, opts);
  }

  /** The query's id, kept in the checkpoint across restarts. */
  get id(): string {
    return this.#run.parts.id;
  }

  /** This run's id, new at each start. */
  get runId(): string {
    return this.#run.parts.runId;
  }

  get name(): string {
    return this.#run.parts.plan.name;
  }

  get status(): StreamingQueryStatus {
    return this.#run.status;
  }

  /** The error that ended the query, if one did. */
  get exception(): SluiceError | undefined {
    return this.#run.exception;
  }

  get isActive(): boolean {
    const s = this.#run.status.state;
    return s !== 'stopped' && s !== 'failed';
  }

  get lastProgress(): StreamingQueryProgress | undefined {
    const p = this.#run.progress;
    return p[p.length - 1];
  }

  /** The progress of the recent batches, oldest first (a copy, as Spark's is). */
  get recentProgress(): readonly StreamingQueryProgress[] {
    return this.#run.progress.slice();
  }

  /** When the loop last started a trigger or finished a batch (epoch ms), for liveness checks. */
  get lastActivityMs(): number {
    return this.#run.lastActivityMs;
  }

  /** The schema of the last batch handed to the sink (null before the first). */
  get lastSchema(): StructType | null {
    return this.#run.lastSchema;
  }

  get sinkDescription(): string {
    return this.#run.parts.sink.description;
  }

  /** The sink's own figures now (e.g. the Delta table version), also after the query stopped. */
  sinkMetrics(): Record<string, string> {
    return this.#run.parts.sink.metrics?.() ?? {};
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
    const [source, sink] = await Promise.all([check(this.#run.parts.source), check(this.#run.parts.sink)]);
    return { source, sink };
  }

  /** Resolves when the query ends; rejects with the error that ended it. */
  async awaitTermination(): Promise<void> {
    await this.#done;
    if (this.#run.exception !== undefined) throw this.#run.exception;
  }

  /** Finishes the batch in flight, then stops. */
  async stop(): Promise<void> {
    this.#run.stopRequested = true;
    this.#run.parts.stopper.abort();
    await this.#done;
  }
}
