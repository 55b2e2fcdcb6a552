// The small plugin interfaces every source, sink and stage implements, and their typed definitions.
import type { z } from 'zod';
import type { ConfigProblem } from './errors.ts';
import type { Logger } from './logger.ts';
import type { Batch, Rejected, ProgressMarker, SourceData } from './record.ts';
import type { StructType } from './schema.ts';

/** A source offset: any JSON value, written verbatim into the checkpoint's offsets log. */
export type Offset = JsonValue;
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** How much a source may plan for one batch. `respectLimits` is false only for the `once`
 * trigger, which like Spark's Trigger.Once reads everything available in one batch. */
export interface ReadLimit {
  readonly respectLimits: boolean;
}

/** What every component gets when it is created. */
export interface ComponentContext {
  /** The query id recorded in the checkpoint's metadata file (stable across restarts). */
  readonly queryId: string;
  /** The pipeline's name, for labels and logs. */
  readonly pipelineName: string;
  /** The checkpoint folder of the query. */
  readonly checkpointDir: string;
  /** A folder the component owns inside the checkpoint (`sources/<n>` for sources). */
  readonly stateDir: string;
  readonly logger: Logger;
  /** Aborted when the query stops; long waits must honour it. */
  readonly signal: AbortSignal;
  /** Engine-level defaults from `streaming.processing` that sources may apply. */
  readonly defaults: { readonly maxOffsetsPerTrigger?: number };
  /** Progress markers the sink holds whose appId starts with `prefix` (appId -> version), so a
   * source sharing work with other instances can resume where the sink is. Only for sources whose
   * `needs` ask for `progressMarkers`: the plan refuses them with a sink that keeps none, and asking
   * such a sink anyway is an error, never an empty answer. */
  readonly sinkVersions: (prefix: string) => Promise<ReadonlyMap<string, number>>;
}

/** Health of one component, for readiness checks. */
export interface ComponentHealth {
  readonly healthy: boolean;
  readonly detail: string;
}

export interface Source {
  /** A human description for progress, e.g. `FileStreamSource[/data/in]`. */
  readonly description: string;
  /** Facts that must not change under an existing checkpoint (type, path, topics ...). */
  identity(): Record<string, JsonValue>;
  /** Connects and restores whatever the source keeps in its state folder. */
  open(): Promise<void>;
  /** Called once before the first batch of an availableNow run: fixes the end of the run. */
  prepareForAvailableNow?(): Promise<void>;
  /** The end offset of the next batch given its start (null: from the beginning). Returns an offset
   * equal to `start` when there is nothing new. Must be deterministic once returned: the engine
   * writes it to the write-ahead log and may ask `read` for the same range again after a crash. */
  latestOffset(start: Offset | null, limit: ReadLimit): Promise<Offset | null>;
  /** Reads exactly the records in (start, end]. */
  read(start: Offset | null, end: Offset): Promise<SourceData>;
  /** True when the next batch may be planned and read while the previous one is still being written
   * (planning must not depend on what the sink holds). The engine then overlaps the two. */
  readonly readAhead?: boolean;
  /** Everything up to `end` is committed by the sink and the checkpoint: clean up, ack, archive. */
  commit(end: Offset): Promise<void>;
  /** Extra progress metrics, Spark's `sources[].metrics`. */
  metrics?(): Record<string, string>;
  health?(): Promise<ComponentHealth>;
  close(): Promise<void>;
}

/** What a sink reports for one batch. */
export interface SinkResult {
  readonly numOutputRows: number;
  /** True when the batch was already in the sink (a replay after a crash) and nothing was written. */
  readonly skipped: boolean;
  readonly details?: Record<string, JsonValue>;
}

