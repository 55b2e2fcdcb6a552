// Range rules on timestamp, date and decimal columns compare values in the value model's forms
// (microseconds, days, exact decimal text) against bounds read as the column's type.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { Row } from '../../core/record.ts';
import { validateConfig } from './config.ts';
import { ValidateStage } from './stage.ts';

function failures(rules: unknown[], rows: Row[]): unknown[] {
  const s = new ValidateStage('checks', validateConfig.parse({ schema: 'id INT, ts TIMESTAMP, d DATE, price DECIMAL(10,2)', rules }));
  return s.process({ batchId: 0, rows, rejected: [], schema: null }).rejected.map((r) => JSON.parse(r.payload ?? 'null') as Row).map((r) => r.id);
}

describe('range rules on temporal and decimal columns', () => {
  it('compare timestamps to the microsecond against timestamp bounds', () => {
    const rows = [
      { id: 1, ts: '2024-01-01T00:00:00Z' },
      { id: 2, ts: '2023-12-31T23:59:59.999999Z' },
      { id: 3, ts: '2024-12-31T23:59:59.999999Z' },
      { id: 4, ts: '2025-01-01T00:00:00.000001Z' },
      { id: 5, ts: '1969-12-31T23:59:59.5Z' },
    ];
    assert.deepEqual(failures([{ rule: 'range', column: 'ts', min: '2024-01-01', max: '2024-12-31 23:59:59.999999' }], rows), [2, 4, 5]);
    assert.deepEqual(failures([{ rule: 'range', column: 'ts', max: '1970-01-01', max_exclusive: true }], rows), [1, 2, 3, 4]);
  });

  it('compare dates as days, in years 0001-9999', () => {
    const rows = [{ id: 1, d: '0001-01-01' }, { id: 2, d: '2000-02-29' }, { id: 3, d: '9999-12-31' }];
    assert.deepEqual(failures([{ rule: 'range', column: 'd', min: '0001-01-01', max: '2000-02-29', max_exclusive: true }], rows), [2, 3]);
  });

  it('compare decimals exactly, not as text or doubles', () => {
    const rows = [{ id: 1, price: '10.05' }, { id: 2, price: '10.06' }, { id: 3, price: '9.99' }, { id: 4, price: '-0.01' }];
    assert.deepEqual(failures([{ rule: 'range', column: 'price', min: 0, max: '10.05' }], rows), [2, 4]);
    assert.deepEqual(failures([{ rule: 'range', column: 'price', min: 10, min_exclusive: true }], rows), [3, 4]);
  });
});
