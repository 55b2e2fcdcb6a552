// The one explicit list of components a pipeline file or the API can name.
import type { SinkDefinition, SourceDefinition, StageDefinition } from '../core/component.ts';
import type { ComponentRegistry } from '../plan/plan.ts';
import { consoleSink } from '../connectors/console/index.ts';
import { deltaSink } from '../connectors/delta/sink.ts';
import { fileSource } from '../connectors/files/index.ts';
import { jsonlSink } from '../connectors/jsonl/index.ts';
import { kafkaSink } from '../connectors/kafka/sink.ts';
import { kafkaSource } from '../connectors/kafka/source.ts';
import { memorySink, memorySource } from '../connectors/memory/index.ts';
import { rateSource } from '../connectors/rate/index.ts';
import { detectStage } from '../stages/detect/index.ts';
import { parseStage } from '../stages/parse/index.ts';
import { validateStage } from '../stages/validate/index.ts';
import { qualityStage } from '../stages/quality/index.ts';
import { transformStage } from '../stages/transform/index.ts';

// A definition's config type is checked where it is defined; the registry only needs to hand the
// validated config back to the same definition, so it forgets the type here.
const source = <C>(d: SourceDefinition<C>) => d as unknown as SourceDefinition<unknown>;
const sink = <C>(d: SinkDefinition<C>) => d as unknown as SinkDefinition<unknown>;

const sources = [source(fileSource), source(kafkaSource), source(rateSource), source(memorySource)];
const sinks = [sink(deltaSink), sink(kafkaSink), sink(jsonlSink), sink(consoleSink), sink(memorySink)];
const stage = <C>(d: StageDefinition<C>) => d as unknown as StageDefinition<unknown>;
const stages: StageDefinition<unknown>[] = [stage(parseStage), stage(detectStage), stage(validateStage), stage(transformStage), stage(qualityStage)];

export const registry: ComponentRegistry = {
  sources: new Map(sources.map((d) => [d.type, d])),
  sinks: new Map(sinks.map((d) => [d.type, d])),
  stages: new Map(stages.map((d) => [d.type, d])),
};
