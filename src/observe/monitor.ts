// Watches one StreamingQuery: bounded history of progress and chart points, schema versions,
// totals, metrics and alert evaluation (after every batch and every second).
import { EventEmitter } from 'node:events';
import type { Logger } from '../core/logger.ts';
import type { StructType } from '../core/schema.ts';
import type { StreamingQueryProgress } from '../engine/progress.ts';
import type { StreamingQuery } from '../engine/query.ts';
import type { BatchReport } from '../engine/status.ts';
import type { SluiceError } from '../core/errors.ts';
import { AlertManager, defaultRules, type AlertStatus } from './alerts.ts';
import type { MonitoringConfig } from '../plan/monitoring.ts';
import { LoopDelay, PIPELINE_STATES, livenessBoundMs, liveness, pipelineState, readiness, type Readiness } from './health.ts';
import { PipelineMetrics } from './metrics.ts';
import { stageFigures } from './stage-figures.ts';
import { computeSignals, countRejections, latencySeconds, progressField, sourceLag, toPoint, type BatchFacts, type HistoryPoint, type RejectionCount } from './signals.ts';
import { WebhookNotifier } from './webhook.ts';

export interface MonitorOptions {
  readonly config: MonitoringConfig;
  readonly logger: Logger;
  /** The trigger interval (0: as fast as possible), for the liveness bound and the no-data rule. */
  readonly intervalMs?: number;
  /** Folders whose disk must keep `limits.min_disk_free` (the checkpoint, the sink's path). */
  readonly diskPaths?: readonly string[];
}

export interface SchemaVersion {
  readonly version: number;
  readonly sinceBatch: number;
  readonly at: string;
  readonly fields: number;
  readonly schema: StructType;
}

const MAX_SCHEMA_VERSIONS = 50;
const MAX_BREAKDOWN_KEYS = 500;

export interface MonitorEvents {
  batch: [HistoryPoint, StreamingQueryProgress];
}

export class PipelineMonitor extends EventEmitter<MonitorEvents> {
  readonly metrics: PipelineMetrics;
  readonly alerts: AlertManager;
  readonly startedAtMs = Date.now();
  private readonly notifier: WebhookNotifier;
  private readonly loop = new LoopDelay();
  private readonly progress: StreamingQueryProgress[] = [];
  private readonly points: HistoryPoint[] = [];
  private readonly schemas: SchemaVersion[] = [];
  private schemaKey = '';
  private readonly totals = { batches: 0, rowsIn: 0, rowsOut: 0, rejected: 0 };
  private readonly breakdown = new Map<string, { stage: string; type: string; rule: string | null; count: number }>();
  private quality: { stage: string; measure: string; value: number }[] = [];
  private readonly timer: NodeJS.Timeout;
  private readonly livenessMs: number;
  private readonly onReport = (b: BatchReport): void => {
    try {
      this.onBatch(b.progress, b.schema, countRejections(b.progress, b.rejected));
    } catch (err) {
      this.opts.logger.warn('monitoring could not record a batch', { error: String(err) });
    }
  };
  // The status gauge follows each change at once; alerts wait for the next tick or batch.
  private readonly onState = (): void => this.metrics.setStatus(pipelineState(this.query).state, PIPELINE_STATES);
  private readonly onTerminated = (err: SluiceError | undefined): void => {
    if (err !== undefined) this.metrics.observeFailure(err.code, 'pipeline');
    this.tick();
  };

  constructor(
    readonly query: StreamingQuery,
    private readonly opts: MonitorOptions,
  ) {
    super();
    const cfg = opts.config;
    this.metrics = new PipelineMetrics(query.name);
    this.notifier = new WebhookNotifier(cfg.webhooks, opts.logger);
    const own = new Set(cfg.alerts.map((r) => r.name));
    const rules = [...(cfg.default_alerts ? defaultRules(opts.intervalMs ?? 0).filter((r) => !own.has(r.name)) : []), ...cfg.alerts];
    this.alerts = new AlertManager(rules, query.name, opts.logger, this.notifier);
    this.livenessMs = livenessBoundMs(cfg, opts.intervalMs ?? 0);
    query.on('batch', this.onReport);
    query.on('state', this.onState);
    query.on('terminated', this.onTerminated);
    this.timer = setInterval(() => this.tick(), 1000);
    this.timer.unref();
    this.tick();
  }

  /** Recent progress objects, oldest first (at most `history` of them). */
  recentProgress(): readonly StreamingQueryProgress[] {
    return this.progress;
  }

  history(): readonly HistoryPoint[] {
    return this.points;
  }

  /** Batches are recorded as they are reported; kept so callers need not know that. */
  settled(): Promise<void> {
    return Promise.resolve();
  }

