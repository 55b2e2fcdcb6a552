// What a restart will do after a query stopped with an error, said per error: a restart re-runs the
// failed batch from the checkpoint, which helps after a passing fault and fails again after a lasting one.
import { ErrorCodes, SluiceError, isRetryable } from '../core/errors.ts';

/** Failures that recur on every restart until something outside the query changes. */
const LASTING: ReadonlyMap<string, string> = new Map([
  [ErrorCodes.CHECKPOINT_CORRUPT, 'the checkpoint needs repair first (`sluice checkpoint show` describes it); a restart fails the same way until then'],
  [ErrorCodes.CHECKPOINT_MISMATCH, 'the checkpoint belongs to another query or is used by another process; a restart fails the same way until that is resolved'],
  [ErrorCodes.RECORD_INVALID, 'a restart re-runs the same batch and stops the same way while fail_on_rejected is on and its input is unchanged'],
  [ErrorCodes.SCHEMA_CHANGED, 'a restart re-runs the same batch and stops the same way until the schema is changed as the error says'],
  [ErrorCodes.SINK_NOT_WRITABLE, 'a restart fails the same way until the sink is writable'],
  [ErrorCodes.SOURCE_NOT_FOUND, 'a restart fails the same way until the source exists'],
]);

/** True when the error, or the last error before the retries ran out, was a passing one. */
function transient(err: unknown): boolean {
  if (isRetryable(err)) return true;
  return err instanceof SluiceError && err.details.attempts !== undefined && isRetryable(err.cause);
}

/** The line logged when a query stops with `err`: what state it left and what a restart will do. */
export function stopAdvice(err: unknown): string {
  const code = err instanceof SluiceError ? err.code : undefined;
  if (code === ErrorCodes.CHECKPOINT_CORRUPT || code === ErrorCodes.CHECKPOINT_MISMATCH) return `pipeline stopped with an error; ${LASTING.get(code) ?? ''}`;
  const head = 'pipeline stopped with an error; the checkpoint and the sink are consistent';
  if (err instanceof SluiceError && err.advice !== undefined) return `${head}; ${err.advice}`;
  if (transient(err)) return `${head}; a restart re-runs the failed batch and resumes once the cause above has passed`;
  const lasting = code === undefined ? undefined : LASTING.get(code);
  if (lasting !== undefined) return `${head}; ${lasting}`;
  return `${head}; a restart re-runs the failed batch from its recorded offsets, and fails the same way unless the cause above is fixed`;
}
