// Prometheus metrics of one pipeline, in a registry of its own: counters and histograms fed by each
// batch's progress, gauges for lag, state, schema and alerts, plus the process metrics.
import type * as PromClient from 'prom-client';
import { lazyModule } from '../core/lazy.ts';
import type { StreamingQueryProgress } from '../engine/progress.ts';
import type { BatchFacts } from './signals.ts';

const LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];
const DURATION_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

const promClient = lazyModule<typeof PromClient>('prom-client');

export class PipelineMetrics {
  readonly registry: PromClient.Registry = new (promClient().Registry)();
  private readonly inputRows: PromClient.Counter<'source'>;
  private readonly outputRows: PromClient.Counter<'sink'>;
  private readonly batches: PromClient.Counter;
  private readonly inputRate: PromClient.Gauge<'source'>;
  private readonly processedRate: PromClient.Gauge;
  private readonly batchDuration: PromClient.Histogram;
  private readonly phaseDuration: PromClient.Gauge<'phase'>;
  private readonly latency: PromClient.Histogram<'sink'>;
  private readonly errors: PromClient.Counter<'stage' | 'type'>;
  private readonly validation: PromClient.Counter<'stage' | 'rule'>;
  private readonly dlq: PromClient.Counter;
  private readonly schemaVersion: PromClient.Gauge;
  private readonly lag: PromClient.Gauge<'source' | 'partition'>;
  private readonly filesPending: PromClient.Gauge<'source'>;
  private readonly stateRows: PromClient.Gauge<'operator'>;
  private readonly quality: PromClient.Gauge<'stage' | 'measure'>;
  private readonly status: PromClient.Gauge<'status'>;
  private readonly alerts: PromClient.Gauge<'alert' | 'severity'>;
  private readonly lastBatch: PromClient.Gauge;

