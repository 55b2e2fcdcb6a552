// Worker thread that turns Arrow IPC streams into Parquet files, so that encoding one batch
// overlaps with reading the next on the main thread.
import { parentPort } from 'node:worker_threads';
import { ipcToParquet, type ParquetWriteOptions } from './encode.ts';
import { parquetWasm } from './wasm.ts';

export interface EncodeRequest {
  readonly id: number;
  readonly ipc: Uint8Array;
  readonly options: ParquetWriteOptions;
}

export type EncodeReply = { readonly id: number; readonly bytes: Uint8Array } | { readonly id: number; readonly error: string };

// The thread is started ahead of the first batch: compile the WebAssembly module now, not then.
parquetWasm();

parentPort?.on('message', (req: EncodeRequest) => {
  try {
    const bytes = ipcToParquet(req.ipc, req.options);
    parentPort?.postMessage({ id: req.id, bytes } satisfies EncodeReply, [bytes.buffer as ArrayBuffer]);
  } catch (err) {
    parentPort?.postMessage({ id: req.id, error: err instanceof Error ? err.message : String(err) } satisfies EncodeReply);
  }
});
