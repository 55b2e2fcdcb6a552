// The public API of sluice: sessions and streams, the query handle, component definitions and errors.
export { createSession, SluiceSession, DataStream, DataStreamReader, DataStreamWriter } from './api/session.ts';
export type { TransformFn, TriggerSpec, SessionOptions } from './api/session.ts';
export { StreamingQuery } from './engine/query.ts';
export type { StreamingQueryProgress, StreamingQueryStatus, SourceProgress, SinkProgress } from './engine/progress.ts';
export { defineSource, defineSink } from './core/component.ts';
export type { Source, Sink, Stage, ComponentContext, Offset, ReadLimit, SinkResult, SourceDefinition, SinkDefinition, JsonValue } from './core/component.ts';
export type { SinkCapabilities, SourceNeeds, Need, OutputMode, PlannedSchema, StagePlan, StageDefinition } from './core/component.ts';
export type { Row, Batch, Rejected, RecordOrigin, SourceData } from './core/record.ts';
export { originOf, withOrigin, ORIGIN } from './core/record.ts';
export type { StructType, StructField, DataType } from './core/schema.ts';
export { SluiceError, ConfigError, ErrorCodes } from './core/errors.ts';
export type { ErrorCode, ConfigProblem } from './core/errors.ts';
export { loadPipelineFile, parsePipelineText, checkPipelineFile } from './plan/load.ts';
export type { PipelinePlan, Trigger, ComponentRegistry } from './plan/plan.ts';
export { registry } from './builtins/index.ts';
export { createLogger } from './core/logger.ts';
export type { Logger } from './core/logger.ts';
export { monitorQuery } from './observe/index.ts';
