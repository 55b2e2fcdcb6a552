// Turns the bytes of one JSON-lines, CSV or text file into rows (or CSV records) and rejected lines.
// With `checkBytes` (the file failed the strict UTF-8 check and invalidUtf8 is dlq) the text comes
// from decodeMarkingInvalid, and each line or record holding a bad byte is rejected with its bytes.
import { gunzipSync } from 'node:zlib';
import type * as CsvParse from 'csv-parse/sync';
import type { CsvError, Options as CsvParseOptions } from 'csv-parse/sync';
import { lazyModule } from '../../core/lazy.ts';
import { withLineOrigin, type RecordOrigin, type Rejected, type Row } from '../../core/record.ts';
import { errorMessage } from '../../core/errors.ts';
import { decodeMarkingInvalid, encodeMarked, hasInvalidBytes, isValidUtf8 } from '../../core/utf8.ts';
import { describeJson, documentInsteadOfLines, parseJson, MAX_FILE_PAYLOAD } from './json-document.ts';

const csvParse = lazyModule<typeof CsvParse>('csv-parse/sync');

/** Decompresses gzip content, recognised by its magic bytes rather than by the file name. */
export function maybeGunzip(buf: Buffer): Buffer {
  return buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b ? gunzipSync(buf) : buf;
}

function rejectLine(file: string, line: number, message: string, payload: string): Rejected {
  return { errorType: 'SCHEMA_VALIDATION', stage: 'source', message, payload, origin: { file, line } };
}

/** A line or record holding bytes that are not UTF-8 (its text as decodeMarkingInvalid gives it, or
 * its bytes): its exact bytes, in base64. */
function rejectBytes(file: string, line: number, what: string, content: string | Buffer): Rejected {
  return {
    errorType: 'SCHEMA_VALIDATION',
    stage: 'source',
    rule: 'invalidUtf8',
    message: `${what} is not valid UTF-8 (the payload holds its bytes in base64; invalidUtf8: replace reads such text with U+FFFD instead)`,
    payload: (typeof content === 'string' ? encodeMarked(content) : content).toString('base64'),
    payloadEncoding: 'base64',
    origin: { file, line },
  };
}

/** The text of bytes that may hold invalid UTF-8: marked (see core/utf8.ts) or replaced by U+FFFD. */
function textOf(buf: Buffer, checkBytes: boolean, from = 0, to = buf.length): string {
  return checkBytes ? decodeMarkingInvalid(buf.subarray(from, to)) : buf.toString('utf8', from, to);
}

/** Bytes decoded to text at a time. Small enough that each piece is an ordinary young string that
 * dies at the next scavenge: a whole file decoded at once lands in V8's large-object space, which
 * only a full collection frees, and a batch of files is tens of megabytes of such garbage. */
const TEXT_PIECE_BYTES = 64 * 1024;

/** Parses JSON lines: one object per line; blank lines skipped; a line that is not a JSON object is
 * rejected with its file and line number and the rest of the file still read. A file that is one
 * multi-line JSON document instead becomes a single entry for the whole file (returns true), never
 * fragments and stray rows. */
export function readJsonLines(buf: Buffer, file: string, rows: Row[], rejected: Rejected[], checkBytes = false): boolean {
  const size = buf.length;
  const start = size >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  let from = start;
  let line = 0;
  const shared = { file };
  while (from < size) {
    // Pieces end just after a newline byte, so no line and no UTF-8 sequence is ever split.
    let to = from + TEXT_PIECE_BYTES >= size ? size : buf.indexOf(10, from + TEXT_PIECE_BYTES);
    to = to === -1 ? size : Math.min(size, to + 1);
    const text = textOf(buf, checkBytes, from, to);
    // Marked bad bytes would pass JSON.parse inside strings: such files take the line-by-line path.
    let last = checkBytes ? undefined : readJsonArray(text, shared, line, rows);
    if (last === undefined && from === start) {
      const doc = documentInsteadOfLines(buf, start, file);
      if (doc !== undefined) {
        rejected.push(checkBytes ? { ...doc, ...wholeBytes(buf, start) } : doc);
        return true;
      }
    }
    last ??= readJsonText(text, file, shared, line, rows, rejected, checkBytes);
    line = last;
    from = to;
  }
  return false;
}

