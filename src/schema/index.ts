// Schema utilities: DDL/JSON parsing, inference with widening, and compiled row conformance.
export { parseDdl, parseSchema, parseSchemaJson, SchemaError } from './ddl.ts';
export {
  inferSchema,
  inferValueType,
  mergeTypes,
  StructAccumulator,
  inferCsvSchema,
  inferCsvType,
  CsvSchemaAccumulator,
  stringSchema,
} from './infer.ts';
export { compileConformer, type Conformer, type ConformOptions, type ConformResult, type ConformOk, type ConformFail } from './conform.ts';
export * as values from './values/index.ts';
