// Pre-lexer: turns Spark SQL expression text into text the SQL parser accepts, keeping literals and names aside.
//
// The parser's Hive dialect is close to Spark but not equal: it has no `<=>`, no 3-part names, no ESCAPE,
// folds numbers and decodes strings its own way. So literals and column paths are replaced by placeholders
// (`'N'` for strings, `` `\u0002N` `` for numbers, `` `\u0001N` `` for column paths) and decoded by us;
// every emitted piece remembers where it came from, so parser errors point into the user's text.
//
//   user text --lex--> rewritten text + tables + offset map --parser--> AST --convert--> Node
import { LocalError } from './errors.ts';

export interface StringLit {
  readonly value: string;
  readonly offset: number;
  /** Escape character given by `LIKE ... ESCAPE 'c'`. */
  escape?: string;
}
export interface NumberLit {
  readonly text: string;
  readonly offset: number;
}
export interface PathLit {
  readonly parts: readonly string[];
  readonly offset: number;
}

export interface TypeLit {
  readonly text: string;
  readonly offset: number;
}

export interface Lexed {
  readonly text: string;
  readonly strings: readonly StringLit[];
  readonly numbers: readonly NumberLit[];
  readonly paths: readonly PathLit[];
  readonly types: readonly TypeLit[];
  /** Maps an offset in `text` back to an offset in the user's source. */
  readonly originalOffset: (rewritten: number) => number;
}

export const PATH_MARK = '\u0001';
export const NUMBER_MARK = '\u0002';

const KEYWORDS = new Set([
  'AND', 'OR', 'NOT', 'IN', 'IS', 'NULL', 'TRUE', 'FALSE', 'CASE', 'WHEN', 'THEN', 'ELSE', 'END', 'CAST',
  'AS', 'BETWEEN', 'LIKE', 'RLIKE', 'CURRENT_DATE', 'CURRENT_TIMESTAMP',
]);

const CONNECTIVES = new Set(['AND', 'OR', 'THEN', 'ELSE', 'END', 'WHEN', 'IS']);
const OPERAND_EXPECTED = new Set(['', 'DIV', '+', '-', '*', '/', '%', '=', '==', '<=>', '<', '<=', '>', '>=', '<>', '!=', '||', '(', ',', '[', '!', 'AND', 'OR', 'NOT', 'WHEN', 'THEN', 'ELSE', 'IN', 'LIKE', 'RLIKE', 'BETWEEN']);

export class LexError extends LocalError {
  readonly offset: number;
  constructor(message: string, offset: number, expected?: string) {
    super(message, expected === undefined ? {} : { expected });
    this.offset = offset;
  }
}

const isWordStart = (c: string): boolean => /[\p{L}_]/u.test(c);
const isWordChar = (c: string): boolean => /[\p{L}\p{N}_]/u.test(c);
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

