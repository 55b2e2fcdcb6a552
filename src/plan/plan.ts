// A pipeline plan: what the YAML runner and the TypeScript API both compile to before a query starts.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SinkDefinition, SourceDefinition, Stage, StageDefinition, ComponentContext, OutputMode } from '../core/component.ts';
import type { MonitoringConfig } from './monitoring.ts';
import type { ConfigProblem } from '../core/errors.ts';
import type { ErrorHandlingConfig, ProcessingConfig } from './pipeline.ts';
import type { DeadLetterPlan } from './dead-letter.ts';

export type Trigger =
  | { readonly kind: 'processingTime'; readonly intervalMs: number }
  | { readonly kind: 'once' }
  | { readonly kind: 'availableNow' };

export interface ComponentRegistry {
  readonly sources: ReadonlyMap<string, SourceDefinition<unknown>>;
  readonly sinks: ReadonlyMap<string, SinkDefinition<unknown>>;
  readonly stages: ReadonlyMap<string, StageDefinition<unknown>>;
}

/** Builds a stage once the query's context (query id, checkpoint) is known. */
export type StageFactory = (ctx: ComponentContext) => Stage | Promise<Stage>;

export interface PipelinePlan {
  readonly name: string;
  readonly source: { readonly type: string; readonly def: SourceDefinition<unknown>; readonly config: unknown };
  readonly sink: { readonly type: string; readonly def: SinkDefinition<unknown>; readonly config: unknown };
  readonly stages: readonly StageFactory[];
  readonly trigger: Trigger;
  readonly checkpointLocation: string;
  readonly processing: ProcessingConfig;
  readonly errorHandling: ErrorHandlingConfig;
  /** The sink of the dead-letter queue (`errorHandling.dead_letter` resolved). */
  readonly deadLetter: DeadLetterPlan;
  /** Metrics, health, alerts and the dashboard (`streaming.monitoring`). */
  readonly monitoring: MonitoringConfig;
  /** The output mode asked for (append when absent). */
  readonly outputMode?: OutputMode;
  /** What the pipeline uses outside the process, as its components declare it: the checkpoint and
   * the components' folders, their network endpoints, and the monitoring port. */
  readonly resources: PlanResources;
  /** Checks that need I/O (the schema of an existing Delta table): run by `sluice validate` and
   * before a query starts, with the same key paths as the checks made when the plan was built. */
  readonly preflight?: () => Promise<readonly ConfigProblem[]>;
}

export interface PlanResources {
  readonly paths: readonly string[];
  readonly endpoints: readonly string[];
  readonly ports: readonly number[];
}

export function triggerFrom(processing: ProcessingConfig): Trigger {
  if (processing.trigger === 'once') return { kind: 'once' };
  if (processing.trigger === 'availableNow') return { kind: 'availableNow' };
  return { kind: 'processingTime', intervalMs: processing['batch.interval'] ?? 0 };
}

export function describeTrigger(t: Trigger): string {
  if (t.kind === 'processingTime') return t.intervalMs === 0 ? 'ProcessingTime(as fast as possible)' : `ProcessingTime(${t.intervalMs} ms)`;
  return t.kind === 'once' ? 'Once' : 'AvailableNow';
}

/** Where a query without a checkpoint location (only the console sink allows that, as in Spark)
 * keeps its checkpoint: a fresh temporary folder, so every such run starts from the beginning. */
export function temporaryCheckpoint(name: string): string {
  return mkdtempSync(join(tmpdir(), `sluice-${name.replace(/[^A-Za-z0-9_.-]/g, '_')}-`));
}
