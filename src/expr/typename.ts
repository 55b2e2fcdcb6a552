// Data types after `CAST(x AS` and `::`, in Spark's syntax: a name with parameters (`DECIMAL(10,2)`,
// `VARCHAR(5)`) or a nested type (`ARRAY<INT>`, `MAP<STRING, BIGINT>`, `STRUCT<a: INT, b STRING>`).
import { parseTypeName } from './cast.ts';
import { describePosition, LocalError } from './errors.ts';
import { type Fail, type Lexer, type Token, unexpected } from './lexer.ts';

const TYPE_EXAMPLES = 'STRING, INT, BIGINT, DOUBLE, BOOLEAN, DATE, TIMESTAMP, BINARY or DECIMAL(10,2)';

/**
 * Reads a type and returns its text as written without blanks or comments (`DECIMAL(10,2)`) and where
 * it starts; a type the compiler cannot cast to is reported here, at the type.
 */
export function readType(lx: Lexer, src: string, fail: Fail, after: string): { text: string; pos: number } {
  const pos = lx.peek().start;
  const reader = new TypeReader(lx, src, fail);
  const text = reader.type(after);
  if (reader.pendingClose > 0) fail(lx.peek().start - reader.pendingClose, 'unexpected ">"', 'the end of the type');
  if (text.includes('<')) fail(pos, `casts to ${text} are not supported`, `a type such as ${TYPE_EXAMPLES}`);
  try {
    parseTypeName(text);
  } catch (err) {
    if (err instanceof LocalError) fail(pos, err.message, err.expected);
    throw err;
  }
  return { text, pos };
}

class TypeReader {
  /** `>` still owed to enclosing types after a `>>` or `>>>` token closed more than one. */
  pendingClose = 0;

  constructor(
    private readonly lx: Lexer,
    private readonly src: string,
    private readonly fail: Fail,
  ) {}

  type(after: string): string {
    const t = this.lx.peek();
    if (t.kind !== 'name') return this.fail(t.start, unexpected(this.src, t), `a type after ${after}, such as ${TYPE_EXAMPLES}`);
    this.lx.next();
    const name = t.text;
    const next = this.lx.peek();
    if (next.kind === 'op' && next.text === '<' && (t.upper === 'ARRAY' || t.upper === 'MAP' || t.upper === 'STRUCT')) {
      this.lx.next();
      const opened = `the ${t.upper}< opened at ${describePosition(this.src, next.start)}`;
      if (t.upper === 'ARRAY') {
        const element = this.type(`${t.upper}<`);
        this.close(opened);
        return `${name}<${element}>`;
      }
      if (t.upper === 'MAP') {
        const key = this.type('MAP<');
        this.expect(',', `"," and the value type of ${opened}`);
        const value = this.type('MAP<key,');
        this.close(opened);
        return `${name}<${key},${value}>`;
      }
      return `${name}<${this.fields(opened)}>`;
    }
    if (next.kind === 'op' && next.text === '(') {
      this.lx.next();
      const params: string[] = [];
      do {
        const p = this.lx.peek();
        if (p.kind !== 'number' || !/^\d+$/.test(p.text)) this.fail(p.start, unexpected(this.src, p), `a whole number as a parameter of ${t.upper}`);
        params.push(this.lx.next().text);
      } while (this.accept(','));
      this.expect(')', `"," or ")" to close the parameters of ${t.upper} opened at ${describePosition(this.src, next.start)}`);
      return `${name}(${params.join(',')})`;
    }
    return name;
  }

  /** `name[:] type [NOT NULL] [COMMENT '...']`, comma-separated, up to the closing `>`. */
  private fields(opened: string): string {
    const out: string[] = [];
    while (!this.atClose()) {
      if (out.length > 0) this.expect(',', `"," or ">" to close ${opened}`);
      const f = this.lx.peek();
      if (f.kind !== 'name' && f.kind !== 'quoted') this.fail(f.start, unexpected(this.src, f), `a field name in ${opened}`);
      this.lx.next();
      this.accept(':');
      const type = this.type(`the field ${f.text}`);
      if (this.acceptWord('NOT')) this.expectWord('NULL', '"NULL" after NOT');
      if (this.acceptWord('COMMENT')) {
        const c = this.lx.peek();
        if (c.kind !== 'string') this.fail(c.start, unexpected(this.src, c), 'a quoted comment');
        this.lx.next();
      }
      out.push(`${f.text}:${type}`);
    }
    this.close(opened);
    return out.join(',');
  }

  private atClose(): boolean {
    const t = this.lx.peek();
    return this.pendingClose > 0 || (t.kind === 'op' && (t.text === '>' || t.text === '>>' || t.text === '>>>')) || t.kind === 'end';
  }

  /** Takes one `>`; a `>>` or `>>>` token closes the enclosing types too. */
  private close(opened: string): void {
    if (this.pendingClose > 0) {
      this.pendingClose--;
      return;
    }
    const t = this.lx.peek();
    if (t.kind === 'op' && (t.text === '>' || t.text === '>>' || t.text === '>>>')) {
      this.lx.next();
      this.pendingClose = t.text.length - 1;
      return;
    }
    this.fail(t.start, unexpected(this.src, t), `">" to close ${opened}`);
  }

  private accept(op: string): boolean {
    const t = this.lx.peek();
    if (t.kind !== 'op' || t.text !== op) return false;
    this.lx.next();
    return true;
  }

  private acceptWord(word: string): boolean {
    const t = this.lx.peek();
    if (t.kind !== 'name' || t.upper !== word) return false;
    this.lx.next();
    return true;
  }

  private expect(op: string, expected: string): void {
    if (this.accept(op)) return;
    const t: Token = this.lx.peek();
    this.fail(t.start, unexpected(this.src, t), expected);
  }

  private expectWord(word: string, expected: string): void {
    if (this.acceptWord(word)) return;
    const t = this.lx.peek();
    this.fail(t.start, unexpected(this.src, t), expected);
  }
}