function wholeBytes(buf: Buffer, from: number): Pick<Rejected, 'payload' | 'payloadEncoding'> {
  return buf.length - from <= MAX_FILE_PAYLOAD ? { payload: buf.subarray(from).toString('base64'), payloadEncoding: 'base64' } : { payload: null };
}

/** The common case, a piece whose every line is one JSON object: one JSON.parse of the lines as an
 * array, which costs markedly less than a call per line. Returns the last line number, or undefined
 * (and adds nothing) when the piece needs the line-by-line path: a blank or malformed line, a line
 * holding something other than one object, anything that makes elements and lines differ. */
function readJsonArray(text: string, shared: RecordOrigin, line: number, rows: Row[]): number | undefined {
  const body = text.charCodeAt(text.length - 1) === 10 ? text.slice(0, -1) : text;
  if (body === '') return undefined;
  let lines = 1;
  for (let at = body.indexOf('\n'); at !== -1; at = body.indexOf('\n', at + 1)) lines++;
  let values: unknown;
  try {
    // Raw newlines cannot occur inside JSON strings, so each newline is a boundary between lines.
    values = parseJson(`[${body.replaceAll('\n', ',')}]`);
  } catch {
    return undefined;
  }
  if (!Array.isArray(values) || values.length !== lines) return undefined;
  for (const v of values as unknown[]) if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  for (const v of values as Row[]) rows.push(withLineOrigin(v, shared, ++line));
  return line;
}

/** Parses the lines of one piece of text one by one; returns the number of the last line read. */
function readJsonText(text: string, file: string, shared: RecordOrigin, line: number, rows: Row[], rejected: Rejected[], checkBytes: boolean): number {
  let start = 0;
  const n = text.length;
  while (start < n) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = n;
    line++;
    let s = text.slice(start, end);
    start = end + 1;
    if (s.endsWith('\r')) s = s.slice(0, -1);
    if (s.trim() === '') continue;
    if (checkBytes && hasInvalidBytes(s)) {
      rejected.push(rejectBytes(file, line, `line ${line}`, s));
      continue;
    }
    let v: unknown;
    try {
      v = parseJson(s);
    } catch (err) {
      rejected.push(rejectLine(file, line, `malformed JSON: ${errorMessage(err)}`, s));
      continue;
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      rejected.push(rejectLine(file, line, `expected a JSON object, found ${describeJson(v)}`, s));
      continue;
    }
    rows.push(withLineOrigin(v as Row, shared, line));
  }
  return line;
}

export interface CsvOptions {
  readonly header: boolean;
  readonly delimiter: string;
  readonly quote: string;
  readonly escape: string;
}

export interface CsvRecord {
  readonly cells: string[];
  readonly line: number;
  readonly raw: string;
}

export interface CsvFile {
  /** The header line's names, when `header` is on. */
  readonly columns: string[] | null;
  readonly records: CsvRecord[];
}

/** Parses one CSV file. Records with the wrong number of cells or broken quoting become rejected
 * (with file and line) and parsing goes on. Null when the file went to the DLQ whole: its header is
 * not valid UTF-8, so none of its records can be named. */