/** What a sink made of a batch in its prepare phase; held by the engine until the commit. */
export interface PreparedWrite {
  /** Rows the sink cannot write (a value its table or topic cannot hold), as SINK_WRITE dead letters
   * with their origin. The engine writes them to the dead-letter queue with the batch's other
   * rejected records, before the commit, so the rest of the batch is written in the same batch. */
  readonly rejected: readonly Rejected[];
  /** The sink already holds this batch (a re-run after a crash): the commit will skip it, and the
   * engine keeps the dead letters the first run wrote instead of writing what this run set aside. */
  readonly skipped?: boolean;
}

/** The batch facts a commit needs once the rows are gone. */
export interface CommitBatch {
  readonly batchId: number;
  /** Progress markers to commit atomically with the rows (see SourceData.markers). */
  readonly markers?: readonly ProgressMarker[];
}

/** A sink writes each batch in two phases, as Arrow's and Flink's two-phase committers do:
 *
 *   prepare(batch)          rows -> the sink's own form (Arrow tables, Kafka records, text); the rows
 *                           it cannot take -> `rejected`. Deterministic, writes nothing durable; the
 *                           engine drops the rows afterwards.
 *   dead-letter queue       <- rejected (engine)
 *   commit(prepared, batch) writes and commits, idempotently per (query, batch id): a batch the sink
 *                           already holds is skipped. Retried by the engine with the same prepared
 *                           object, never re-converted. */
export interface Sink<P extends PreparedWrite = PreparedWrite> {
  readonly description: string;
  identity(): Record<string, JsonValue>;
  open(): Promise<void>;
  prepare(batch: Batch): Promise<P>;
  commit(prepared: P, batch: CommitBatch): Promise<SinkResult>;
  /** The progress markers the sink holds whose appId starts with `prefix`. */
  committedVersions?(prefix: string): Promise<ReadonlyMap<string, number>>;
  metrics?(): Record<string, string>;
  health?(): Promise<ComponentHealth>;
  close(): Promise<void>;
}

/** Both phases at once, for callers outside the engine (tests, embedding, the dead-letter queue):
 * the rows a sink rejects come back with the result. */
export async function writeBatch<P extends PreparedWrite>(sink: Sink<P>, batch: Batch): Promise<SinkResult & { readonly rejected: readonly Rejected[] }> {
  const prepared = await sink.prepare(batch);
  const result = await sink.commit(prepared, { batchId: batch.batchId, ...(batch.markers === undefined ? {} : { markers: batch.markers }) });
  return { ...result, rejected: prepared.rejected };
}

/** A processing step between source and sink. */
export interface Stage {
  readonly name: string;
  /** Returns the batch to pass on; rows it rejects go to `batch.rejected`. */
  process(batch: Batch): Promise<Batch> | Batch;
  /** The output schema given the input schema, when the stage can tell before running. */
  outputSchema?(input: StructType | null): StructType | null;
  metrics?(): Record<string, unknown>;
  close?(): Promise<void>;
}

/** How a sink's table or topic relates to the stream, as Spark's output modes. */
export type OutputMode = 'append' | 'update' | 'complete';

/** What a sink offers. The plan checks it against what the source needs when it is built (from YAML
 * or the TypeScript API alike) and refuses a mismatch naming both components. */
export interface SinkCapabilities {
  /** Keeps a source's per-partition progress markers (`batch.markers`) atomically with the rows and
   * reports them back (`Sink.committedVersions`), so instances sharing one sink resume where it is. */
  readonly progressMarkers: boolean;
  /** Recognises a batch id it already holds for the query and writes nothing (a replay after a crash). */
  readonly idempotentCommit: boolean;
  /** What a reader of the sink sees after crashes and replays. */
  readonly delivery: 'exactly-once' | 'at-least-once';
  readonly outputModes: readonly OutputMode[];
}

/** What a sink offers when its definition declares nothing: no markers, no idempotence, append only. */
export const NO_CAPABILITIES: SinkCapabilities = { progressMarkers: false, idempotentCommit: false, delivery: 'at-least-once', outputModes: ['append'] };

/** A requirement of a source, with why it holds and the config key that causes it (for the error). */
export interface Need {
  /** e.g. "consumer-group mode, `group.id` set". */
  readonly reason: string;
  /** The source option that makes the need, relative to the source's config. */
  readonly key: string;
}

