// Alert rules over monitoring signals: inactive -> pending (condition holds) -> firing (held for
// `for`) -> resolved (condition gone); firing and resolved are logged and sent to webhooks.
import type { Logger } from '../core/logger.ts';
import type { AlertRule, AlertSeverity } from '../plan/monitoring.ts';
import type { WebhookNotifier } from './webhook.ts';

export type AlertState = 'inactive' | 'pending' | 'firing' | 'resolved';

export interface AlertStatus {
  readonly name: string;
  readonly metric: string;
  readonly condition: string;
  readonly severity: AlertSeverity;
  readonly description: string | null;
  readonly state: AlertState;
  readonly value: number | null;
  /** When the condition started to hold (pending/firing) or the alert resolved. */
  readonly sinceMs: number | null;
  readonly firedAtMs: number | null;
}

interface Tracked {
  readonly rule: AlertRule;
  readonly test: (v: number) => boolean;
  state: AlertState;
  value: number | null;
  sinceMs: number | null;
  firedAtMs: number | null;
}

/** Built-in rules worth having on any pipeline; `intervalMs` is the trigger interval. */
export function defaultRules(intervalMs: number): AlertRule[] {
  const noDataSeconds = Math.max(600, (10 * intervalMs) / 1000);
  return [
    { name: 'high_error_rate', metric: 'errorRate', condition: '> 0.05', for: 60_000, severity: 'warning', description: 'More than 5% of the records of the last minute were rejected.' },
    { name: 'high_latency', metric: 'latencySeconds', condition: '> 300', for: 300_000, severity: 'warning', description: 'End-to-end latency above 5 minutes.' },
    { name: 'lag_growing', metric: 'lagGrowth', condition: '> 0', for: 900_000, severity: 'warning', description: 'The source lag has grown batch after batch for 15 minutes.' },
    { name: 'no_data', metric: 'secondsSinceLastBatch', condition: `> ${noDataSeconds}`, for: 0, severity: 'info', description: `No batch for ${noDataSeconds} seconds.` },
    { name: 'dlq_growing', metric: 'rejectedRows', condition: '> 0', for: 600_000, severity: 'warning', description: 'Every batch of the last 10 minutes sent records to the dead-letter queue.' },
  ];
}

export function compileCondition(condition: string): (v: number) => boolean {
  const m = /^\s*(>=|<=|==|!=|>|<)\s*(\S+)\s*$/.exec(condition);
  const limit = Number(m?.[2]);
  if (m === null || !Number.isFinite(limit)) throw new Error(`invalid alert condition ${JSON.stringify(condition)}`);
  switch (m[1]) {
    case '>':
      return (v) => v > limit;
    case '>=':
      return (v) => v >= limit;
    case '<':
      return (v) => v < limit;
    case '<=':
      return (v) => v <= limit;
    case '==':
      return (v) => v === limit;
    default:
      return (v) => v !== limit;
  }
}

export class AlertManager {
  private readonly tracked: Tracked[];

  constructor(
    rules: readonly AlertRule[],
    private readonly pipeline: string,
    private readonly logger: Logger,
    private readonly notifier: WebhookNotifier | undefined,
  ) {
    this.tracked = rules.map((rule) => ({ rule, test: compileCondition(rule.condition), state: 'inactive', value: null, sinceMs: null, firedAtMs: null }));
  }

  /** Moves every rule along its states given the current signal values. */
  evaluate(value: (metric: string) => number | undefined, nowMs: number): void {
    for (const a of this.tracked) {
      const v = value(a.rule.metric);
      a.value = v ?? null;
      const holds = v !== undefined && a.test(v);
      if (holds) {
        if (a.state === 'inactive' || a.state === 'resolved') {
          a.state = 'pending';
          a.sinceMs = nowMs;
        }
        if (a.state === 'pending' && nowMs - (a.sinceMs ?? nowMs) >= a.rule.for) {
          a.state = 'firing';
          a.firedAtMs = nowMs;
          this.notify(a, nowMs);
        }
      } else if (a.state === 'firing') {
        a.state = 'resolved';
        a.sinceMs = nowMs;
        this.notify(a, nowMs);
      } else if (a.state === 'pending') {
        a.state = 'inactive';
        a.sinceMs = null;
      }
    }
  }

  list(): AlertStatus[] {
    return this.tracked.map((a) => ({
      name: a.rule.name,
      metric: a.rule.metric,
      condition: a.rule.condition.trim(),
      severity: a.rule.severity,
      description: a.rule.description ?? null,
      state: a.state,
      value: a.value,
      sinceMs: a.sinceMs,
      firedAtMs: a.firedAtMs,
    }));
  }

  private notify(a: Tracked, nowMs: number): void {
    const status = a.state === 'firing' ? 'firing' : 'resolved';
    const payload = {
      status,
      alert: a.rule.name,
      pipeline: this.pipeline,
      severity: a.rule.severity,
      metric: a.rule.metric,
      condition: a.rule.condition.trim(),
      value: a.value,
      description: a.rule.description ?? null,
      firedAt: a.firedAtMs === null ? null : new Date(a.firedAtMs).toISOString(),
      at: new Date(nowMs).toISOString(),
    };
    const fields = { alert: a.rule.name, severity: a.rule.severity, metric: a.rule.metric, condition: payload.condition, value: a.value };
    if (status === 'firing') this.logger.warn('alert firing', fields);
    else this.logger.info('alert resolved', fields);
    this.notifier?.send(payload);
  }
}
