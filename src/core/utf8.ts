// Strict UTF-8, shared by the file source and the parse stage: one fast check over all the bytes, and
// for the rare input that fails it, a decoding that marks each invalid byte so that the records
// holding one can be found and their exact bytes given back.
//
//   valid input:    isValidUtf8 -> buf.toString('utf8')                 (the usual, fast path)
//   invalid input:  decodeMarkingInvalid: byte 0xNN of a broken sequence -> U+DCNN, a lone surrogate
//                   that no valid UTF-8 decodes to; hasInvalidBytes(record text) finds them, and
//                   encodeMarked(record text) gives the record's original bytes back.
import { isUtf8 } from 'node:buffer';

export function isValidUtf8(bytes: Uint8Array): boolean {
  return isUtf8(bytes);
}

/** Bytes decoded per piece, each ending after a newline so no sequence is split (see decodeMarkingInvalid). */
const PIECE_BYTES = 64 * 1024;

// With the u flag a class of surrogates matches only unpaired ones.
const MARKED = /[\uDC80-\uDCFF]/u;

/** True when the text decoded by decodeMarkingInvalid holds a byte that was not valid UTF-8. */
export function hasInvalidBytes(text: string): boolean {
  return MARKED.test(text);
}

/** Decodes the bytes as UTF-8, turning each byte of an invalid sequence into the lone surrogate
 * U+DC00 + byte (as Python's surrogateescape does). Valid stretches cost one native decode. */
export function decodeMarkingInvalid(bytes: Uint8Array): string {
  const buf = asBuffer(bytes);
  if (isUtf8(buf)) return buf.toString('utf8');
  let out = '';
  for (let from = 0; from < buf.length; ) {
    // A newline byte is never part of a multi-byte sequence, so pieces split there decode alike.
    let to = from + PIECE_BYTES >= buf.length ? buf.length : buf.indexOf(10, from + PIECE_BYTES);
    to = to === -1 ? buf.length : Math.min(buf.length, to + 1);
    const piece = buf.subarray(from, to);
    out += isUtf8(piece) ? piece.toString('utf8') : decodeLines(piece);
    from = to;
  }
  return out;
}

function decodeLines(piece: Buffer): string {
  let out = '';
  for (let from = 0; from < piece.length; ) {
    const nl = piece.indexOf(10, from);
    const to = nl === -1 ? piece.length : nl + 1;
    const line = piece.subarray(from, to);
    out += isUtf8(line) ? line.toString('utf8') : decodeSlowly(line);
    from = to;
  }
  return out;
}

/** Byte-by-byte UTF-8 decoding (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF). */
function decodeSlowly(b: Uint8Array): string {
  const units: number[] = [];
  let i = 0;
  while (i < b.length) {
    const c = b[i] ?? 0;
    let need = 0;
    let cp = 0;
    let min = 0;
    if (c < 0x80) {
      units.push(c);
      i++;
      continue;
    } else if (c >= 0xc2 && c <= 0xdf) {
      need = 1; cp = c & 0x1f; min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
      need = 2; cp = c & 0x0f; min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3; cp = c & 0x07; min = 0x10000;
    }
    let ok = need > 0 && i + need < b.length;
    for (let k = 1; ok && k <= need; k++) {
      const x = b[i + k];
      if (x === undefined || (x & 0xc0) !== 0x80) ok = false;
      else cp = (cp << 6) | (x & 0x3f);
    }
    if (ok && (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))) ok = false;
    if (!ok) {
      units.push(0xdc00 + c);
      i++;
      continue;
    }
    if (cp >= 0x10000) units.push(0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 0x3ff));
    else units.push(cp);
    i += need + 1;
  }
  let s = '';
  for (let k = 0; k < units.length; k += 8192) s += String.fromCharCode(...units.slice(k, k + 8192));
  return s;
}

/** The original bytes of text from decodeMarkingInvalid: marked bytes as themselves, the rest as UTF-8. */
export function encodeMarked(text: string): Buffer {
  const parts: Buffer[] = [];
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    const u = text.charCodeAt(i);
    if (u < 0xdc80 || u > 0xdcff) continue;
    const prev = i > 0 ? text.charCodeAt(i - 1) : 0;
    if (prev >= 0xd800 && prev <= 0xdbff) continue; // the second half of a pair, not a marked byte
    if (i > run) parts.push(Buffer.from(text.slice(run, i), 'utf8'));
    parts.push(Buffer.of(u - 0xdc00));
    run = i + 1;
  }
  if (run === 0) return Buffer.from(text, 'utf8');
  if (run < text.length) parts.push(Buffer.from(text.slice(run), 'utf8'));
  return Buffer.concat(parts);
}

function asBuffer(b: Uint8Array): Buffer {
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}
