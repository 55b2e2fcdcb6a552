// Starts monitoring around a running query: the monitor (metrics, alerts) and, when a port is
// given, the HTTP server; its configuration comes with the plan (`plan.monitoring`).
import type { PipelinePlan } from '../plan/plan.ts';
import { ErrorCodes, SluiceError, errorMessage } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { StreamingQuery } from '../engine/query.ts';
import { MonitoringSchema, type MonitoringConfig } from '../plan/monitoring.ts';
import { PipelineMonitor } from './monitor.ts';
import { MonitoringServer } from './server.ts';
import { announceEndpoint } from './endpoint.ts';

export { PipelineMonitor } from './monitor.ts';
export { MonitoringServer } from './server.ts';
export { MonitoringSchema, type MonitoringConfig, type AlertRule } from '../plan/monitoring.ts';


export interface Monitoring {
  readonly monitor: PipelineMonitor;
  readonly server: MonitoringServer | undefined;
  close(): Promise<void>;
}

export interface StartOptions {
  readonly logger: Logger;
  /** Overrides `http.port` (the CLI's --http-port). */
  readonly httpPort?: number;
}

/** Whether the configuration asks for anything at all (a server, own rules or webhooks). */
export function monitoringWanted(cfg: MonitoringConfig, httpPort?: number): boolean {
  return httpPort !== undefined || cfg.http !== undefined || cfg.alerts.length > 0 || cfg.webhooks.length > 0;
}

export async function startMonitoring(query: StreamingQuery, plan: PipelinePlan, cfg: MonitoringConfig, opts: StartOptions): Promise<Monitoring> {
  // The folders the components declare (src/plan/build.ts), not options read from their configs.
  const diskPaths = plan.resources.paths;
  const intervalMs = plan.trigger.kind === 'processingTime' ? plan.trigger.intervalMs : 0;
  const monitor = new PipelineMonitor(query, { config: cfg, logger: opts.logger, intervalMs, diskPaths });
  const port = opts.httpPort ?? cfg.http?.port;
  let server: MonitoringServer | undefined;
  let retract: (() => Promise<void>) | undefined;
  if (port !== undefined) {
    try {
      server = await MonitoringServer.start(monitor, { port, host: cfg.http?.host ?? '127.0.0.1', logger: opts.logger });
    } catch (err) {
      await monitor.close();
      throw new SluiceError(ErrorCodes.MONITORING_SERVER, `cannot start the monitoring server on ${cfg.http?.host ?? '127.0.0.1'}:${port}: ${errorMessage(err)}`, { cause: err });
    }
    opts.logger.info('monitoring server listening', { url: server.url, dashboard: `${server.url}/`, metrics: `${server.url}/metrics` });
    retract = await announceEndpoint(plan.checkpointLocation, server.url).catch(() => undefined);
  }
  return {
    monitor,
    server,
    async close() {
      await retract?.();
      await server?.close();
      await monitor.close();
    },
  };
}

/** Monitoring for a query started from the TypeScript API: `options` is a `streaming.monitoring`
 * section (`{ http: { port: 9464 }, alerts: [...] }`); `diskPaths` are checked for free space. */
export async function monitorQuery(query: StreamingQuery, options: unknown, opts: StartOptions & { readonly diskPaths?: readonly string[] }): Promise<Monitoring> {
  const cfg = MonitoringSchema.parse(options ?? {});
  const monitor = new PipelineMonitor(query, { config: cfg, logger: opts.logger, diskPaths: opts.diskPaths ?? [] });
  const port = opts.httpPort ?? cfg.http?.port;
  let server: MonitoringServer | undefined;
  if (port !== undefined) {
    try {
      server = await MonitoringServer.start(monitor, { port, host: cfg.http?.host ?? '127.0.0.1', logger: opts.logger });
    } catch (err) {
      await monitor.close();
      throw new SluiceError(ErrorCodes.MONITORING_SERVER, `cannot start the monitoring server on port ${port}: ${errorMessage(err)}`, { cause: err });
    }
  }
  return {
    monitor,
    server,
    async close() {
      await server?.close();
      await monitor.close();
    },
  };
}
