// Turns the bytes of one JSON-lines or CSV file into rows (or CSV records) and rejected lines.
import { gunzipSync } from 'node:zlib';
import type * as CsvParse from 'csv-parse/sync';
import type { CsvError, Options as CsvParseOptions } from 'csv-parse/sync';
import { lazyModule } from '../../core/lazy.ts';
import { withLineOrigin, type RecordOrigin, type Rejected, type Row } from '../../core/record.ts';
import { errorMessage } from '../../core/errors.ts';

const csvParse = lazyModule<typeof CsvParse>('csv-parse/sync');

/** Decompresses gzip content, recognised by its magic bytes rather than by the file name. */
export function maybeGunzip(buf: Buffer): Buffer {
  return buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b ? gunzipSync(buf) : buf;
}

function rejectLine(file: string, line: number, message: string, payload: string): Rejected {
  return { errorType: 'SCHEMA_VALIDATION', stage: 'source', message, payload, origin: { file, line } };
}

/** Bytes decoded to text at a time. Small enough that each piece is an ordinary young string that
 * dies at the next scavenge: a whole file decoded at once lands in V8's large-object space, which
 * only a full collection frees, and a batch of files is tens of megabytes of such garbage. */
const TEXT_PIECE_BYTES = 64 * 1024;

/** Parses JSON lines: one object per line; blank lines skipped; a line that is not a JSON object is
 * rejected with its file and line number and the rest of the file still read. */
export function readJsonLines(buf: Buffer, file: string, rows: Row[], rejected: Rejected[]): void {
  const size = buf.length;
  let from = size >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  let line = 0;
  const shared = { file };
  while (from < size) {
    // Pieces end just after a newline byte, so no line and no UTF-8 sequence is ever split.
    let to = from + TEXT_PIECE_BYTES >= size ? size : buf.indexOf(10, from + TEXT_PIECE_BYTES);
    to = to === -1 ? size : Math.min(size, to + 1);
    const text = buf.toString('utf8', from, to);
    line = readJsonArray(text, shared, line, rows) ?? readJsonText(text, file, shared, line, rows, rejected);
    from = to;
  }
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
    values = JSON.parse(`[${body.replaceAll('\n', ',')}]`);
  } catch {
    return undefined;
  }
  if (!Array.isArray(values) || values.length !== lines) return undefined;
  for (const v of values as unknown[]) if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  for (const v of values as Row[]) rows.push(withLineOrigin(v, shared, ++line));
  return line;
}

/** Parses the lines of one piece of text one by one; returns the number of the last line read. */
function readJsonText(text: string, file: string, shared: RecordOrigin, line: number, rows: Row[], rejected: Rejected[]): number {
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
    let v: unknown;
    try {
      v = JSON.parse(s);
    } catch (err) {
      rejected.push(rejectLine(file, line, `malformed JSON: ${errorMessage(err)}`, s));
      continue;
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      rejected.push(rejectLine(file, line, `expected a JSON object, found ${Array.isArray(v) ? 'an array' : v === null ? 'null' : typeof v}`, s));
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
 * (with file and line) and parsing goes on. */
export function readCsv(buf: Buffer, file: string, opts: CsvOptions, rejected: Rejected[]): CsvFile {
  const records: CsvRecord[] = [];
  let columns: string[] | null = null;
  const text = buf.toString('utf8');
  try {
    const options = {
      bom: true,
      delimiter: opts.delimiter,
      quote: opts.quote,
      escape: opts.escape,
      skip_empty_lines: true,
      skip_records_with_error: true,
      raw: true,
      info: true,
      on_skip: (err: CsvError | undefined, raw: string | undefined) => {
        const line = typeof err?.lines === 'number' ? err.lines : 0;
        rejected.push(rejectLine(file, line, `malformed CSV: ${err?.message ?? 'unreadable record'}`, trimEol(raw ?? '')));
        return undefined;
      },
      on_record: (rec: { record: string[]; raw: string }, ctx: { lines: number }) => {
        if (opts.header && columns === null) columns = headerNames(rec.record);
        else records.push({ cells: rec.record, line: ctx.lines, raw: trimEol(rec.raw) });
        return null;
      },
    };
    csvParse().parse(text, options as unknown as CsvParseOptions);
  } catch (err) {
    // Errors that cannot be skipped end the file; what was read before them is kept.
    const line = (err as { lines?: unknown }).lines;
    rejected.push(rejectLine(file, typeof line === 'number' ? line : 0, `malformed CSV: ${errorMessage(err)}`, ''));
  }
  return { columns, records };
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
export function readTextLines(buf: Buffer, file: string, rows: Row[]): void {
  let text = buf.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text === '') return;
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const shared = { file };
  lines.forEach((l, i) => rows.push(withLineOrigin({ value: l.endsWith('\r') ? l.slice(0, -1) : l }, shared, i + 1)));
}
