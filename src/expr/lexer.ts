// Tokenizer for Spark SQL expressions: names, literals and operators, each with its place in the text.
//
// Tokens are read on demand, so the first problem in the text is the one reported, whether the lexer
// or the parser finds it. Keywords are not told apart here: a name is a keyword only where the parser
// expects one, so columns may be called `date`, `year` or `key` as in Spark.

export type TokenKind = 'name' | 'quoted' | 'number' | 'string' | 'binary' | 'op' | 'end';

export interface Token {
  readonly kind: TokenKind;
  /** The operator, the name, the number as written, or the decoded text of a string (hex digits for X'..'). */
  readonly text: string;
  /** Upper-cased name, for keyword tests; empty for other kinds. */
  readonly upper: string;
  /** 0-based offsets in the source: the token is `source.slice(start, end)`. */
  readonly start: number;
  readonly end: number;
}

/** Raises a syntax error at an offset; never returns. */
export type Fail = (offset: number, reason: string, expected?: string) => never;

// Longest first, so `<=>` is not read as `<=` and `>`.
const OPERATORS = ['<=>', '>>>', '<<', '>>', '<=', '>=', '<>', '!=', '==', '||', '::', '->', '=', ':', '<', '>', '!', '+', '-', '*', '/', '%', '(', ')', ',', '[', ']', '.', '&', '|', '^', '~'];

