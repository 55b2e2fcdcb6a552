// The one plan builder: a pipeline file (plan/load.ts) and the TypeScript API (api/session.ts) both
// describe their pipeline as a PlanInput, naming their keys their own way, and get the same checks
// and the same PipelinePlan: components looked up and validated, the checkpoint location, declared
// capabilities matched, the dead-letter sink resolved, monitoring carried along.
import { resolve } from 'node:path';
import type { ComponentResources, OutputMode, SinkDefinition, SourceDefinition } from '../core/component.ts';
import type { ConfigProblem } from '../core/errors.ts';
import { closest, validate } from '../config/problems.ts';
import { capabilityProblems } from './capabilities.ts';
import { resolveDeadLetter } from './dead-letter.ts';
import type { MonitoringConfig } from './monitoring.ts';
import type { ErrorHandlingConfig, ProcessingConfig } from './pipeline.ts';
import { temporaryCheckpoint, type ComponentRegistry, type PipelinePlan, type PlanResources, type StageFactory, type Trigger } from './plan.ts';

/** How the caller names what it was given, so that every problem points at the user's own words:
 * a YAML key path (`streaming.sink.config.path`) or an API call (`writeStream.option("path")`). */
export interface KeyNames {
  readonly sourceType: string;
  readonly sinkType: string;
  sourceOption(key: string): string;
  sinkOption(key: string): string;
  readonly checkpoint: string;
  readonly outputMode: string;
  readonly deadLetter: string;
}

export interface PlanInput {
  readonly name: string;
  readonly source: { readonly type: string; readonly config: unknown } | undefined;
  /** The sink's options, the checkpoint location among them (`checkpoint.location` or `checkpointLocation`). */
  readonly sink: { readonly type: string; readonly config: Readonly<Record<string, unknown>> } | undefined;
  readonly stages: readonly StageFactory[];
  readonly trigger: Trigger;
  /** Undefined when the caller found them invalid (its problems say why); the rest is still checked. */
  readonly processing: ProcessingConfig | undefined;
  readonly errorHandling: ErrorHandlingConfig | undefined;
  readonly monitoring: MonitoringConfig | undefined;
  readonly outputMode?: OutputMode;
  readonly keys: KeyNames;
}

export interface Resolved<D> {
  readonly type: string;
  readonly def: D;
  readonly config: unknown;
}

export interface PlanResult {
  /** Undefined when there are problems. */
  readonly plan: PipelinePlan | undefined;
  readonly problems: ConfigProblem[];
  /** The components that could be resolved, also when others could not (for further checks). */
  readonly source: Resolved<SourceDefinition<unknown>> | undefined;
  readonly sink: Resolved<SinkDefinition<unknown>> | undefined;
}

const CHECKPOINT_KEYS = ['checkpoint.location', 'checkpointLocation'] as const;

function planResources(checkpoint: string, declared: readonly (ComponentResources | undefined)[], port: number | undefined): PlanResources {
  const paths = new Set<string>([checkpoint]);
  const endpoints = new Set<string>();
  for (const r of declared) {
    for (const p of r?.paths ?? []) paths.add(resolve(p));
    for (const e of r?.endpoints ?? []) endpoints.add(e);
  }
  return { paths: [...paths], endpoints: [...endpoints], ports: port === undefined ? [] : [port] };
}

function lookup<D extends { readonly config: import('zod').ZodType<unknown> }>(
  role: string,
  ref: { readonly type: string; readonly config: unknown } | undefined,
  defs: ReadonlyMap<string, D>,
  typeKey: string,
  optionKey: (k: string) => string,
  problems: ConfigProblem[],
): { def?: D; resolved?: Resolved<D> } {
  if (ref === undefined) return {};
  const def = defs.get(ref.type);
  if (def === undefined) {
    const known = [...defs.keys()];
    const guess = closest(ref.type, known);
    problems.push({ path: typeKey, message: `unknown ${role} type${guess === undefined ? '' : ` (did you mean "${guess}"?)`}`, expected: `one of ${known.map((k) => `"${k}"`).join(', ')}`, found: ref.type });
    return {};
  }
  const r = validate(def.config, ref.config ?? {}, '');
  if (!r.ok) {
    // The schema's own paths, renamed into the caller's way of naming an option.
    for (const p of r.problems) problems.push({ ...p, path: p.path === '' ? optionKey('') : optionKey(p.path.replace(/^\./, '')) });
    return { def };
  }
  return { def, resolved: { type: ref.type, def, config: r.value } };
}

export function buildPlan(input: PlanInput, registry: ComponentRegistry): PlanResult {
  const problems: ConfigProblem[] = [];
  const k = input.keys;
  const src = lookup('source', input.source, registry.sources, k.sourceType, (o) => k.sourceOption(o), problems);
  const source = src.resolved;
  const sinkOptions: Record<string, unknown> = { ...(input.sink?.config ?? {}) };
  let checkpoint: string | undefined;
  for (const key of CHECKPOINT_KEYS) {
    const v = sinkOptions[key];
    delete sinkOptions[key];
    if (typeof v === 'string' && v !== '') checkpoint = v;
    else if (v !== undefined) problems.push({ path: k.checkpoint, message: 'wrong type', expected: 'a folder path', found: v });
  }
  const snk = lookup('sink', input.sink === undefined ? undefined : { type: input.sink.type, config: sinkOptions }, registry.sinks, k.sinkType, (o) => k.sinkOption(o), problems);
  const sink = snk.resolved;
  // Only the console sink runs without a checkpoint of its own, as in Spark.
  if (checkpoint === undefined && input.sink !== undefined && input.sink.type !== 'console') {
    problems.push({ path: k.checkpoint, message: 'required key is missing', expected: 'the checkpoint folder of this query' });
  }
  // Declared capabilities are checked whenever both definitions are known, also when an option of
  // either is wrong, so that every problem is listed at once.
  if (source !== undefined && snk.def !== undefined && input.sink !== undefined) {
    problems.push(...capabilityProblems({
      source,
      sink: { type: input.sink.type, def: snk.def },
      ...(input.outputMode === undefined ? {} : { outputMode: input.outputMode }),
      paths: { sourceOption: (o) => k.sourceOption(o), outputMode: k.outputMode },
      knownSinks: registry.sinks.values(),
    }));
  }
  const checkpointLocation = checkpoint === undefined ? undefined : resolve(checkpoint);
  const location = checkpointLocation ?? (problems.length === 0 ? temporaryCheckpoint(input.name) : '');
  const dlq = input.errorHandling === undefined ? undefined : resolveDeadLetter(input.errorHandling.dead_letter, registry, location, k.deadLetter);
  if (dlq !== undefined) problems.push(...dlq.problems);
  const deadLetter = dlq?.plan;
  const ready = problems.length === 0 && source !== undefined && sink !== undefined && deadLetter !== undefined
    && input.processing !== undefined && input.errorHandling !== undefined && input.monitoring !== undefined;
  const plan: PipelinePlan | undefined = !ready ? undefined : {
    name: input.name,
    source,
    sink,
    stages: input.stages,
    trigger: input.trigger,
    checkpointLocation: location,
    processing: input.processing,
    errorHandling: input.errorHandling,
    deadLetter,
    monitoring: input.monitoring,
    ...(input.outputMode === undefined ? {} : { outputMode: input.outputMode }),
    resources: planResources(location, [
      source.def.resources?.(source.config),
      sink.def.resources?.(sink.config),
      deadLetter.def.resources?.(deadLetter.config),
    ], input.monitoring.http?.port),
  };
  return { plan, problems, source, sink };
}