export function lex(src: string): Lexed {
  const out: string[] = [];
  const marks: number[] = []; // pairs: rewritten offset, original offset
  let outLen = 0;
  const strings: StringLit[] = [];
  const numbers: NumberLit[] = [];
  const paths: PathLit[] = [];
  const types: TypeLit[] = [];
  /** Last significant token emitted, upper-cased, for context decisions. */
  let prev = '';
  let prevPrev = '';
  let i = 0;

  /** Open CASE, CAST( and IN( groups whose operands get synthetic parentheses; `depth` counts the user's own. */
  const frames: { kind: 'case' | 'cast' | 'in'; depth: number; open: boolean }[] = [];
  let depth = 0;
  // CASE subjects and THEN/ELSE results may hold AND/OR in Spark, not in the parser: wrap each of them.
  const groupCase = (upper: string, nextWord: string, next: string, text: string): string => {
    const frame = frames[frames.length - 1];
    const here = frame !== undefined && frame.depth === depth;
    if (upper === 'CASE') {
      const subject = nextWord !== 'WHEN';
      frames.push({ kind: 'case', depth, open: subject });
      // `CASE (x)` confuses the parser; `CASE +(x)` does not, and the converter drops the unary plus.
      return subject ? `${text} +(` : text;
    }
    if (here && frame.kind === 'cast' && upper === 'AS') {
      frames.pop();
      return `) ${text}`;
    }
    if (here && frame.kind === 'case' && (upper === 'WHEN' || upper === 'THEN' || upper === 'ELSE' || upper === 'END')) {
      const close = frame.open ? ') ' : '';
      frame.open = upper === 'THEN' || upper === 'ELSE';
      if (upper === 'END') frames.pop();
      return `${close}${text}${frame.open ? ' (' : ''}`;
    }
    // The parser reads `NOT (x)` as a function call, which binds tighter than SQL's NOT; a unary + in between keeps SQL precedence.
    return upper === 'NOT' && next === '(' ? 'NOT +' : text;
  };

  const emit = (text: string, from: number): void => {
    marks.push(outLen, from);
    out.push(text);
    outLen += text.length;
  };
  const sig = (tok: string): void => {
    prevPrev = prev;
    prev = tok;
  };
  const skipSpace = (k: number): number => {
    while (k < src.length && /\s/.test(src.charAt(k))) k++;
    return k;
  };

  while (i < src.length) {
    const c = src.charAt(i);
    const start = i;
    if (/\s/.test(c)) {
      emit(c, i);
      i++;
    } else if (src.startsWith('--', i)) {
      const end = src.indexOf('\n', i);
      i = end < 0 ? src.length : end;
      emit(' ', start);
    } else if (src.startsWith('/*', i)) {
      const end = src.indexOf('*/', i + 2);
      if (end < 0) throw new LexError('unterminated comment', i, 'a closing */');
      i = end + 2;
      emit(' ', start);
    } else if (c === "'" || c === '"') {
      // Adjacent literals concatenate, as in Spark: 'a' 'b' is 'ab'.
      let value = '';
      let k = i;
      while (k < src.length && (src.charAt(k) === "'" || src.charAt(k) === '"')) {
        const r = readString(src, k);
        value += r.value;
        i = r.end;
        k = skipSpace(i);
      }
      strings.push({ value, offset: start });
      emit(`'${strings.length - 1}'`, start);
      sig("'");
    } else if (c === '`' || isWordStart(c)) {
      const word = c === '`' ? null : readWord(src, i);
      const upper = word?.toUpperCase() ?? '';
      const next = src.charAt(skipSpace(i + (word?.length ?? 0)));
      if (word !== null && upper === 'REGEXP') {
        emit('RLIKE ', i);
        i += word.length;
        sig('RLIKE');
      } else if (word !== null && upper === 'ESCAPE') {
        i = readEscape(src, i + word.length, strings, prev, prevPrev, skipSpace);
        emit(' ', start);
        sig('ESCAPE');
      } else if (word !== null && upper === 'IS' && /^IS\s+(NOT\s+)?DISTINCT\s+FROM\b/i.test(src.slice(i))) {
        // Comparison precedence again, marked by a unary plus: `= +` is null-safe equality, `<> +` its negation.
        const m = /^IS\s+(NOT\s+)?DISTINCT\s+FROM\b/i.exec(src.slice(i))?.[0] ?? '';
        emit(/NOT/i.test(m) ? '= +' : '<> +', i);
        i += m.length;
        sig('=');
      } else if (word !== null && upper === 'DIV') {
        // The parser has no DIV; `/ +` has its precedence, and the unary plus (never the user's, those are dropped) marks it.
        emit('/ +', i);
        i += word.length;
        sig('DIV');
      } else if (word !== null && upper === 'INTERVAL') {
        throw new LexError('INTERVAL is not supported', i, 'an expression without intervals');
      } else if (word !== null && CONNECTIVES.has(upper) && OPERAND_EXPECTED.has(prev)) {
        // The parser would take a misplaced AND for a name and complain later; say it where it is.
        throw new LexError(`unexpected ${JSON.stringify(word)}`, i, prev === '' ? 'an expression' : `an operand after ${prev === "'" ? 'the string' : prev}`);
      } else if (word !== null && (KEYWORDS.has(upper) || next === '(' || prev === 'AS' || ((upper === 'DATE' || upper === 'TIMESTAMP') && (next === "'" || next === '"')))) {
        // Keywords, function names and typed literals go to the parser as they are.
        i += word.length;
        if (prev === 'AS') {
          // CAST targets travel as DECIMAL(n), n indexing our own table: the parser knows few Spark type names.
          if (next === '(') {
            const close = src.indexOf(')', i);
            if (close < 0) throw new LexError('unclosed type parameters', i, ')');
            i = close + 1;
          }
          types.push({ text: src.slice(start, i).replace(/\s+/g, ''), offset: start });
          emit(`DECIMAL(${types.length - 1})`, start);
        } else if ((upper === 'CAST' || upper === 'IN') && next === '(') {
          // The parser takes no AND/OR inside CAST( ... AS) or an IN list, so each operand gets its own parentheses.
          i = skipSpace(i) + 1;
          depth++;
          frames.push({ kind: upper === 'CAST' ? 'cast' : 'in', depth, open: true });
          emit(`${src.slice(start, i)}(`, start);
          sig(upper);
          sig('(');
          continue;
        } else {
          emit(groupCase(upper, readWord(src, skipSpace(i)).toUpperCase(), next, src.slice(start, i)), start);
        }
        sig(upper);
      } else {
        const parts: string[] = [];
        for (;;) {
          const r = src.charAt(i) === '`' ? readQuotedName(src, i) : { name: readWord(src, i), end: i + readWord(src, i).length };
          parts.push(r.name);
          i = r.end;
          if (src.charAt(i) === '.' && (src.charAt(i + 1) === '`' || isWordStart(src.charAt(i + 1)))) i++;
          else break;
        }
        paths.push({ parts, offset: start });
        emit(`\`${PATH_MARK}${paths.length - 1}\``, start);
        sig('NAME');
      }
    } else if (isDigit(c) || (c === '.' && isDigit(src.charAt(i + 1)))) {
      const m = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?(BD|[LDFSY])?/i.exec(src.slice(i));
      const text = m?.[0] ?? c;
      i += text.length;
      if (isWordChar(src.charAt(i))) throw new LexError(`malformed number ${JSON.stringify(text + src.charAt(i))}`, start, 'a number');
      if (prev === '[' || (prev === '-' && prevPrev === '[')) {
        emit(text, start);
      } else {
        numbers.push({ text, offset: start });
        emit(`\`${NUMBER_MARK}${numbers.length - 1}\``, start);
      }
      sig('NUMBER');
    } else {
      const op = /^(<=>|==|<=|>=|<>|!=|\|\||[-+*/%=<>!(),[\].])/.exec(src.slice(i))?.[0];
      if (op === undefined) throw new LexError(`unexpected character ${JSON.stringify(c)}`, i, 'an operator, a name, a number or a quoted string');
      if (op === '[' && !/^\[\s*(-?\s*\d+|'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")\s*\]/.test(src.slice(i))) {
        throw new LexError('a subscript must be a literal number or string', i + 1, 'arr[0] or m[\'key\'], or element_at(x, i) for a computed position');
      }
      const frame = frames[frames.length - 1];
      const inList = frame?.kind === 'in' && frame.depth === depth;
      if (op === '(') depth++;
      if (op === ')') {
        if (inList) frames.pop();
        depth--;
      }
      // `==` is plain equality; the parser's `==` slot is then free to carry null-safe `<=>`.
      // A unary plus does nothing in SQL; dropping it frees the parser's unary plus for our own markers.
      const unaryPlus = op === '+' && OPERAND_EXPECTED.has(prev);
      emit(op === '<=>' ? '== ' : op === '==' ? '= ' : inList && op === ',' ? '),(' : inList && op === ')' ? '))' : unaryPlus ? ' ' : op, i);
      i += op.length;
      sig(op);
    }
  }
  return { text: out.join(''), strings, numbers, paths, types, originalOffset: (off) => mapBack(marks, off, src.length) };
}

function mapBack(marks: readonly number[], off: number, srcLen: number): number {
  let lo = 0;
  let hi = marks.length / 2 - 1;
  if (hi < 0) return 0;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((marks[mid * 2] ?? 0) <= off) lo = mid;
    else hi = mid - 1;
  }
  const rw = marks[lo * 2] ?? 0;
  const orig = marks[lo * 2 + 1] ?? 0;
  return Math.min(srcLen, orig + Math.max(0, off - rw));
}

function readWord(src: string, i: number): string {
  let k = i;
  while (k < src.length && isWordChar(src.charAt(k))) k++;
  return src.slice(i, k);
}

function readQuotedName(src: string, i: number): { name: string; end: number } {
  let name = '';
  let k = i + 1;
  for (;;) {
    const end = src.indexOf('`', k);
    if (end < 0) throw new LexError('unterminated quoted name', i, 'a closing backquote');
    name += src.slice(k, end);
    if (src.charAt(end + 1) === '`') {
      name += '`';
      k = end + 2;
    } else {
      return { name, end: end + 1 };
    }
  }
}

/** Reads one quoted string with Spark's backslash escapes; a doubled quote also stands for one quote. */
function readString(src: string, i: number): { value: string; end: number } {
  const q = src.charAt(i);
  let value = '';
  let k = i + 1;
  while (k < src.length) {
    const c = src.charAt(k);
    if (c === q) {
      if (src.charAt(k + 1) === q) {
        value += q;
        k += 2;
        continue;
      }
      return { value, end: k + 1 };
    }
    if (c === '\\' && k + 1 < src.length) {
      const r = unescape(src, k + 1);
      value += r.text;
      k = r.end;
      continue;
    }
    value += c;
    k++;
  }
  throw new LexError('unterminated string', i, `a closing ${q}`);
}

const SIMPLE_ESCAPES: Record<string, string> = { '0': '\0', b: '\b', n: '\n', r: '\r', t: '\t', Z: '\u001a', '%': '\\%', _: '\\_' };

function unescape(src: string, k: number): { text: string; end: number } {
  const c = src.charAt(k);
  if (c === 'u' && /^[0-9a-fA-F]{4}$/.test(src.slice(k + 1, k + 5))) return { text: String.fromCharCode(parseInt(src.slice(k + 1, k + 5), 16)), end: k + 5 };
  if (/^[0-3][0-7]{2}$/.test(src.slice(k, k + 3))) return { text: String.fromCharCode(parseInt(src.slice(k, k + 3), 8)), end: k + 3 };
  return { text: SIMPLE_ESCAPES[c] ?? c, end: k + 1 };
}

/** Folds `ESCAPE 'c'` into the LIKE pattern literal just before it; returns where lexing resumes. */
function readEscape(src: string, i: number, strings: StringLit[], prev: string, prevPrev: string, skipSpace: (k: number) => number): number {
  const pattern = strings[strings.length - 1];
  if (prev !== "'" || prevPrev !== 'LIKE' || pattern === undefined) throw new LexError('ESCAPE must follow LIKE and a quoted pattern', i, "LIKE 'pattern' ESCAPE 'c'");
  const k = skipSpace(i);
  if (src.charAt(k) !== "'" && src.charAt(k) !== '"') throw new LexError('ESCAPE needs a quoted character', k, "a single character such as '!'");
  const r = readString(src, k);
  if ([...r.value].length !== 1) throw new LexError('the escape must be a single character', k, "a single character such as '!'");
  pattern.escape = r.value;
  return r.end;
}
