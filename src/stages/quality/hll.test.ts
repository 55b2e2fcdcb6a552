// HyperLogLog estimates against exact distinct counts, and the column profile built on it.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { HyperLogLog, hash32 } from './hll.ts';
import { ColumnProfile } from './profile.ts';

describe('HyperLogLog', () => {
  it('counts small sets exactly enough (linear counting) and ignores repeats', () => {
    const h = new HyperLogLog(12);
    for (let r = 0; r < 5; r++) for (let i = 0; i < 100; i++) h.add(`k${i}`);
    assert.ok(Math.abs(h.estimate() - 100) <= 2, String(h.estimate()));
  });

  it('stays within 5% at 200,000 distinct values with precision 12', () => {
    const h = new HyperLogLog(12);
    for (let i = 0; i < 200_000; i++) h.add(`user-${i}`);
    const e = h.estimate();
    assert.ok(Math.abs(e - 200_000) / 200_000 < 0.05, String(e));
  });

  it('merges sketches into the estimate of the union', () => {
    const a = new HyperLogLog(10);
    const b = new HyperLogLog(10);
    for (let i = 0; i < 30_000; i++) a.add(String(i));
    for (let i = 20_000; i < 50_000; i++) b.add(String(i));
    a.merge(b);
    assert.ok(Math.abs(a.estimate() - 50_000) / 50_000 < 0.1, String(a.estimate()));
    assert.throws(() => a.merge(new HyperLogLog(11)), /different precision/);
  });

  it('hashes strings to spread 32-bit values', () => {
    assert.notEqual(hash32('a'), hash32('b'));
    assert.equal(hash32('same'), hash32('same'));
    const tops = new Set<number>();
    for (let i = 0; i < 1000; i++) tops.add(hash32(String(i)) >>> 28);
    assert.equal(tops.size, 16);
  });
});

describe('column profile', () => {
  it('reports count, nulls, null rate, distinct, min, max and mean of numbers', () => {
    const p = new ColumnProfile();
    for (const v of [3, 1, null, 3, 5n, undefined, Number.NaN]) p.add(v);
    assert.deepEqual(p.toJSON(), { count: 7, nulls: 2, null_rate: 0.285714, distinct_approx: 4, min: 1, max: 5, mean: 3 });
  });

  it('uses text order for strings and the string form for timestamps and decimals; distinct keeps 1 and "1" apart', () => {
    const s = new ColumnProfile();
    for (const v of ['pear', 'apple', 'fig', '1', 1]) s.add(v);
    const j = s.toJSON();
    assert.equal(j.distinct_approx, 5);
    assert.deepEqual([j.min, j.max], [1, 1]);
    const t = new ColumnProfile();
    for (const v of ['pear', 'apple']) t.add(v);
    assert.deepEqual([t.toJSON().min, t.toJSON().max, t.toJSON().mean], ['apple', 'pear', null]);
    const d = new ColumnProfile(12, 'timestamp');
    d.add(1704153600000000n); // 2024-01-02T00:00:00Z
    d.add(1704067200000001n); // 2024-01-01T00:00:00.000001Z
    assert.deepEqual([d.toJSON().min, d.toJSON().max, d.toJSON().mean], ['2024-01-01 00:00:00.000001', '2024-01-02 00:00:00', null]);
    // Decimal text ranges by value, not as text ('10.00' sorts before '9.99' as text).
    const n = new ColumnProfile(12, 'decimal(10,2)');
    for (const v of ['9.99', '10.00', '-1.50']) n.add(v);
    assert.deepEqual([n.toJSON().min, n.toJSON().max], ['-1.50', '10.00']);
  });

  it('merges batch profiles into run totals', () => {
    const a = new ColumnProfile();
    const b = new ColumnProfile();
    [1, 2, null].forEach((v) => a.add(v));
    [2, 9].forEach((v) => b.add(v));
    a.merge(b);
    assert.deepEqual(a.toJSON(), { count: 5, nulls: 1, null_rate: 0.2, distinct_approx: 3, min: 1, max: 9, mean: 3.5 });
  });

  it('reports an all-NULL column with no distinct values and no range', () => {
    const p = new ColumnProfile();
    p.add(null);
    assert.deepEqual(p.toJSON(), { count: 1, nulls: 1, null_rate: 1, distinct_approx: 0, min: null, max: null, mean: null });
  });
});
