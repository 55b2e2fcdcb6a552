// A small structured logger: human lines on a terminal, JSON lines elsewhere or when asked.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(bindings: Record<string, unknown>): Logger;
}

export interface LoggerOptions {
  readonly level?: LogLevel;
  readonly format?: 'text' | 'json';
  readonly write?: (line: string) => void;
  readonly bindings?: Record<string, unknown>;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const envLevel = process.env.SLUICE_LOG_LEVEL as LogLevel | undefined;
  const level = opts.level ?? (envLevel !== undefined && envLevel in ORDER ? envLevel : 'info');
  const format = opts.format ?? (process.env.SLUICE_LOG_FORMAT === 'json' ? 'json' : 'text');
  const write = opts.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const bindings = opts.bindings ?? {};
  const emit = (lvl: LogLevel, msg: string, fields?: Record<string, unknown>): void => {
    if (ORDER[lvl] < ORDER[level]) return;
    const all = { ...bindings, ...fields };
    if (format === 'json') {
      write(JSON.stringify({ ts: new Date().toISOString(), level: lvl, msg, ...all }, jsonReplacer));
      return;
    }
    const extra = Object.entries(all)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v, jsonReplacer)}`)
      .join(' ');
    write(`${new Date().toISOString()} ${lvl.toUpperCase().padEnd(5)} ${msg}${extra === '' ? '' : ' ' + extra}`);
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (b) => createLogger({ level, format, write, bindings: { ...bindings, ...b } }),
  };
}

function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Error) return { message: value.message, ...(value as unknown as Record<string, unknown>) };
  return value;
}

export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};
