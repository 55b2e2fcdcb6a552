// Parquet encoding off the main thread: one worker, fed Arrow IPC streams with their buffers
// transferred (not copied). When no worker can be started, encoding runs inline.
import { Worker } from 'node:worker_threads';
import { tableToIPC, type Table as ArrowTable } from 'apache-arrow';
import { ErrorCodes, SinkError } from '../../core/errors.ts';
import type { EncodeReply, EncodeRequest } from './encode-worker.ts';
import { ipcToParquet, type ParquetWriteOptions } from './encode.ts';

interface Pending {
  resolve(bytes: Uint8Array): void;
  reject(err: Error): void;
}

let worker: Worker | null | undefined;
const pending = new Map<number, Pending>();
let nextId = 0;

// The encoder's own objects are small (the data lives in transferred buffers and WebAssembly memory),
// so its JavaScript heap is kept small too.
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 64 };

let users = 0;

/** Starts the encoder thread ahead of the first batch, so its start-up overlaps with reading. Each
 * call is paired with `releaseEncoder` when its user (a sink) closes. */
export function warmEncoder(): void {
  users++;
  if (worker === undefined) worker = startWorker();
}

/** Stops the encoder thread once its last user is gone, so that it never keeps the process alive. */
export async function releaseEncoder(): Promise<void> {
  users = Math.max(0, users - 1);
  const w = worker;
  if (users > 0 || w === undefined || w === null || pending.size > 0) return;
  worker = undefined;
  await w.terminate();
}

function startWorker(): Worker | null {
  if (process.env.SLUICE_PARQUET_WORKER === 'off') return null;
  // Under a TypeScript loader (tests, tsx) the worker is the .ts file and needs the same loader.
  const self = import.meta.url;
  const url = new URL(self.endsWith('.ts') ? './encode-worker.ts' : './encode-worker.js', self);
  try {
    // Loader hooks do not reach worker threads on Node 20, so a TypeScript worker registers tsx itself.
    const w = self.endsWith('.ts')
      ? new Worker(`import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`, { eval: true })
      : new Worker(url, { resourceLimits: WORKER_LIMITS });
    w.unref();
    w.on('message', (reply: EncodeReply) => {
      const p = pending.get(reply.id);
      if (p === undefined) return;
      pending.delete(reply.id);
      if ('bytes' in reply) p.resolve(reply.bytes);
      else p.reject(new SinkError(ErrorCodes.SINK_WRITE, `cannot encode Parquet: ${reply.error}`));
    });
    w.on('error', (err) => failAll(err));
    w.on('exit', () => {
      if (worker === w) worker = undefined;
      failAll(new Error('Parquet encoder thread exited'));
    });
    return w;
  } catch {
    return null;
  }
}

function failAll(err: Error): void {
  for (const p of pending.values()) p.reject(new SinkError(ErrorCodes.SINK_WRITE, `Parquet encoding failed: ${err.message}`, { cause: err, retryable: true }));
  pending.clear();
}

/** Encodes an Arrow table as a Parquet file on the encoder thread. While it waits, the main thread
 * is free (the engine reads the next batch meanwhile). */
export function encodeParquet(table: ArrowTable, options: ParquetWriteOptions): Promise<Uint8Array> {
  const ipc = tableToIPC(table, 'stream');
  if (worker === undefined) worker = startWorker();
  const w = worker;
  if (w === null) return Promise.resolve(ipcToParquet(ipc, options));
  const id = nextId++;
  return new Promise<Uint8Array>((resolve, reject) => {
    // Keep the process alive while an encode is in flight, not otherwise.
    const settle = (): void => {
      if (pending.size === 0) w.unref();
    };
    pending.set(id, {
      resolve: (b) => {
        resolve(b);
        settle();
      },
      reject: (e) => {
        reject(e);
        settle();
      },
    });
    w.ref();
    w.postMessage({ id, ipc, options: { ...options, dictionaryColumns: [...(options.dictionaryColumns ?? [])], nanColumns: (options.nanColumns ?? []).map((p) => [...p]) } } satisfies EncodeRequest, [ipc.buffer as ArrayBuffer]);
  });
}