  signals(nowMs = Date.now()): Record<string, number | undefined> {
    const mem = process.memoryUsage.rss();
    return computeSignals(this.points, nowMs, { rssBytes: mem, eventLoopLagSeconds: this.loop.p99Seconds() }, this.query.lastActivityMs);
  }

  liveness(): { alive: boolean; detail: string } {
    return liveness(this.query, this.livenessMs);
  }

  readiness(): Promise<Readiness> {
    return readiness(this.query, this.opts.config, this.opts.diskPaths ?? [], this.loop);
  }

  status(): Record<string, unknown> {
    const q = this.query;
    const st = pipelineState(q);
    const current = this.schemas[this.schemas.length - 1];
    const alerts: AlertStatus[] = this.alerts.list();
    return {
      pipeline: q.name,
      id: q.id,
      runId: q.runId,
      state: st.state,
      detail: st.detail,
      status: q.status,
      startedAt: new Date(this.startedAtMs).toISOString(),
      uptimeSeconds: Math.round((Date.now() - this.startedAtMs) / 1000),
      source: this.progress[this.progress.length - 1]?.sources[0]?.description ?? null,
      sink: q.sinkDescription,
      sinkMetrics: q.sinkMetrics(),
      totals: { ...this.totals },
      lastBatch: this.points[this.points.length - 1] ?? null,
      schema: { version: current?.version ?? 0, current: current?.schema ?? q.lastSchema, versions: this.schemas.map(({ schema: _s, ...v }) => v) },
      rejections: [...this.breakdown.values()],
      quality: this.quality,
      alerts,
      signals: this.signals(),
      exception: q.exception?.toJSON() ?? null,
    };
  }

  async close(): Promise<void> {
    this.query.off('batch', this.onReport);
    this.query.off('state', this.onState);
    this.query.off('terminated', this.onTerminated);
    clearInterval(this.timer);
    this.tick();
    this.loop.close();
    await this.notifier.close();
  }

  private tick(): void {
    const now = Date.now();
    const sig = this.signals(now);
    const last = this.progress[this.progress.length - 1];
    this.alerts.evaluate((m) => (m in sig ? sig[m] : progressField(last, m)), now);
    this.metrics.setAlerts(this.alerts.list().map((a) => ({ name: a.name, severity: a.severity, firing: a.state === 'firing' })));
    this.metrics.setStatus(pipelineState(this.query).state, PIPELINE_STATES);
  }

  private onBatch(p: StreamingQueryProgress, schema: StructType | null, rejections: readonly RejectionCount[]): void {
    const committedAtMs = Date.now();
    this.trackSchema(p, schema);
    const facts: BatchFacts = {
      committedAtMs,
      latencySeconds: latencySeconds(p, committedAtMs),
      rejections,
      ...stageFigures(p, rejections),
      schemaVersion: this.schemas[this.schemas.length - 1]?.version ?? 0,
      lag: sourceLag(p),
    };
    this.metrics.observeBatch(p, facts);
    const point = toPoint(p, facts);
    this.push(this.progress, p);
    this.push(this.points, point);
    this.totals.batches++;
    this.totals.rowsIn += p.numInputRows;
    this.totals.rowsOut += p.sink.numOutputRows;
    this.totals.rejected += p.numRejectedRows;
    for (const r of rejections) this.count(r.stage, r.errorType, r.rule ?? null, r.count);
    for (const r of facts.stageRuleFailures) this.count(r.stage, 'SCHEMA_VALIDATION', r.rule, r.count);
    if (facts.quality.length > 0) this.quality = [...facts.quality];
    this.tick();
    this.emit('batch', point, p);
  }

  private count(stage: string, type: string, rule: string | null, n: number): void {
    const key = `${stage}\u0000${type}\u0000${rule ?? ''}`;
    const prev = this.breakdown.get(key);
    if (prev !== undefined) prev.count += n;
    else if (this.breakdown.size < MAX_BREAKDOWN_KEYS) this.breakdown.set(key, { stage, type, rule, count: n });
  }

  private trackSchema(p: StreamingQueryProgress, schema: StructType | null): void {
    if (schema === null) return;
    const key = JSON.stringify(schema);
    if (key === this.schemaKey) return;
    this.schemaKey = key;
    const version = (this.schemas[this.schemas.length - 1]?.version ?? 0) + 1;
    this.schemas.push({ version, sinceBatch: p.batchId, at: new Date().toISOString(), fields: schema.fields.length, schema });
    if (this.schemas.length > MAX_SCHEMA_VERSIONS) this.schemas.shift();
  }

  private push<T>(list: T[], item: T): void {
    list.push(item);
    if (list.length > this.opts.config.history) list.splice(0, list.length - this.opts.config.history);
  }
}
