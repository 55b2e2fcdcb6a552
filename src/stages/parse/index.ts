// The parse stage: raw payloads to records, failures to the dead-letter queue.
export { parseStage, ParseStage, type ParseMetrics } from './stage.ts';
export { parseConfig, type ParseConfig } from './config.ts';
export { payloadText, payloadForDlq, parseJsonObject, parseCsvRecord } from './decode.ts';