const WORD_START = /[\p{L}_]/u;
const WORD_CHAR = /[\p{L}\p{N}_]/u;
const NUMBER = /(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?(?:BD|[LDFSY])?/iy;
const isDigit = (c: string): boolean => c >= '0' && c <= '9';

export class Lexer {
  private pos = 0;
  /** End of the last token read, where an "unexpected end" is reported (after the last word, not after trailing blanks). */
  private lastEnd = 0;
  private readonly ahead: Token[] = [];

  constructor(
    private readonly src: string,
    private readonly fail: Fail,
  ) {}

  peek(k = 0): Token {
    while (this.ahead.length <= k) this.ahead.push(this.read());
    return this.ahead[k] as Token;
  }

  next(): Token {
    const t = this.peek();
    this.ahead.shift();
    return t;
  }

  private read(): Token {
    this.skipBlanks();
    const src = this.src;
    const start = this.pos;
    if (start >= src.length) return { kind: 'end', text: '', upper: '', start: this.lastEnd, end: this.lastEnd };
    const c = src.charAt(start);
    let tok: Token;
    if ((c === 'X' || c === 'x') && src.charAt(start + 1) === "'") {
      tok = this.binary(start);
    } else if (c === "'" || c === '"') {
      tok = this.strings(start);
    } else if (c === '`') {
      tok = this.quotedName(start);
    } else if (WORD_START.test(c)) {
      let k = start + 1;
      while (k < src.length && WORD_CHAR.test(src.charAt(k))) k++;
      const text = src.slice(start, k);
      tok = { kind: 'name', text, upper: text.toUpperCase(), start, end: k };
    } else if (isDigit(c) || (c === '.' && isDigit(src.charAt(start + 1)))) {
      NUMBER.lastIndex = start;
      const m = NUMBER.exec(src);
      const end = start + (m?.[0].length ?? 1);
      // Spark reads `12abc` as a name; a column name starting with digits needs backquotes here.
      if (end < src.length && WORD_CHAR.test(src.charAt(end))) {
        let k = end;
        while (k < src.length && WORD_CHAR.test(src.charAt(k))) k++;
        this.fail(start, `malformed number ${JSON.stringify(src.slice(start, k))}`, 'a number such as 12, 12L, 1.5, 1.5e3, 2D or 1.5BD (a name starting with a digit needs backquotes)');
      }
      tok = { kind: 'number', text: src.slice(start, end), upper: '', start, end };
    } else {
      const op = OPERATORS.find((o) => src.startsWith(o, start));
      if (op === undefined) this.fail(start, `unexpected character ${JSON.stringify(c)}`, 'an operator, a name, a number or a quoted string');
      tok = { kind: 'op', text: op, upper: '', start, end: start + op.length };
    }
    this.pos = tok.end;
    this.lastEnd = tok.end;
    return tok;
  }

  /** Skips white space, `-- line` and `/* block *\/` comments (block comments nest, as in Spark). */
  private skipBlanks(): void {
    const src = this.src;
    for (;;) {
      while (this.pos < src.length && /\s/.test(src.charAt(this.pos))) this.pos++;
      if (src.startsWith('--', this.pos)) {
        const nl = src.indexOf('\n', this.pos);
        this.pos = nl < 0 ? src.length : nl + 1;
      } else if (src.startsWith('/*', this.pos)) {
        const open = this.pos;
        let depth = 0;
        let k = this.pos;
        do {
          if (src.startsWith('/*', k)) {
            depth++;
            k += 2;
          } else if (src.startsWith('*/', k)) {
            depth--;
            k += 2;
          } else if (k >= src.length) {
            this.fail(open, 'unterminated comment', 'a closing */');
          } else {
            k++;
          }
        } while (depth > 0);
        this.pos = k;
      } else {
        return;
      }
    }
  }

  /** One string literal, or several in a row: adjacent literals concatenate, as in Spark ('a' 'b' is 'ab'). */
  private strings(start: number): Token {
    let text = '';
    let k = start;
    let end = start;
    do {
      const r = this.quoted(k);
      text += r.value;
      end = r.end;
      k = end;
      while (k < this.src.length && /\s/.test(this.src.charAt(k))) k++;
    } while (this.src.charAt(k) === "'" || this.src.charAt(k) === '"');
    return { kind: 'string', text, upper: '', start, end };
  }

  /** Reads one quoted string with Spark's backslash escapes; a doubled quote also stands for one quote. */
  private quoted(i: number): { value: string; end: number } {
    const src = this.src;
    const q = src.charAt(i);
    let value = '';
    let k = i + 1;
    while (k < src.length) {
      const c = src.charAt(k);
      if (c === q) {
        if (src.charAt(k + 1) !== q) return { value, end: k + 1 };
        value += q;
        k += 2;
      } else if (c === '\\' && k + 1 < src.length) {
        const r = unescape(src, k + 1);
        value += r.text;
        k = r.end;
      } else {
        value += c;
        k++;
      }
    }
    return this.fail(i, 'unterminated string', `a closing ${q}`);
  }

  private quotedName(i: number): Token {
    const src = this.src;
    let name = '';
    let k = i + 1;
    for (;;) {
      const close = src.indexOf('`', k);
      if (close < 0) this.fail(i, 'unterminated quoted name', 'a closing backquote');
      name += src.slice(k, close);
      if (src.charAt(close + 1) !== '`') return { kind: 'quoted', text: name, upper: '', start: i, end: close + 1 };
      name += '`';
      k = close + 2;
    }
  }

  /** X'0AFF': hex digits, an odd count padded with a leading zero as Spark does. */
  private binary(i: number): Token {
    const close = this.src.indexOf("'", i + 2);
    if (close < 0) this.fail(i + 1, 'unterminated binary literal', "a closing '");
    const hex = this.src.slice(i + 2, close);
    const bad = /[^0-9a-fA-F]/.exec(hex);
    if (bad !== null) this.fail(i + 2 + bad.index, `invalid hex digit ${JSON.stringify(bad[0])} in a binary literal`, "hex digits, as in X'0AFF'");
    return { kind: 'binary', text: hex.length % 2 === 1 ? `0${hex}` : hex, upper: '', start: i, end: close + 1 };
  }
}

const SIMPLE_ESCAPES: Record<string, string> = { '0': '\0', b: '\b', n: '\n', r: '\r', t: '\t', Z: '\u001a', '%': '\\%', _: '\\_' };

/** Spark's unescapeSQLString for one escape: `\uXXXX`, octal `\ddd`, the simple escapes, else the character itself. */
function unescape(src: string, k: number): { text: string; end: number } {
  const c = src.charAt(k);
  if (c === 'u' && /^[0-9a-fA-F]{4}$/.test(src.slice(k + 1, k + 5))) return { text: String.fromCharCode(parseInt(src.slice(k + 1, k + 5), 16)), end: k + 5 };
  if (/^[0-3][0-7]{2}$/.test(src.slice(k, k + 3))) return { text: String.fromCharCode(parseInt(src.slice(k, k + 3), 8)), end: k + 3 };
  return { text: SIMPLE_ESCAPES[c] ?? c, end: k + 1 };
}

/** "unexpected end of expression" or `unexpected "AND"`: the reason for a token the parser cannot take. */
export function unexpected(src: string, t: Token): string {
  if (t.kind === 'end') return 'unexpected end of expression';
  const text = src.slice(t.start, t.end);
  return `unexpected ${JSON.stringify(text.length > 40 ? `${text.slice(0, 37)}...` : text)}`;
}