/** What a source needs from the sink given its config; absent: nothing. */
export interface SourceNeeds {
  readonly progressMarkers?: Need;
}

export interface SourceDefinition<C> {
  readonly kind: 'source';
  readonly type: string;
  readonly summary: string;
  readonly config: z.ZodType<C>;
  /** What the source needs from the sink with this config. */
  needs?(config: C): SourceNeeds;
  /** The schema of the source's rows when the config fixes it before the run (a declared `schema`,
   * Kafka's fixed columns); null when only the data will tell. */
  declaredSchema?(config: C): StructType | null;
  /** What the source uses outside the process with this config, for health checks. */
  resources?(config: C): ComponentResources;
  create(config: C, ctx: ComponentContext): Source;
}

/** What a component uses outside the process: folders (their disk must keep free space) and network
 * endpoints (`host:port`), declared so that health checks need not know each component's options. */
export interface ComponentResources {
  readonly paths?: readonly string[];
  readonly endpoints?: readonly string[];
}

export interface SinkDefinition<C> {
  readonly kind: 'sink';
  readonly type: string;
  readonly summary: string;
  readonly config: z.ZodType<C>;
  readonly capabilities: SinkCapabilities;
  /** The schema rows must fit when the sink already fixes one before the run (an existing Delta
   * table that does not merge schemas); null when it does not. Read only when some stage would be
   * checked against it. */
  existingSchema?(config: C): Promise<PlannedSchema | null>;
  /** What the sink uses outside the process with this config, for health checks. */
  resources?(config: C): ComponentResources;
  create(config: C, ctx: ComponentContext): Sink;
}

/** The schema flowing into a stage as known before the run, and where it comes from (for messages). */
export interface PlannedSchema {
  readonly schema: StructType;
  /** e.g. "the declared schema of source file". */
  readonly from: string;
}

/** A stage's config checked against the schema known before the run. */
export interface StagePlan {
  /** The stage's output schema before the run; null when only the data will tell. */
  readonly output: PlannedSchema | null;
  /** Problems with key paths relative to the stage's config (`rules[0].column`). */
  readonly problems: readonly ConfigProblem[];
}

export interface StageDefinition<C> {
  readonly kind: 'stage';
  readonly type: string;
  readonly summary: string;
  readonly config: z.ZodType<C>;
  /** Checks the config against the input schema known before the run (null: unknown) and tells the
   * output schema, so a pipeline file is refused before anything runs. Without it the stage's output
   * counts as unknown. */
  plan?(config: C, input: PlannedSchema | null, stageName: string): StagePlan;
  /** The same checks for the parts of a config that failed validation elsewhere (`raw` as written),
   * so that every problem of a file is listed at once, and the output as far as it can be told. */
  planInvalid?(raw: unknown, input: PlannedSchema | null, stageName: string): StagePlan;
  /** `ctx.stateDir` is the stage's own folder in the checkpoint (`stages/<index>`), for state that
   * must survive restarts (a schema history, say). */
  create(config: C, ctx: ComponentContext & { readonly stageName: string }): Stage | Promise<Stage>;
}

export function defineStage<C>(def: Omit<StageDefinition<C>, 'kind'>): StageDefinition<C> {
  return { kind: 'stage', ...def };
}

export function defineSource<C>(def: Omit<SourceDefinition<C>, 'kind'>): SourceDefinition<C> {
  return { kind: 'source', ...def };
}

/** A sink that declares no `capabilities` offers none (NO_CAPABILITIES): the plan then refuses
 * sources that need them, instead of the run discovering it. */
export function defineSink<C>(def: Omit<SinkDefinition<C>, 'kind' | 'capabilities'> & { readonly capabilities?: SinkCapabilities }): SinkDefinition<C> {
  return { kind: 'sink', ...def, capabilities: def.capabilities ?? NO_CAPABILITIES };
}
