// The Delta connector's own error codes, and the advice each lasting one gives about a restart.
import { SluiceError, type SluiceErrorOptions } from '../../core/errors.ts';

export const DeltaErrorCodes = {
  COMMIT_CONFLICT: 'SLUICE_DELTA_COMMIT_CONFLICT',
  SCHEMA_MISMATCH: 'SLUICE_DELTA_SCHEMA_MISMATCH',
  PROTOCOL_UNSUPPORTED: 'SLUICE_DELTA_PROTOCOL_UNSUPPORTED',
  LOG_CORRUPT: 'SLUICE_DELTA_LOG_CORRUPT',
  TABLE_NOT_FOUND: 'SLUICE_DELTA_TABLE_NOT_FOUND',
} as const;

export type DeltaErrorCode = (typeof DeltaErrorCodes)[keyof typeof DeltaErrorCodes];

/** What a restart does after an error that recurs until something outside the query changes. */
const ADVICE: Partial<Record<DeltaErrorCode, string>> = {
  [DeltaErrorCodes.SCHEMA_MISMATCH]: 'a restart re-runs the same batch and fails the same way until the table or the pipeline schema is changed',
  [DeltaErrorCodes.PROTOCOL_UNSUPPORTED]: 'a restart fails the same way: the table needs a protocol this writer supports',
};

export class DeltaError extends SluiceError {
  constructor(code: DeltaErrorCode | SluiceError['code'], message: string, options: SluiceErrorOptions = {}) {
    const advice = options.advice ?? ADVICE[code as DeltaErrorCode];
    super(code, message, advice === undefined ? options : { ...options, advice });
  }
}
