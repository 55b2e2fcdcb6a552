// Loads a CommonJS dependency on its first use, so that a pipeline which never needs it (Kafka,
// Prometheus, Parquet decoding, YAML, CSV) pays neither its start-up time nor its memory.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** A getter that requires `specifier` once, on its first call. Pair it with `import type * as M` so
 * the module's types stay checked while its code is not loaded. */
export function lazyModule<T>(specifier: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= require(specifier) as T);
}
