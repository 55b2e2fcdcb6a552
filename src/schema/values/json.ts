// JSON text to values without losing a digit: JSON.parse rounds every number to a double, so an id
// like 9223372036854775807 or a decimal like 12345678901234567.89 would change on the way in.
//
// The readers keep JSON.parse for the common case and call `parseJsonExact` only for text where
// `mayLoseDigits` finds a long run of digits: one regular-expression scan per piece of input decides.
// The exact parser reads like JSON.parse (same grammar, last duplicate key wins, `__proto__` an
// ordinary key) and differs only in its numbers: an integer beyond 2^53 becomes a bigint, and a
// number with more significant digits than a double keeps becomes a NumberText.
import { NumberText } from './numbers.ts';

/** Sixteen digits (or digits and points) in a row: the only way a JSON number can hold more than the
 * fifteen significant digits every double represents exactly. Text without such a run parses the
 * same with JSON.parse. False positives (a long digit string inside a string) only cost time.
 *
 * Every fifteenth character is looked at, since any run of sixteen covers one of them; only a digit
 * found there is followed out to its run's ends. A regular expression would test every position
 * and cost most of what JSON.parse itself costs. */
export function mayLoseDigits(text: string): boolean {
  const n = text.length;
  for (let i = 15; i < n; i += 15) {
    if (!isDigitOrPoint(text.charCodeAt(i))) continue;
    let a = i - 1;
    while (a >= 0 && isDigitOrPoint(text.charCodeAt(a))) a--;
    let b = i + 1;
    while (b < n && isDigitOrPoint(text.charCodeAt(b))) b++;
    if (b - a - 1 >= 16) return true;
    // The next run starts after this one; a run of sixteen there still covers a later sample.
    i = b;
  }
  return false;
}

function isDigitOrPoint(c: number): boolean {
  return (c >= 48 && c <= 57) || c === 46;
}

/** JSON.parse for text that may hold numbers a double cannot: exact everywhere, fast where it can be. */
export function parseJson(text: string): unknown {
  return mayLoseDigits(text) ? parseJsonExact(text) : JSON.parse(text);
}

class Parser {
  pos = 0;
  constructor(private readonly s: string) {}

  failAt(pos: number, what: string): never {
    this.pos = pos;
    return this.fail(what);
  }

  fail(what: string): never {
    const at = this.pos < this.s.length ? `token ${JSON.stringify(this.s.charAt(this.pos))}` : 'end of JSON input';
    throw new SyntaxError(`Unexpected ${at} ${what} at position ${this.pos}`);
  }

  ws(): void {
    const s = this.s;
    let c = s.charCodeAt(this.pos);
    while (c === 32 || c === 10 || c === 13 || c === 9) c = s.charCodeAt(++this.pos);
  }

  value(depth: number): unknown {
    if (depth > 5000) this.fail('(nested too deeply)');
    this.ws();
    const c = this.s.charCodeAt(this.pos);
    if (c === 123) return this.object(depth);
    if (c === 91) return this.array(depth);
    if (c === 34) return this.string();
    if (c === 45 || (c >= 48 && c <= 57)) return this.number();
    if (this.s.startsWith('true', this.pos)) { this.pos += 4; return true; }
    if (this.s.startsWith('false', this.pos)) { this.pos += 5; return false; }
    if (this.s.startsWith('null', this.pos)) { this.pos += 4; return null; }
    return this.fail('(expected a JSON value)');
  }

  object(depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.pos++;
    this.ws();
    if (this.s.charCodeAt(this.pos) === 125) { this.pos++; return out; }
    for (;;) {
      this.ws();
      if (this.s.charCodeAt(this.pos) !== 34) this.fail('(expected a property name)');
      const key = this.string();
      this.ws();
      if (this.s.charCodeAt(this.pos) !== 58) this.fail("(expected ':')");
      this.pos++;
      const v = this.value(depth + 1);
      // defineProperty makes "__proto__" an own key, as JSON.parse does, where assignment would not.
      if (key === '__proto__') Object.defineProperty(out, key, { value: v, writable: true, enumerable: true, configurable: true });
      else out[key] = v;
      this.ws();
      const c = this.s.charCodeAt(this.pos++);
      if (c === 125) return out;
      if (c !== 44) this.failAt(this.pos - 1, "(expected ',' or '}')");
    }
  }

