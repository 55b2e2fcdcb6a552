// parquet-wasm, compiled on first use: a pipeline that writes on the encoder thread and reads no
// Parquet never instantiates the WebAssembly module on its main thread.
import type * as ParquetWasm from 'parquet-wasm';
import { lazyModule } from '../../core/lazy.ts';

export const parquetWasm = lazyModule<typeof ParquetWasm>('parquet-wasm');