  constructor(pipeline: string) {
    const { Counter, Gauge, Histogram } = promClient();
    this.registry.setDefaultLabels({ pipeline });
    const r = [this.registry];
    this.inputRows = new Counter({ name: 'sluice_input_rows_total', help: 'Records read from the source, rejected ones included.', labelNames: ['source'], registers: r });
    this.outputRows = new Counter({ name: 'sluice_output_rows_total', help: 'Rows committed to the sink.', labelNames: ['sink'], registers: r });
    this.batches = new Counter({ name: 'sluice_batches_total', help: 'Micro-batches committed.', registers: r });
    this.inputRate = new Gauge({ name: 'sluice_input_rows_per_second', help: 'Input rate of the last batch (rows over the time since the previous trigger).', labelNames: ['source'], registers: r });
    this.processedRate = new Gauge({ name: 'sluice_processed_rows_per_second', help: 'Processing rate of the last batch (rows over its duration).', registers: r });
    this.batchDuration = new Histogram({ name: 'sluice_batch_duration_seconds', help: 'Duration of each micro-batch, planning to commit.', buckets: DURATION_BUCKETS, registers: r });
    this.phaseDuration = new Gauge({ name: 'sluice_batch_phase_duration_seconds', help: 'Time the last batch spent in each phase (Spark durationMs).', labelNames: ['phase'], registers: r });
    this.latency = new Histogram({
      name: 'sluice_end_to_end_latency_seconds',
      help: 'Sink commit time minus the average event time of the batch (needs processing.watermark.column).',
      labelNames: ['sink'],
      buckets: LATENCY_BUCKETS,
      registers: r,
    });
    this.errors = new Counter({ name: 'sluice_errors_total', help: 'Rejected records and pipeline failures, by error type and stage.', labelNames: ['stage', 'type'], registers: r });
    this.validation = new Counter({ name: 'sluice_validation_failures_total', help: 'Records failing a validation rule, by stage and rule.', labelNames: ['stage', 'rule'], registers: r });
    this.dlq = new Counter({ name: 'sluice_dlq_records_total', help: 'Records written to the dead-letter queue (the rejected-records log).', registers: r });
    this.schemaVersion = new Gauge({ name: 'sluice_schema_version', help: 'Schema version seen by the sink: starts at 1, grows by one per schema change.', registers: r });
    this.lag = new Gauge({ name: 'sluice_source_lag_records', help: 'Records behind the latest available offset, per partition (`max` when the source reports only aggregates).', labelNames: ['source', 'partition'], registers: r });
    this.filesPending = new Gauge({ name: 'sluice_source_files_pending', help: 'Files found but not yet processed by a file source.', labelNames: ['source'], registers: r });
    this.stateRows = new Gauge({ name: 'sluice_state_rows', help: 'Rows held in state by each stateful operator.', labelNames: ['operator'], registers: r });
    this.quality = new Gauge({ name: 'sluice_stage_quality', help: 'Quality figures a stage reports for the last batch (progress.stages[stage].quality).', labelNames: ['stage', 'measure'], registers: r });
    this.status = new Gauge({ name: 'sluice_pipeline_status', help: '1 for the current pipeline status, 0 for the others.', labelNames: ['status'], registers: r });
    this.alerts = new Gauge({ name: 'sluice_alerts_firing', help: '1 while an alert rule is firing.', labelNames: ['alert', 'severity'], registers: r });
    this.lastBatch = new Gauge({ name: 'sluice_last_batch_timestamp_seconds', help: 'Unix time the last batch committed.', registers: r });
    promClient().collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 20 });
  }

  /** Feeds one committed batch. */
  observeBatch(p: StreamingQueryProgress, facts: BatchFacts): void {
    this.batches.inc();
    for (const s of p.sources) {
      this.inputRows.inc({ source: s.description }, s.numInputRows);
      this.inputRate.set({ source: s.description }, s.inputRowsPerSecond);
      const files = Number(s.metrics.numFilesOutstanding);
      if (s.metrics.numFilesOutstanding !== undefined && Number.isFinite(files)) this.filesPending.set({ source: s.description }, files);
      for (const [partition, behind] of partitionLag(s.metrics)) this.lag.set({ source: s.description, partition }, behind);
    }
    this.outputRows.inc({ sink: p.sink.description }, p.sink.numOutputRows);
    this.processedRate.set(p.processedRowsPerSecond);
    this.batchDuration.observe(p.batchDuration / 1000);
    for (const [phase, ms] of Object.entries(p.durationMs)) this.phaseDuration.set({ phase }, ms / 1000);
    if (facts.latencySeconds !== undefined) this.latency.observe({ sink: p.sink.description }, facts.latencySeconds);
    for (const r of facts.rejections) {
      this.errors.inc({ stage: r.stage, type: r.errorType }, r.count);
      if (r.rule !== undefined) this.validation.inc({ stage: r.stage, rule: r.rule }, r.count);
    }
    for (const q of facts.quality) this.quality.set({ stage: q.stage, measure: q.measure }, q.value);
    for (const v of facts.stageRuleFailures) this.validation.inc({ stage: v.stage, rule: v.rule }, v.count);
    this.dlq.inc(p.numRejectedRows);
    this.schemaVersion.set(facts.schemaVersion);
    for (const op of p.stateOperators) {
      if (op !== null && typeof op === 'object' && !Array.isArray(op) && typeof op.numRowsTotal === 'number') {
        this.stateRows.set({ operator: typeof op.operatorName === 'string' ? op.operatorName : 'state' }, op.numRowsTotal);
      }
    }
    this.lastBatch.set(facts.committedAtMs / 1000);
  }

  /** A failure that ended the pipeline, by its stable code. */
  observeFailure(code: string, stage: string): void {
    this.errors.inc({ stage, type: code });
  }

  setStatus(current: string, all: readonly string[]): void {
    for (const s of all) this.status.set({ status: s }, s === current ? 1 : 0);
  }

  setAlerts(rules: readonly { name: string; severity: string; firing: boolean }[]): void {
    for (const a of rules) this.alerts.set({ alert: a.name, severity: a.severity }, a.firing ? 1 : 0);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

/** Per-partition lag from a source's progress metrics: `offsetsBehindLatest.<partition>` keys when
 * the source gives them, else Spark's aggregate `maxOffsetsBehindLatest` as partition `max`. */
export function partitionLag(metrics: Readonly<Record<string, string>>): [string, number][] {
  const out: [string, number][] = [];
  for (const [k, v] of Object.entries(metrics)) {
    if (k.startsWith('offsetsBehindLatest.') && Number.isFinite(Number(v))) out.push([k.slice('offsetsBehindLatest.'.length), Number(v)]);
  }
  const max = metrics.maxOffsetsBehindLatest;
  if (out.length === 0 && max !== undefined && Number.isFinite(Number(max))) out.push(['max', Number(max)]);
  return out;
}
