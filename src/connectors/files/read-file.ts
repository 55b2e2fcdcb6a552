// Reads one file of a batch into the batch's raw content. A file that cannot be read or decoded, or
// that vanished since the batch was planned, becomes one dead-letter entry and the batch goes on
// (Spark's ignoreCorruptFiles / ignoreMissingFiles, here on by default and never silent); with the
// option off the query stops with an error that says what a restart will do. Passing faults (too
// many open files, I/O errors) are thrown as retryable, for the engine's retry policy.
import { readFileSync, statSync } from 'node:fs';
import { ErrorCodes, SourceError, errorMessage } from '../../core/errors.ts';
import type { Rejected } from '../../core/record.ts';
import { isValidUtf8 } from '../../core/utf8.ts';
import type { FileSourceConfig } from './config.ts';
import type { RawBatch } from './decode.ts';
import { MAX_FILE_PAYLOAD, readJsonDocument } from './json-document.ts';
import { readParquetFile } from './parquet.ts';
import { maybeGunzip, readCsv, readJsonLines, readTextLines } from './readers.ts';

export interface FileRead {
  readonly bytes: number;
  /** The whole file went to the dead-letter queue as one entry (cleanSource then leaves it in place). */
  readonly wholeFileRejected: boolean;
}

/** Read errors that pass: the engine retries the batch. */
const PASSING = new Set(['EMFILE', 'ENFILE', 'EAGAIN', 'EBUSY', 'EINTR', 'EIO', 'ENOMEM', 'ESTALE', 'ETIMEDOUT']);
/** Read errors meaning the file is not there (any more). */
const MISSING = new Set(['ENOENT', 'ENOTDIR']);

export function readOneFile(path: string, config: FileSourceConfig, raw: RawBatch): FileRead {
  let buf: Buffer;
  try {
    // Synchronously: an asynchronous read needs the main thread for each of its steps (open, stat,
    // every 512 KiB, close), and the parser holds that thread, so the steps queue up behind it and the
    // thread then idles through them (measured: 7% of a run). Parsing blocks for longer anyway.
    buf = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (PASSING.has(code)) {
      throw new SourceError(ErrorCodes.SOURCE_READ, `file source: cannot read ${path}: ${errorMessage(err)}`, { cause: err, retryable: true, details: { file: path } });
    }
    if (MISSING.has(code)) return badFile(config, raw, 'missing', path, `${path} is gone: it was recorded for this batch when the batch was planned and no longer exists`, err);
    return badFile(config, raw, 'corrupt', path, `cannot read ${path} (${sizeOf(path)}): ${errorMessage(err)}`, err);
  }
  // Whatever a file adds before its decoding fails is taken back: a file is read whole or not at all.
  const mark = { rows: raw.jsonRows.length, csv: raw.csvFiles.length, parquet: raw.parquet.length, rejected: raw.rejected.length };
  try {
    return { bytes: buf.length, wholeFileRejected: decodeInto(buf, path, config, raw) };
  } catch (err) {
    raw.jsonRows.length = mark.rows;
    raw.csvFiles.length = mark.csv;
    raw.parquet.length = mark.parquet;
    raw.rejected.length = mark.rejected;
    badFile(config, raw, 'corrupt', path, `cannot decode ${path} (${buf.length} bytes) as ${describeFormat(config)}: ${errorMessage(err)}`, err);
    return { bytes: buf.length, wholeFileRejected: true };
  }
}

/** Returns true when the file went to the DLQ whole. */
function decodeInto(buf: Buffer, file: string, config: FileSourceConfig, raw: RawBatch): boolean {
  if (config.format === 'parquet') {
    raw.parquet.push(readParquetFile(buf, file));
    return false;
  }
  const bytes = maybeGunzip(buf);
  const checkBytes = config.invalidUtf8 === 'dlq' && !isValidUtf8(bytes);
  if (config.format === 'json') {
    if (!config.multiLine) return readJsonLines(bytes, file, raw.jsonRows, raw.rejected, checkBytes);
    if (checkBytes) {
      raw.rejected.push(notUtf8Document(bytes, file));
      return true;
    }
    return readJsonDocument(bytes.toString('utf8'), file, raw.jsonRows, raw.rejected);
  }
  if (config.format === 'text') {
    readTextLines(bytes, file, raw.jsonRows, raw.rejected, checkBytes);
    return false;
  }
  const csv = readCsv(bytes, file, {
    header: config.header,
    delimiter: config.sep ?? config.delimiter ?? ',',
    quote: config.quote,
    escape: config.escape,
  }, raw.rejected, checkBytes);
  if (csv === null) return true;
  raw.csvFiles.push({ file, ...csv });
  return false;
}

/** multiLine: the file is one record, so bytes that are not UTF-8 anywhere in it reject all of it. */
function notUtf8Document(bytes: Buffer, file: string): Rejected {
  let line = 1;
  for (let from = 0; ; line++) {
    const nl = bytes.indexOf(10, from);
    if (!isValidUtf8(bytes.subarray(from, nl === -1 ? bytes.length : nl)) || nl === -1) break;
    from = nl + 1;
  }
  const small = bytes.length <= MAX_FILE_PAYLOAD;
  return {
    errorType: 'SCHEMA_VALIDATION',
    stage: 'source',
    rule: 'invalidUtf8',
    message: `line ${line} is not valid UTF-8; with multiLine the whole file is one record (the payload holds the file's bytes in base64${small ? '' : ' when at most 1 MiB; this one is larger and left out'})`,
    payload: small ? bytes.toString('base64') : null,
    ...(small ? { payloadEncoding: 'base64' as const } : {}),
    origin: { file },
  };
}

function badFile(config: FileSourceConfig, raw: RawBatch, kind: 'corrupt' | 'missing', path: string, message: string, cause: unknown): FileRead {
  const option = kind === 'corrupt' ? 'ignoreCorruptFiles' : 'ignoreMissingFiles';
  if (config[option]) {
    raw.rejected.push({ errorType: 'PROCESSING', stage: 'source', rule: option, message, payload: null, origin: { file: path } });
    return { bytes: 0, wholeFileRejected: true };
  }
  const remedy = kind === 'corrupt' ? `the file is fixed${config.ignoreMissingFiles ? ' or removed' : ''}` : 'the file is put back';
  throw new SourceError(ErrorCodes.SOURCE_READ, `file source: ${message} (${option} is false)`, {
    cause,
    retryable: false,
    details: { file: path },
    advice: `a restart re-runs this batch and fails the same way until ${remedy}, or ${option} is set to true (the file then goes to the dead-letter queue and the rest of the batch is written)`,
  });
}

function sizeOf(path: string): string {
  try {
    return `${statSync(path).size} bytes`;
  } catch {
    return 'size unknown';
  }
}

function describeFormat(config: FileSourceConfig): string {
  return config.format === 'json' && config.multiLine ? 'a JSON document' : config.format;
}
