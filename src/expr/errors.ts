// Compile-time expression errors: a ConfigError that names the expression, the position and what was expected.
import { ConfigError, ErrorCodes, SluiceError } from '../core/errors.ts';

export interface SourcePosition {
  /** 0-based character offset into the expression text. */
  readonly offset: number;
  /** 1-based line and column. */
  readonly line: number;
  readonly column: number;
}

export function positionOf(source: string, offset: number): SourcePosition {
  const at = Math.max(0, Math.min(offset, source.length));
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < at; i++) {
    if (source.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { offset: at, line, column: at - lineStart + 1 };
}

/** "position 7" in a one-line expression, "line 2, column 3" in a longer one. */
export function describePosition(source: string, offset: number): string {
  const pos = positionOf(source, offset);
  return source.includes('\n') ? `line ${pos.line}, column ${pos.column}` : `position ${pos.column}`;
}

const EXCERPT_WIDTH = 100;

/** The line of `source` holding `offset`, with a caret under it; long lines are cut around the caret. */
export function excerptAt(source: string, offset: number): string {
  const pos = positionOf(source, offset);
  const lineStart = pos.offset - (pos.column - 1);
  const nl = source.indexOf('\n', lineStart);
  let line = source.slice(lineStart, nl < 0 ? source.length : nl).replace(/\r$/, '');
  let col = pos.column - 1;
  if (line.length > EXCERPT_WIDTH) {
    const from = Math.max(0, Math.min(col - EXCERPT_WIDTH / 2, line.length - EXCERPT_WIDTH));
    const head = from > 0 ? '...' : '';
    const tail = from + EXCERPT_WIDTH < line.length ? '...' : '';
    line = head + line.slice(from, from + EXCERPT_WIDTH) + tail;
    col = col - from + head.length;
  }
  // Tabs stay tabs under the line, so the caret lines up however wide a terminal shows them.
  const pad = line.slice(0, col).replace(/[^\t]/g, ' ');
  return `    ${line}\n    ${pad}^`;
}

/** Raised while compiling; a config error, so stages report it like any other bad configuration. */
export class ExpressionError extends ConfigError {
  readonly expression: string;
  readonly position: SourcePosition;
  readonly reason: string;
  /** The line of the expression at fault with a caret under the position; the message ends with it. */
  readonly excerpt: string;

  constructor(source: string, offset: number, reason: string, opts: { name?: string | undefined; expected?: string | undefined; cause?: unknown } = {}) {
    const pos = positionOf(source, offset);
    const path = opts.name ?? 'expression';
    const message = `${reason} at ${describePosition(source, offset)} of expression ${JSON.stringify(source)}`;
    super([opts.expected === undefined ? { path, message } : { path, message, expected: opts.expected }], path);
    this.expression = source;
    this.position = pos;
    this.reason = reason;
    this.excerpt = excerptAt(source, offset);
    this.message = `${this.message}\n${this.excerpt}`;
    if (opts.cause !== undefined) Object.defineProperty(this, 'cause', { value: opts.cause, enumerable: false });
  }
}

/** Thrown by helpers that know what is wrong but not where; the compiler adds the position. */
export class LocalError extends Error {
  readonly expected: string | undefined;
  /** Which argument of a call is at fault, when a function rejects one. */
  readonly argIndex: number | undefined;
  constructor(message: string, opts: { expected?: string; argIndex?: number } = {}) {
    super(message);
    this.expected = opts.expected;
    this.argIndex = opts.argIndex;
  }
}

/** A row-level failure while evaluating (a pattern that only a row supplies is invalid): the record goes to the DLQ. */
export class ExpressionEvalError extends SluiceError {
  constructor(message: string, cause?: unknown) {
    super(ErrorCodes.RECORD_INVALID, message, cause === undefined ? {} : { cause });
  }
}

/** Runs a compile step that depends on row data; its LocalError becomes an ExpressionEvalError. */
export function atRuntime<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof LocalError) throw new ExpressionEvalError(`${what}: ${err.message}`, err);
    throw err;
  }
}
