// How kafkajs meets the rest of sluice through its public options: which of its failures are transient
// (the engine's retry policy decides on them through SluiceError.retryable), at which level its log lines
// reach our logger, and the sockets it opens, so that a stopping query can drop them.
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type * as Kafkajs from 'kafkajs';
import type { ISocketFactory, LogEntry, logCreator } from 'kafkajs';
import { lazyModule } from '../../core/lazy.ts';
import type { Logger } from '../../core/logger.ts';

const kafkajs = lazyModule<typeof Kafkajs>('kafkajs');

export function errorType(err: unknown): unknown {
  return (err as { type?: unknown } | null)?.type;
}

/** Transient per kafkajs; exhausted retries count as transient when what failed was (a later attempt may work). */
export function isRetriable(err: unknown): boolean {
  const e = err as { retriable?: unknown; name?: unknown; cause?: unknown } | null;
  if (e?.retriable === true) return true;
  return e?.name === 'KafkaJSNumberOfRetriesExceeded' && e.cause !== err && isRetriable(e.cause);
}

/** kafkajs logs every failed request at ERROR even when it is retried or handled here, so its levels are
 * lowered by one: real failures reach the user as our own errors. */
export function routeLogs(logger: Logger): logCreator {
  const log = logger.child({ component: 'kafkajs' });
  return () => (entry: LogEntry) => {
    const { message, timestamp: _ts, logger: _l, ...fields } = entry.log as { message: string; timestamp?: string; logger?: string } & Record<string, unknown>;
    const payload = { namespace: entry.namespace, ...fields };
    if (entry.level === kafkajs().logLevel.ERROR) log.warn(message, payload);
    else if (entry.level === kafkajs().logLevel.WARN) log.info(message, payload);
    else log.debug(message, payload);
  };
}

/** The sockets of one client: kafkajs's own socket factory, plus a record of what is open. */
export class SocketRegistry {
  private readonly open = new Set<Socket>();

  readonly factory: ISocketFactory = ({ host, port, ssl, onConnect }) => {
    const socket = ssl ? tlsConnect({ host, port, ...(isIP(host) === 0 ? { servername: host } : {}), ...ssl }, onConnect) : netConnect({ host, port }, onConnect);
    socket.setKeepAlive(true, 60_000);
    this.open.add(socket);
    socket.once('close', () => this.open.delete(socket));
    return socket;
  };

  /** Closes every socket at once. kafkajs's disconnect waits for the answers to requests in flight, up to
   * the request timeout; a stopping query awaits none of them. kafkajs fails a socket's requests on its
   * `error` event (not on `close`), hence the error. */
  destroyAll(): void {
    for (const s of this.open) s.destroy(new Error('the query is stopping'));
    this.open.clear();
  }
}
