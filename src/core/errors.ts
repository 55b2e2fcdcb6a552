// Error classes with stable codes: every failure a user sees carries a code, a retryable flag and its cause.

export const ErrorCodes = {
  CONFIG_INVALID: 'SLUICE_CONFIG_INVALID',
  CONFIG_NOT_FOUND: 'SLUICE_CONFIG_NOT_FOUND',
  CHECKPOINT_MISMATCH: 'SLUICE_CHECKPOINT_MISMATCH',
  CHECKPOINT_CORRUPT: 'SLUICE_CHECKPOINT_CORRUPT',
  SOURCE_NOT_FOUND: 'SLUICE_SOURCE_NOT_FOUND',
  SOURCE_READ: 'SLUICE_SOURCE_READ',
  SOURCE_DATA_LOSS: 'SLUICE_SOURCE_DATA_LOSS',
  SINK_WRITE: 'SLUICE_SINK_WRITE',
  SINK_NOT_WRITABLE: 'SLUICE_SINK_NOT_WRITABLE',
  /** A progress marker the batch continues (e.g. a Kafka partition) was advanced by another writer
   * sharing the sink: the engine reads the batch again, skipping what the sink holds now. */
  PROGRESS_MOVED: 'SLUICE_PROGRESS_MOVED',
  SCHEMA_INVALID: 'SLUICE_SCHEMA_INVALID',
  RECORD_INVALID: 'SLUICE_RECORD_INVALID',
  STAGE_FAILED: 'SLUICE_STAGE_FAILED',
  SCHEMA_CHANGED: 'SLUICE_SCHEMA_CHANGED',
  QUERY_STOPPED: 'SLUICE_QUERY_STOPPED',
  MONITORING_SERVER: 'SLUICE_MONITORING_SERVER',
  INTERNAL: 'SLUICE_INTERNAL',
} as const;

/** A stable error code: core's own (ErrorCodes) or a component's (each connector owns its codes). */
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes] | `SLUICE_${string}`;

export interface SluiceErrorOptions {
  readonly retryable?: boolean;
  readonly cause?: unknown;
  /** Structured facts for logs and APIs (key path, file, offsets ...). */
  readonly details?: Readonly<Record<string, unknown>>;
  /** What a restart of the query will do after this error, and what to change first when it would
   * fail the same way; shown when a query stops with it. */
  readonly advice?: string;
}

export class SluiceError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly details: Readonly<Record<string, unknown>>;
  readonly advice: string | undefined;

  constructor(code: ErrorCode, message: string, options: SluiceErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.details = options.details ?? {};
    this.advice = options.advice;
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, retryable: this.retryable, details: this.details, ...(this.advice === undefined ? {} : { advice: this.advice }) };
  }
}

/** One problem found in a configuration: where, what was there, what was expected. */
export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
  readonly found?: unknown;
  readonly expected?: string;
}

export class ConfigError extends SluiceError {
  readonly problems: readonly ConfigProblem[];
  constructor(problems: readonly ConfigProblem[], source?: string) {
    const where = source === undefined ? 'configuration' : source;
    const lines = problems.map((p) => `  - ${formatProblem(p)}`);
    super(ErrorCodes.CONFIG_INVALID, `invalid ${where} (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${lines.join('\n')}`, {
      details: { problems },
    });
    this.problems = problems;
  }
}

export function formatProblem(p: ConfigProblem): string {
  let s = `${p.path === '' ? '(root)' : p.path}: ${p.message}`;
  if (p.expected !== undefined && !p.message.includes(p.expected)) s += `; expected ${p.expected}`;
  if ('found' in p && p.found !== undefined) s += `; found ${describeValue(p.found)}`;
  return s;
}

export function describeValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 80 ? `${v.slice(0, 77)}...` : v);
  if (v === null || typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (typeof v === 'object') return 'a mapping';
  return typeof v;
}

export class CheckpointError extends SluiceError {}
export class SourceError extends SluiceError {}
export class SinkError extends SluiceError {}

export function isRetryable(err: unknown): boolean {
  if (err instanceof SluiceError) return err.retryable;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RETRYABLE_SYSTEM_CODES.has(code);
}

const RETRYABLE_SYSTEM_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'EBUSY', 'EMFILE', 'ENFILE']);

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
