// The value model: how each logical type is held in a row, in one place. Every source, stage and sink
// reads and writes row values in these forms; conversions from input go through convert.ts, text and
// JSON output through format.ts.
//
//   STRING                    string
//   BOOLEAN                   boolean
//   TINYINT, SMALLINT, INT    number (an integer in the type's range)
//   BIGINT                    number when |v| <= 2^53 - 1, else bigint (always exact)
//   FLOAT, DOUBLE             number (FLOAT values are float32-exact)
//   DECIMAL(p, s)             string: canonical decimal text with exactly s fraction digits
//   DATE                      number: days since 1970-01-01, years 0001-9999
//   TIMESTAMP, TIMESTAMP_NTZ  bigint: microseconds since 1970-01-01T00:00:00 (UTC), years 0001-9999
//   BINARY                    Uint8Array
//   ARRAY<T>                  array of T (null elements as null)
//   MAP<K, V>                 object from the key's text to V
//   STRUCT<...>               object with one own property per field (null when absent), any name
//                             including `__proto__`
// SQL NULL is null. A row is a STRUCT.
export * from './numbers.ts';
export * from './temporal.ts';
export * from './json.ts';
export * from './format.ts';
export * from './convert.ts';
