// The `streaming.monitoring` section of a pipeline file: HTTP server, alert rules, webhooks, limits.
import { z } from 'zod';
import { bool, byteSize, duration, nonNegativeInt, positiveInt } from '../config/fields.ts';

export const ALERT_SEVERITIES = ['info', 'warning', 'critical'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

export const AlertRuleSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9_.-]+$/).meta({ description: 'Rule name, shown in logs, webhooks, `/api/status` and the dashboard.' }),
    metric: z.string().min(1).meta({
      description:
        'A signal (`errorRate`, `latencySeconds`, `lagRecords`, `lagGrowth`, `secondsSinceLastBatch`, `rejectedRows`, `inputRowsPerSecond`, `processedRowsPerSecond`, `batchDurationSeconds`, `rssBytes`, `eventLoopLagSeconds`) or a field path of the last progress, e.g. `durationMs.addBatch` or `sources.0.metrics.numFilesOutstanding`.',
    }),
    condition: z
      .string()
      .regex(/^\s*(>=|<=|==|!=|>|<)\s*-?\d+(\.\d+)?([eE][-+]?\d+)?\s*$/, 'expected a comparison with a number such as "> 0.05"')
      .meta({ description: 'A comparison with a number, e.g. `> 0.05` or `<= 10`.' }),
    for: duration().default(0).meta({ description: 'How long the condition must hold before the alert fires (it is pending until then).' }),
    severity: z.enum(ALERT_SEVERITIES).default('warning').meta({ description: 'Severity carried by notifications.' }),
    description: z.string().optional().meta({ description: 'Free text for the people receiving the alert.' }),
  })
  .strict();
export type AlertRule = z.output<typeof AlertRuleSchema>;

export const WebhookSchema = z
  .object({
    url: z.url().meta({ description: 'Receives a POST with the alert as JSON when it fires and when it resolves.' }),
    headers: z.record(z.string(), z.string()).default({}).meta({ description: 'Extra request headers (e.g. an authorization token from ${ENV}).' }),
    max_attempts: positiveInt().default(5).meta({ description: 'Attempts per notification, the first included.' }),
    initial_backoff: duration().default(1000).meta({ description: 'Wait before the first retry; doubles per attempt, at most one minute.' }),
  })
  .strict();
export type WebhookConfig = z.output<typeof WebhookSchema>;

export const HttpSchema = z
  .object({
    port: nonNegativeInt().refine((n) => n <= 65535, 'a port is at most 65535').meta({ description: 'Port of the monitoring server (0: any free port, logged at start). `--http-port` overrides it.' }),
    host: z.string().default('127.0.0.1').meta({ description: 'Interface to bind; `0.0.0.0` exposes the server beyond this machine.' }),
  })
  .strict();

export const LimitsSchema = z
  .object({
    max_rss: byteSize().optional().meta({ description: 'Readiness fails while the resident memory is above this.' }),
    max_event_loop_lag: duration().default(1000).meta({ description: 'Readiness fails while the event-loop delay (p99 over the last seconds) is above this.' }),
    min_disk_free: byteSize().default(100 * 1024 * 1024).meta({ description: 'Readiness fails while the disk of the sink or the checkpoint has less free space.' }),
    liveness_timeout: duration().optional().meta({ description: '`/health` fails when the loop started no trigger for this long (default: 5 minutes or 10 trigger intervals, the longer).' }),
  })
  .strict();

export const MonitoringSchema = z
  .object({
    http: HttpSchema.optional().meta({ description: 'The HTTP server: `/metrics`, `/health`, `/ready`, `/api/*` and the dashboard at `/`.' }),
    alerts: z.array(AlertRuleSchema).default([]).meta({ description: 'Alert rules, evaluated every second and after every batch.' }),
    default_alerts: bool().default(true).meta({ description: 'Add the built-in rules (error rate, latency, lag growth, no data, rejected-record growth); a rule of the same name replaces one.' }),
    webhooks: z.array(WebhookSchema).default([]).meta({ description: 'Where alert notifications are POSTed, besides the log.' }),
    limits: LimitsSchema.prefault({}).meta({ description: 'Resource limits for readiness and liveness.' }),
    history: positiveInt().default(720).meta({ description: 'Batches kept for `/api/progress` and the dashboard charts (bounded however long the pipeline runs).' }),
  })
  .strict();
export type MonitoringConfig = z.output<typeof MonitoringSchema>;
