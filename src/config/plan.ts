// A pipeline plan: what the YAML runner and the TypeScript API both compile to before a query starts.
import type { SinkDefinition, SourceDefinition, Stage, StageDefinition, ComponentContext } from '../core/component.ts';
import type { ErrorHandlingConfig, ProcessingConfig } from './pipeline.ts';

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