  array(depth: number): unknown[] {
    const out: unknown[] = [];
    this.pos++;
    this.ws();
    if (this.s.charCodeAt(this.pos) === 93) { this.pos++; return out; }
    for (;;) {
      out.push(this.value(depth + 1));
      this.ws();
      const c = this.s.charCodeAt(this.pos++);
      if (c === 93) return out;
      if (c !== 44) this.failAt(this.pos - 1, "(expected ',' or ']')");
    }
  }

  string(): string {
    const s = this.s;
    const start = ++this.pos;
    // The common case: no escape before the closing quote.
    for (let i = start; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 34) {
        this.pos = i + 1;
        return s.slice(start, i);
      }
      if (c === 92) break;
      if (c < 32) this.failAt(i, '(control character in string)');
    }
    let out = '';
    let from = start;
    for (let i = start; ; i++) {
      if (i >= s.length) this.failAt(i, '(unterminated string)');
      const c = s.charCodeAt(i);
      if (c === 34) {
        this.pos = i + 1;
        return out + s.slice(from, i);
      }
      if (c < 32) this.failAt(i, '(control character in string)');
      if (c !== 92) continue;
      out += s.slice(from, i);
      const e = s.charAt(i + 1);
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          const hex = s.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.failAt(i, '(bad \\u escape)');
          out += String.fromCharCode(parseInt(hex, 16));
          i += 4;
          break;
        }
        default:
          this.pos = i + 1;
          this.fail('(bad escape)');
      }
      i++;
      from = i + 1;
    }
  }

  number(): unknown {
    const s = this.s;
    const start = this.pos;
    let i = start;
    if (s.charCodeAt(i) === 45) i++;
    const first = s.charCodeAt(i);
    if (first === 48) i++;
    else if (first >= 49 && first <= 57) while (isDigit(s.charCodeAt(i))) i++;
    else this.failAt(i, '(no number after minus sign)');
    let integral = true;
    if (s.charCodeAt(i) === 46) {
      integral = false;
      i++;
      if (!isDigit(s.charCodeAt(i))) this.failAt(i, '(unterminated fractional number)');
      while (isDigit(s.charCodeAt(i))) i++;
    }
    const ec = s.charCodeAt(i);
    if (ec === 101 || ec === 69) {
      integral = false;
      i++;
      const sc = s.charCodeAt(i);
      if (sc === 43 || sc === 45) i++;
      if (!isDigit(s.charCodeAt(i))) this.failAt(i, '(exponent part is missing a number)');
      while (isDigit(s.charCodeAt(i))) i++;
    }
    this.pos = i;
    const text = s.slice(start, i);
    const n = Number(text);
    if (integral) return Number.isSafeInteger(n) ? n : BigInt(text);
    return significantDigits(text) <= 15 ? n : new NumberText(text);
  }
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Significant digits of a number literal's mantissa (leading and trailing zeros do not count). */
function significantDigits(text: string): number {
  const e = text.search(/[eE]/);
  const mant = (e === -1 ? text : text.slice(0, e)).replace('-', '').replace('.', '');
  return mant.replace(/^0+/, '').replace(/0+$/, '').length;
}

/** Parses JSON text exactly (see the module comment). Throws a SyntaxError like JSON.parse. */
export function parseJsonExact(text: string): unknown {
  const p = new Parser(text);
  const v = p.value(0);
  p.ws();
  if (p.pos < text.length) p.fail('(unexpected text after the JSON value)');
  return v;
}
