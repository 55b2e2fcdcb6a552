// Tests of the line logged when a query stops: it says what a restart will do, per error.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { CheckpointError, ErrorCodes, SinkError, SluiceError, SourceError } from '../core/errors.ts';
import { stopAdvice } from './stop-advice.ts';

void test('an error carrying its own advice is logged with it', () => {
  const err = new SourceError(ErrorCodes.SOURCE_READ, 'file source: cannot decode /in/a.gz', { advice: 'a restart fails the same way until the file is fixed' });
  assert.equal(stopAdvice(err), 'pipeline stopped with an error; the checkpoint and the sink are consistent; a restart fails the same way until the file is fixed');
});

void test('a passing fault, also after the retries ran out, is said to resume on restart', () => {
  const passing = new SinkError(ErrorCodes.SINK_WRITE, 'connection reset', { retryable: true });
  const exhausted = new SluiceError(ErrorCodes.SINK_WRITE, 'sink: writing batch 3 failed after 5 attempts: reset', { cause: passing, details: { attempts: 5 } });
  const system = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
  for (const err of [passing, exhausted, system]) assert.match(stopAdvice(err), /a restart re-runs the failed batch and resumes once the cause above has passed$/);
});

void test('lasting failures never promise that a restart resumes', () => {
  const corrupt = stopAdvice(new CheckpointError(ErrorCodes.CHECKPOINT_CORRUPT, 'offsets/3 is not JSON'));
  assert.doesNotMatch(corrupt, /consistent|resumes/);
  assert.match(corrupt, /a restart fails the same way until then$/);
  assert.match(stopAdvice(new SluiceError(ErrorCodes.RECORD_INVALID, 'batch 2 rejected 3 records')), /stops the same way while fail_on_rejected is on/);
  const other = stopAdvice(new SluiceError(ErrorCodes.STAGE_FAILED, 'boom'));
  assert.match(other, /fails the same way unless the cause above is fixed$/);
  assert.doesNotMatch(other, /resumes/);
  assert.doesNotMatch(stopAdvice(new TypeError('x is undefined')), /resumes/);
});
