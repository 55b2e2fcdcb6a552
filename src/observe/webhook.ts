// Alert notifications to webhooks: POST JSON, retried with exponential backoff on network errors
// and non-2xx answers; deliveries run beside the pipeline and never block a batch.
import { errorMessage } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { WebhookConfig } from '../plan/monitoring.ts';

const MAX_BACKOFF_MS = 60_000;

export class WebhookNotifier {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly stopper = new AbortController();

  constructor(
    private readonly hooks: readonly WebhookConfig[],
    private readonly logger: Logger,
  ) {}

  send(payload: Record<string, unknown>): void {
    for (const hook of this.hooks) {
      const p = this.deliver(hook, JSON.stringify(payload)).finally(() => this.inFlight.delete(p));
      this.inFlight.add(p);
    }
  }

  /** Waits for deliveries in flight up to `timeoutMs`, then abandons the rest. */
  async close(timeoutMs = 5000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([Promise.allSettled([...this.inFlight]), timeout]);
    clearTimeout(timer);
    this.stopper.abort();
  }

  private async deliver(hook: WebhookConfig, body: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      let problem: string;
      try {
        const res = await fetch(hook.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...hook.headers },
          body,
          signal: AbortSignal.any([this.stopper.signal, AbortSignal.timeout(10_000)]),
        });
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) return;
        problem = `HTTP ${res.status}`;
      } catch (err) {
        problem = errorMessage(err);
      }
      if (attempt >= hook.max_attempts || this.stopper.signal.aborted) {
        this.logger.error('alert webhook delivery failed', { url: redact(hook.url), attempts: attempt, error: problem });
        return;
      }
      const wait = Math.min(MAX_BACKOFF_MS, hook.initial_backoff * 2 ** (attempt - 1));
      this.logger.warn('alert webhook delivery failed, retrying', { url: redact(hook.url), attempt, delayMs: wait, error: problem });
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, wait);
        this.stopper.signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
      });
    }
  }
}

/** Webhook URLs often carry tokens: logs show only scheme, host and path. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return 'invalid url';
  }
}
