// JSON documents in files: the one JSON parser of the file source, Spark's multiLine mode (a file is
// one JSON object or an array of them), and telling a pretty-printed document from JSON lines.
import { errorMessage } from '../../core/errors.ts';
import { withLineOrigin, type Rejected, type Row } from '../../core/record.ts';
import { parseJson as parseJsonValues } from '../../schema/values/json.ts';
import { toJsonText } from '../../schema/values/format.ts';

/** Every JSON text the file source reads goes through here: JSON.parse, or the exact reader where the
 * text holds a number a double would round (src/schema/values/json.ts). */
export function parseJson(text: string): unknown {
  return parseJsonValues(text);
}

/** A file sent whole to the DLQ keeps its text as the payload up to this size (the file itself stays:
 * cleanSource does not delete such files). */
export const MAX_FILE_PAYLOAD = 1024 * 1024;

export function wholeFilePayload(text: string): string | null {
  return text.length <= MAX_FILE_PAYLOAD ? text : null;
}

export function describeJson(v: unknown): string {
  if (Array.isArray(v)) return 'an array';
  if (v === null) return 'null';
  return typeof v === 'object' ? 'an object' : typeof v;
}

function wholeFile(file: string, message: string, text: string | undefined): Rejected {
  return { errorType: 'SCHEMA_VALIDATION', stage: 'source', rule: 'multiLine', message, payload: text === undefined ? null : wholeFilePayload(text), origin: { file } };
}

function isBlank(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

/** multiLine: the file is one JSON document, an object (one row) or an array (a row per object).
 * Returns true when the file went to the DLQ whole (it does not parse, or holds no object). */
export function readJsonDocument(text: string, file: string, rows: Row[], rejected: Rejected[]): boolean {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') return false;
  let doc: unknown;
  try {
    doc = parseJson(text);
  } catch (err) {
    rejected.push(wholeFile(file, `malformed JSON document: ${errorMessage(err)}`, text));
    return true;
  }
  const shared = { file };
  if (Array.isArray(doc)) {
    const lines = elementLines(text);
    (doc as unknown[]).forEach((v, i) => {
      const line = lines[i] ?? 1;
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) rows.push(withLineOrigin(v as Row, shared, line));
      else rejected.push({ errorType: 'SCHEMA_VALIDATION', stage: 'source', message: `element ${i} of the document is ${describeJson(v)}, expected a JSON object`, payload: toJsonText(v, null), origin: { file, line } });
    });
    return false;
  }
  if (doc !== null && typeof doc === 'object') {
    rows.push(withLineOrigin(doc as Row, shared, firstLine(text)));
    return false;
  }
  rejected.push(wholeFile(file, `the document is ${describeJson(doc)}, expected a JSON object or an array of objects`, text));
  return true;
}

function firstLine(text: string): number {
  let line = 1;
  for (let i = 0; i < text.length && isBlank(text.charCodeAt(i)); i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** The line on which each element of a top-level JSON array starts, in one pass over valid JSON text. */
export function elementLines(text: string): number[] {
  const out: number[] = [];
  let line = 1;
  let depth = 0;
  let expecting = false;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // a backslash escapes the next character
      else if (c === 34) inString = false;
      continue;
    }
    if (c === 10) line++;
    if (isBlank(c)) continue;
    if (depth === 1 && c === 93) break; // the array's closing bracket
    if (depth === 1 && expecting) {
      out.push(line);
      expecting = false;
    }
    if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      depth++;
      if (depth === 1) expecting = true;
    } else if (c === 93 || c === 125) depth--;
    else if (c === 44 && depth === 1) expecting = true;
  }
  return out;
}

/** Without multiLine: when a file is clearly one multi-line JSON document rather than JSON lines (its
 * first line is not an object of its own and the whole text is one object or array), the entry that
 * stands for the whole file; undefined when it should be read as JSON lines. */
export function documentInsteadOfLines(buf: Buffer, from: number, file: string): Rejected | undefined {
  let start = from;
  while (start < buf.length && isBlank(buf[start] ?? 0)) start++;
  const first = buf[start];
  if (first !== 0x7b && first !== 0x5b) return undefined; // `{` or `[`
  const nl = buf.indexOf(10, start);
  if (nl === -1) return undefined; // one line: JSON lines and a document are the same
  const head = buf.toString('utf8', start, nl).trim();
  if (head !== '{' && head !== '[' && parsesAsObject(head)) return undefined;
  if (buf.subarray(nl).every(isBlank)) return undefined;
  let text: string | undefined;
  let doc: unknown;
  try {
    // Inside the try: a file too large for one string cannot be one document either.
    text = buf.toString('utf8', from);
    doc = parseJson(text);
  } catch (err) {
    if (head !== '{' && head !== '[') return undefined;
    return wholeFile(file, `this file looks like one multi-line JSON document (its first line is "${head}"), not JSON lines, and it does not parse: ${errorMessage(err)}`, text);
  }
  if (doc === null || typeof doc !== 'object') return undefined;
  const what = Array.isArray(doc) ? `an array of ${doc.length} element${doc.length === 1 ? '' : 's'}` : 'an object';
  return wholeFile(file, `this file holds one multi-line JSON document (${what}), not JSON lines; set multiLine: true to read it`, text);
}

function parsesAsObject(line: string): boolean {
  try {
    const v = parseJson(line);
    return v !== null && typeof v === 'object' && !Array.isArray(v);
  } catch {
    return false;
  }
}