export function readCsv(buf: Buffer, file: string, opts: CsvOptions, rejected: Rejected[], checkBytes = false): CsvFile | null {
  const records: CsvRecord[] = [];
  let columns: string[] | null = null;
  // csv-parse works on bytes and decodes what it returns, which would replace bad bytes: a file that
  // has some is parsed as latin1 (one character per byte), and each record decoded here once checked.
  const bytes = checkBytes ? { of: (s: string) => Buffer.from(s, 'latin1'), text: (s: string) => Buffer.from(s, 'latin1').toString('utf8') } : undefined;
  const asInput = (s: string): string => (bytes === undefined ? s : Buffer.from(s, 'utf8').toString('latin1'));
  const before = rejected.length;
  let badHeader = false;
  try {
    const options = {
      bom: bytes === undefined,
      ...(bytes === undefined ? {} : { encoding: 'latin1' }),
      delimiter: asInput(opts.delimiter),
      quote: asInput(opts.quote),
      escape: asInput(opts.escape),
      skip_empty_lines: true,
      skip_records_with_error: true,
      raw: true,
      info: true,
      on_skip: (err: CsvError | undefined, raw: string | undefined) => {
        const line = typeof err?.lines === 'number' ? err.lines : 0;
        const message = `malformed CSV: ${err?.message ?? 'unreadable record'}`;
        const record = trimEol(raw ?? '');
        if (bytes !== undefined && !isValidUtf8(bytes.of(record))) rejected.push({ ...rejectLine(file, line, message, bytes.of(record).toString('base64')), payloadEncoding: 'base64' });
        else rejected.push(rejectLine(file, line, message, bytes === undefined ? record : bytes.text(record)));
        return undefined;
      },
      on_record: (rec: { record: string[]; raw: string }, ctx: { lines: number }) => {
        const raw = trimEol(rec.raw);
        const bad = bytes !== undefined && !isValidUtf8(bytes.of(raw));
        if (opts.header && columns === null) {
          if (bad) {
            // Stops the parser: without names none of the records can be read.
            badHeader = true;
            throw new Error('the header line is not valid UTF-8');
          }
          columns = headerNames(bytes === undefined ? rec.record : rec.record.map(bytes.text));
        } else if (bytes === undefined) {
          records.push({ cells: rec.record, line: ctx.lines, raw });
        } else if (bad) {
          rejected.push(rejectBytes(file, ctx.lines, `the CSV record ending on line ${ctx.lines}`, bytes.of(raw)));
        } else {
          records.push({ cells: rec.record.map(bytes.text), line: ctx.lines, raw: bytes.text(raw) });
        }
        return null;
      },
    };
    csvParse().parse(bytes === undefined ? buf.toString('utf8') : withoutBom(buf), options as unknown as CsvParseOptions);
  } catch (err) {
    if (badHeader) {
      rejected.length = before;
      rejected.push({
        errorType: 'SCHEMA_VALIDATION',
        stage: 'source',
        rule: 'invalidUtf8',
        message: `the header line of ${file} is not valid UTF-8, so none of its records can be named; the file is not read (the payload holds the file's bytes in base64${buf.length <= MAX_FILE_PAYLOAD ? '' : ' when at most 1 MiB; this one is larger and left out'})`,
        ...(buf.length <= MAX_FILE_PAYLOAD ? { payload: buf.toString('base64'), payloadEncoding: 'base64' as const } : { payload: null }),
        origin: { file },
      });
      return null;
    }
    // Errors that cannot be skipped end the file; what was read before them is kept.
    const line = (err as { lines?: unknown }).lines;
    rejected.push(rejectLine(file, typeof line === 'number' ? line : 0, `malformed CSV: ${errorMessage(err)}`, ''));
  }
  return { columns, records };
}

function withoutBom(buf: Buffer): Buffer {
  return buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? buf.subarray(3) : buf;
}

function trimEol(s: string): string {
  return s.replace(/\r?\n$/, '').replace(/\r$/, '');
}

/** Spark's header handling: an empty name becomes `_c<i>` and a repeated name gets its index appended. */
export function headerNames(cells: readonly string[]): string[] {
  const names = cells.map((c, i) => (c.trim() === '' ? `_c${i}` : c));
  const counts = new Map<string, number>();
  for (const n of names) counts.set(n.toLowerCase(), (counts.get(n.toLowerCase()) ?? 0) + 1);
  return names.map((n, i) => ((counts.get(n.toLowerCase()) ?? 0) > 1 ? `${n}${i}` : n));
}

/** Text lines as Spark's text source reads them: every line (blank ones too) a row `{ value }`. */
export function readTextLines(buf: Buffer, file: string, rows: Row[], rejected: Rejected[], checkBytes = false): void {
  let text = textOf(buf, checkBytes);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text === '') return;
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const shared = { file };
  lines.forEach((l, i) => {
    const value = l.endsWith('\r') ? l.slice(0, -1) : l;
    if (checkBytes && hasInvalidBytes(value)) rejected.push(rejectBytes(file, i + 1, `line ${i + 1}`, value));
    else rows.push(withLineOrigin({ value }, shared, i + 1));
  });
}
