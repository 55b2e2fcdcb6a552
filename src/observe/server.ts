// The monitoring HTTP server of one pipeline: Prometheus metrics, liveness and readiness probes,
// JSON APIs, a server-sent-events stream of batches and the dashboard, from node:http alone.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorMessage } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { dashboardAssets, type DashboardAssets } from './dashboard/assets.ts';
import type { PipelineMonitor } from './monitor.ts';
import type { HistoryPoint } from './signals.ts';

export interface ServerOptions {
  readonly port: number;
  readonly host?: string;
  readonly logger: Logger;
}

const SSE_HEARTBEAT_MS = 15_000;

export class MonitoringServer {
  private readonly clients = new Set<ServerResponse>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly onBatch = (point: HistoryPoint): void => this.broadcast('batch', point);

  private constructor(
    private readonly server: Server,
    private readonly monitor: PipelineMonitor,
    private readonly assets: DashboardAssets,
    readonly url: string,
  ) {
    monitor.on('batch', this.onBatch);
    this.heartbeat = setInterval(() => {
      for (const c of this.clients) c.write(': keep-alive\n\n');
    }, SSE_HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  static async start(monitor: PipelineMonitor, opts: ServerOptions): Promise<MonitoringServer> {
    const assets = await dashboardAssets();
    const server = createServer();
    const host = opts.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const addr = server.address() as AddressInfo;
    const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    const s = new MonitoringServer(server, monitor, assets, `http://${shownHost}:${addr.port}`);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      s.handle(req, res).catch((err: unknown) => {
        opts.logger.warn('monitoring request failed', { path: req.url, error: errorMessage(err) });
        if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', `internal error: ${errorMessage(err)}\n`);
        else res.end();
      });
    });
    return s;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.monitor.off('batch', this.onBatch);
    clearInterval(this.heartbeat);
    for (const c of this.clients) c.end();
    this.clients.clear();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
      return;
    }
    const m = this.monitor;
    switch (path) {
      case '/metrics':
        send(res, 200, m.metrics.contentType, await m.metrics.text());
        return;
      case '/health': {
        const l = m.liveness();
        json(res, l.alive ? 200 : 503, { status: l.alive ? 'alive' : 'wedged', detail: l.detail });
        return;
      }
      case '/ready': {
        const r = await m.readiness();
        json(res, r.ready ? 200 : 503, { status: r.ready ? 'ready' : 'not ready', ...r });
        return;
      }
      case '/api/progress':
        json(res, 200, m.recentProgress());
        return;
      case '/api/history':
        json(res, 200, m.history());
        return;
      case '/api/status':
        json(res, 200, m.status());
        return;
      case '/api/events':
        this.subscribe(req, res);
        return;
      case '/':
      case '/index.html':
        send(res, 200, 'text/html; charset=utf-8', this.assets.html, 'no-cache');
        return;
      case '/assets/uplot.js':
        send(res, 200, 'text/javascript; charset=utf-8', this.assets.uplotJs, 'max-age=3600');
        return;
      case '/assets/uplot.css':
        send(res, 200, 'text/css; charset=utf-8', this.assets.uplotCss, 'max-age=3600');
        return;
      case '/assets/dashboard.js':
        send(res, 200, 'text/javascript; charset=utf-8', this.assets.dashboardJs, 'no-cache');
        return;
      default:
        send(res, 404, 'text/plain; charset=utf-8', 'not found: try /, /metrics, /health, /ready, /api/status, /api/progress, /api/events\n');
    }
  }

  private subscribe(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.write('retry: 2000\n\n');
    this.clients.add(res);
    req.on('close', () => this.clients.delete(res));
  }

  private broadcast(event: string, data: unknown): void {
    const frame = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const c of this.clients) c.write(frame);
  }
}

function send(res: ServerResponse, code: number, type: string, body: string, cache = 'no-store'): void {
  res.writeHead(code, { 'content-type': type, 'cache-control': cache, 'content-length': Buffer.byteLength(body) });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

function json(res: ServerResponse, code: number, body: unknown): void {
  send(res, code, 'application/json; charset=utf-8', JSON.stringify(body));
}
