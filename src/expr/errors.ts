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

/** Raised while compiling; a config error, so stages report it like any other bad configuration. */
export class ExpressionError extends ConfigError {
  readonly expression: string;
  readonly position: SourcePosition;
  readonly reason: string;

  constructor(source: string, offset: number, reason: string, opts: { name?: string | undefined; expected?: string | undefined; cause?: unknown } = {}) {
    const pos = positionOf(source, offset);
    const path = opts.name ?? 'expression';
    const where = source.includes('\n') ? `line ${pos.line}, column ${pos.column}` : `position ${pos.column}`;
    const message = `${reason} at ${where} of expression ${JSON.stringify(source)}`;
    super([opts.expected === undefined ? { path, message } : { path, message, expected: opts.expected }], path);
    this.expression = source;
    this.position = pos;
    this.reason = reason;
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
