// Exponential backoff with jitter for retryable source reads and sink writes; non-retryable
// errors fail at once, exhausted retries fail with the component and the last cause.
import { sleep } from '../core/sleep.ts';
import type { RetryConfig } from '../plan/pipeline.ts';
import { ErrorCodes, SluiceError, errorMessage, isRetryable } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';

export interface RetryEvent {
  readonly attempt: number;
  readonly delayMs: number;
  readonly error: unknown;
}

export function backoffDelay(policy: RetryConfig, attempt: number, random: () => number = Math.random): number {
  const base = Math.min(policy.max_backoff, policy.initial_backoff * policy.multiplier ** (attempt - 1));
  const spread = base * policy.jitter;
  return Math.max(0, Math.round(base - spread + random() * 2 * spread));
}

/** Runs `fn`, retrying retryable failures per the policy. `what` names the component and action. */
export async function withRetry<T>(
  what: string,
  policy: RetryConfig,
  fn: () => Promise<T>,
  opts: { logger: Logger; signal?: AbortSignal; onRetry?: (e: RetryEvent) => void },
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isRetryable(err)) throw err;
      if (attempt >= policy.max_attempts) {
        throw new SluiceError(
          err instanceof SluiceError ? err.code : ErrorCodes.INTERNAL,
          `${what} failed after ${attempt} attempt${attempt === 1 ? '' : 's'}: ${errorMessage(err)}`,
          { cause: err, retryable: false, details: { attempts: attempt } },
        );
      }
      const delayMs = backoffDelay(policy, attempt);
      opts.logger.warn(`${what} failed, retrying`, { attempt, maxAttempts: policy.max_attempts, delayMs, error: errorMessage(err) });
      opts.onRetry?.({ attempt, delayMs, error: err });
      await sleep(delayMs, opts.signal);
    }
  }
}

export { sleep };
