// The TypeScript API, shaped like Spark's: session.readStream...load(), .transform(fn),
// .writeStream...start(path). It compiles to the same PipelinePlan as the YAML runner.
import { resolve } from 'node:path';
import { ProcessingSchema, ErrorHandlingSchema, type ErrorHandlingConfig, type ProcessingConfig } from '../config/pipeline.ts';
import { temporaryCheckpoint, type ComponentRegistry, type PipelinePlan, type StageFactory, type Trigger } from '../config/plan.ts';
import { capabilityProblems } from '../config/capabilities.ts';
import { closest, validate } from '../config/problems.ts';
import { parseDuration } from '../config/units.ts';
import { ConfigError, type ConfigProblem } from '../core/errors.ts';
import type { OutputMode, Stage } from '../core/component.ts';
import type { Logger } from '../core/logger.ts';
import type { Batch, Row } from '../core/record.ts';
import type { StructType } from '../core/schema.ts';
import { registry as defaultRegistry } from '../connectors/index.ts';
import { StreamingQuery } from '../engine/query.ts';
import { conformOutput, deriveOutputSchema } from '../stages/transform/function.ts';
import { declarativeTransform } from '../stages/transform/index.ts';

/** A user transformation: receives a batch, returns its rows (or the batch). May be async. */
export type TransformFn = (batch: Batch) => Batch | Row[] | Promise<Batch | Row[]>;

export type TriggerSpec = { processingTime: string | number } | { once: true } | { availableNow: true };

export interface SessionOptions {
  readonly name?: string;
  readonly logger?: Logger;
  readonly registry?: ComponentRegistry;
}

export class SluiceSession {
  constructor(readonly options: SessionOptions = {}) {}

  get readStream(): DataStreamReader {
    return new DataStreamReader(this);
  }
}

export function createSession(options: SessionOptions = {}): SluiceSession {
  return new SluiceSession(options);
}

type Options = Record<string, unknown>;

/** What readStream and writeStream share, as in Spark: a format and its options. */
abstract class FormatBuilder {
  protected type: string;
  protected readonly opts: Options = {};
  constructor(defaultFormat: string) {
    this.type = defaultFormat;
  }

  format(type: string): this {
    this.type = type;
    return this;
  }
  option(key: string, value: unknown): this {
    this.opts[key] = value;
    return this;
  }
  options(values: Options): this {
    Object.assign(this.opts, values);
    return this;
  }
}

export class DataStreamReader extends FormatBuilder {
  constructor(private readonly session: SluiceSession) {
    super('file');
  }

  /** A Spark DDL string (`id STRING NOT NULL, ts TIMESTAMP`) or a StructType. */
  schema(schema: string | StructType): this {
    this.opts.schema = schema;
    return this;
  }
  load(path?: string): DataStream {
    const config = path === undefined ? { ...this.opts } : { ...this.opts, path };
    return new DataStream(this.session, { type: this.type, config }, []);
  }
}

export class DataStream {
  constructor(
    readonly session: SluiceSession,
    readonly source: { readonly type: string; readonly config: Options },
    readonly transforms: readonly { readonly name: string; readonly fn: TransformFn }[],
  ) {}

  /** Adds a processing step; returns a new stream (the original is unchanged). */
  transform(fn: TransformFn, name?: string): DataStream {
    return new DataStream(this.session, this.source, [...this.transforms, { name: name ?? (fn.name || `transform${this.transforms.length}`), fn }]);
  }

  /** Keeps the rows for which a Spark SQL condition is TRUE, e.g. `"amount > 10 AND country IN ('DE', 'FR')"`. */
  filter(condition: string): DataStream {
    return this.steps([{ filter: condition }], `filter${this.transforms.length}`);
  }

  /** Adds or replaces a column computed by a Spark SQL expression, e.g. `withColumn('gross', 'amount * 1.19')`. */
  withColumn(name: string, expr: string): DataStream {
    return this.steps([{ with_column: { name, expr } }], `withColumn${this.transforms.length}`);
  }

  /** Keeps only these columns, in this order. */
  select(...columns: string[]): DataStream {
    return this.steps([{ select: columns }], `select${this.transforms.length}`);
  }

  /** Declarative steps as under a YAML `transform` stage (`{ rename: {...} }`, `{ mask: {...} }` ...);
   * they are checked here, so a bad expression throws where it is written. */
  steps(steps: readonly Record<string, unknown>[], name?: string): DataStream {
    const stageName = name ?? `steps${this.transforms.length}`;
    return this.transform(declarativeTransform(stageName, steps), stageName);
  }

  get writeStream(): DataStreamWriter {
    return new DataStreamWriter(this);
  }
}

export class DataStreamWriter extends FormatBuilder {
  private mode: OutputMode = 'append';
  private triggerSpec: TriggerSpec | undefined;
  private name: string | undefined;
  private logger: Logger | undefined;
  constructor(private readonly stream: DataStream) {
    super('delta');
  }

  /** As Spark's; the sink must support it (all sinks here append), or planning fails. */
  outputMode(mode: OutputMode): this {
    this.mode = mode;
    return this;
  }
  trigger(spec: TriggerSpec): this {
    this.triggerSpec = spec;
    return this;
  }
  queryName(name: string): this {
    this.name = name;
    return this;
  }
  withLogger(logger: Logger): this {
    this.logger = logger;
    return this;
  }

