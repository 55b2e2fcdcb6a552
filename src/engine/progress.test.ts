import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { formatProgressLine, type StreamingQueryProgress } from './progress.ts';

const base: StreamingQueryProgress = {
  id: 'q',
  runId: 'r',
  name: 'n',
  timestamp: '2026-01-01T00:00:00.000Z',
  batchId: 3,
  batchDuration: 120,
  numInputRows: 10,
  inputRowsPerSecond: 5,
  processedRowsPerSecond: 83.33,
  durationMs: { triggerExecution: 120 },
  eventTime: {},
  stateOperators: [],
  sources: [],
  sink: { description: 'DeltaSink[/t]', numOutputRows: 8, metrics: { version: '4' } },
  numRejectedRows: 2,
  rejectedPath: '/cp/rejected/batch-3.jsonl',
  sinkSkipped: false,
  stages: {},
};

describe('the progress line', () => {
  it('names rows in, written, rejected, the rate, the duration and the table version', () => {
    assert.equal(formatProgressLine(base), 'batch 3 | 10 rows in | 8 written | 2 rejected | 83.3 rows/s | 120 ms | table version 4');
  });

  it('lists the validation rules that failed in the batch, and only those', () => {
    const p = { ...base, stages: { checks: { rules: { 'not_null(id)': { passed: 9, failed: 1 }, 'range(amount)': { passed: 10, failed: 0 }, positive: { passed: 9, failed: 1 } } } } };
    assert.match(formatProgressLine(p), / \| failed rules: not_null\(id\) 1, positive 1$/);
  });
});
