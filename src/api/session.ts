// The TypeScript API, shaped like Spark's: session.readStream...load(), .transform(fn),
// .writeStream...start(path). It compiles to the same PipelinePlan as the YAML runner.
import { ProcessingSchema, ErrorHandlingSchema } from '../plan/pipeline.ts';
import { MonitoringSchema } from '../plan/monitoring.ts';
import { buildPlan, type KeyNames } from '../plan/build.ts';
import type { ComponentRegistry, PipelinePlan, Trigger } from '../plan/plan.ts';
import { validate } from '../config/problems.ts';
import { parseDuration } from '../config/units.ts';
import { ConfigError, type ConfigProblem } from '../core/errors.ts';
import type { OutputMode, Stage } from '../core/component.ts';
import type { Logger } from '../core/logger.ts';
import type { Batch, Row } from '../core/record.ts';
import type { StructType } from '../core/schema.ts';
import { registry as defaultRegistry } from '../builtins/index.ts';
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
    const trigger = this.resolveTrigger(problems);
    const processing = validate(ProcessingSchema, {}, '');
    const errorHandling = validate(ErrorHandlingSchema, {}, '');
    const monitoring = validate(MonitoringSchema, {}, '');
    const name = this.name ?? this.stream.session.options.name ?? 'query';
    const built = buildPlan({
      name,
      source: this.stream.source,
      sink: { type: this.type, config: path === undefined ? { ...this.opts } : { ...this.opts, path } },
      stages: this.stream.transforms.map((t) => () => transformStage(t.name, t.fn)),
      trigger,
      processing: processing.ok ? processing.value : undefined,
      errorHandling: errorHandling.ok ? errorHandling.value : undefined,
      monitoring: monitoring.ok ? monitoring.value : undefined,
      ...(this.mode === undefined ? {} : { outputMode: this.mode }),
      keys: API_KEYS,
    }, reg);
    problems.push(...built.problems);
    if (problems.length > 0 || built.plan === undefined) throw new ConfigError(problems, 'streaming query');
    return built.plan;
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

/** How the API names what it was given, for problems. */
const API_KEYS: KeyNames = {
  sourceType: 'readStream.format',
  sinkType: 'writeStream.format',
  sourceOption: (k) => `readStream.option(${JSON.stringify(k)})`,
  sinkOption: (k) => `writeStream.option(${JSON.stringify(k)})`,
  checkpoint: 'writeStream.option("checkpointLocation")',
  outputMode: 'writeStream.outputMode',
  deadLetter: 'error_handling.dead_letter',
};

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