  /** Validates everything, opens the checkpoint and starts the query in the background. */
  async start(path?: string): Promise<StreamingQuery> {
    return StreamingQuery.start(this.plan(path), this.logger === undefined && this.stream.session.options.logger === undefined ? {} : { logger: (this.logger ?? this.stream.session.options.logger) as Logger });
  }

  /** The plan `start` would run; throws a ConfigError listing every problem. */
  plan(path?: string): PipelinePlan {
    const reg = this.stream.session.options.registry ?? defaultRegistry;
    const problems: ConfigProblem[] = [];
    const src = reg.sources.get(this.stream.source.type);
    const sinkDef = reg.sinks.get(this.type);
    if (src === undefined) problems.push(unknownType('readStream.format', this.stream.source.type, [...reg.sources.keys()]));
    if (sinkDef === undefined) problems.push(unknownType('writeStream.format', this.type, [...reg.sinks.keys()]));
    const sinkOpts: Options = path === undefined ? { ...this.opts } : { ...this.opts, path };
    const checkpoint = sinkOpts.checkpointLocation ?? sinkOpts['checkpoint.location'];
    delete sinkOpts.checkpointLocation;
    delete sinkOpts['checkpoint.location'];
    if (typeof checkpoint !== 'string' && this.type !== 'console') {
      problems.push({ path: 'writeStream.option("checkpointLocation")', message: 'required option is missing', expected: 'the checkpoint folder of this query' });
    }
    const srcCfg = src === undefined ? undefined : validate(src.config, this.stream.source.config, 'readStream.option');
    const sinkCfg = sinkDef === undefined ? undefined : validate(sinkDef.config, sinkOpts, 'writeStream.option');
    if (srcCfg?.ok === false) problems.push(...srcCfg.problems);
    if (sinkCfg?.ok === false) problems.push(...sinkCfg.problems);
    if (src !== undefined && sinkDef !== undefined && srcCfg?.ok === true) {
      problems.push(
        ...capabilityProblems({
          source: { type: this.stream.source.type, def: src, config: srcCfg.value },
          sink: { type: this.type, def: sinkDef },
          outputMode: this.mode,
          paths: { sourceOption: (k) => `readStream.option(${JSON.stringify(k)})`, outputMode: 'writeStream.outputMode' },
          knownSinks: reg.sinks.values(),
        }),
      );
    }
    const trigger = this.resolveTrigger(problems);
    const processing = validate(ProcessingSchema, {}, '');
    const errorHandling = validate(ErrorHandlingSchema, {}, '');
    if (problems.length > 0 || src === undefined || sinkDef === undefined || srcCfg?.ok !== true || sinkCfg?.ok !== true || !processing.ok || !errorHandling.ok) {
      throw new ConfigError(problems, 'streaming query');
    }
    const name = this.name ?? this.stream.session.options.name ?? 'query';
    const stages: StageFactory[] = this.stream.transforms.map((t) => () => transformStage(t.name, t.fn));
    return {
      name,
      source: { type: this.stream.source.type, def: src, config: srcCfg.value },
      sink: { type: this.type, def: sinkDef, config: sinkCfg.value },
      stages,
      trigger,
      checkpointLocation: typeof checkpoint === 'string' ? resolve(checkpoint) : temporaryCheckpoint(name),
      processing: processing.value satisfies ProcessingConfig,
      errorHandling: errorHandling.value satisfies ErrorHandlingConfig,
    };
  }

  private resolveTrigger(problems: ConfigProblem[]): Trigger {
    const t = this.triggerSpec;
    if (t === undefined) return { kind: 'processingTime', intervalMs: 0 };
    if ('once' in t) return { kind: 'once' };
    if ('availableNow' in t) return { kind: 'availableNow' };
    const ms = parseDuration(t.processingTime);
    if (ms === undefined) {
      problems.push({ path: 'writeStream.trigger.processingTime', message: 'not a duration', expected: 'a duration such as "5 seconds"', found: t.processingTime });
      return { kind: 'processingTime', intervalMs: 0 };
    }
    return { kind: 'processingTime', intervalMs: ms };
  }
}

function unknownType(path: string, found: string, known: string[]): ConfigProblem {
  const guess = closest(found, known);
  return { path, message: `unknown format${guess === undefined ? '' : ` (did you mean "${guess}"?)`}`, expected: `one of ${known.map((k) => `"${k}"`).join(', ')}`, found };
}

/** A user function as a stage: what it returns is brought to the value model's forms of its schema
 * (a Date in a timestamp column becomes microseconds), and a row with a value that does not fit its
 * column goes to the dead-letter queue, as with a transform stage's `function` step. */
function transformStage(name: string, fn: TransformFn): Stage {
  const env = { stage: name, path: 'transform' };
  return {
    name,
    async process(batch) {
      const out = await fn(batch);
      const rows = Array.isArray(out) ? out : out.rows;
      const schema = Array.isArray(out) ? deriveOutputSchema(out, batch.schema) : out.schema;
      const rejected = Array.isArray(out) ? batch.rejected : out.rejected;
      const r = conformOutput(env, { rows, rejected, schema });
      return { ...(Array.isArray(out) ? batch : out), rows: r.rows, rejected: r.rejected, schema: r.schema };
    },
  };
}
