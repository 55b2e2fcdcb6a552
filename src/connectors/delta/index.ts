// Public surface of the Delta connector: the sink definition and the table helpers tools use.
export { deltaSink, createDeltaSink, committedBatchId, tableHealth } from './sink.ts';
export { DeltaSinkConfig } from './config.ts';
export { appendRows, type AppendOptions, type AppendResult } from './table.ts';
export { loadSnapshot, type Snapshot } from './protocol/snapshot.ts';
export { readTableRows, describeTable, tableHistory, type TableDescription } from './reader.ts';
