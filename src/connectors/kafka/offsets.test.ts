// Offsets JSON, the backlog-proportional rate limit and lag metrics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCodes, SluiceError } from '../../core/errors.ts';
import { lagMetrics, newOffsetCount, offsetsFromCheckpoint, offsetsToJson, parsePartitionJson, rateLimit, type OffsetMap } from './offsets.ts';

const m = (o: Record<string, number>): OffsetMap => new Map(Object.entries(o));
const sum = (x: OffsetMap, from: OffsetMap) => [...x].reduce((a, [k, v]) => a + v - (from.get(k) ?? 0), 0);

void test('offsets serialize as Spark JSON sorted by topic and partition and parse back', () => {
  const offsets = m({ 'b:10': 5, 'a:2': 7, 'a:10': 1, 'a:0': 0 });
  const json = offsetsToJson(offsets);
  assert.equal(JSON.stringify(json), '{"a":{"0":0,"2":7,"10":1},"b":{"10":5}}');
  assert.deepEqual(offsetsFromCheckpoint(json), offsets);
});

void test('starting-offset JSON admits -2 and -1 while checkpoint offsets do not', () => {
  assert.deepEqual(parsePartitionJson('{"t":{"0":-2,"1":-1,"2":5}}', 'startingOffsets', true), m({ 't:0': -2, 't:1': -1, 't:2': 5 }));
  assert.throws(() => parsePartitionJson('{"t":{"0":-3}}', 'startingOffsets', true), /t\[0\]: -3 is not a valid offset/);
  assert.throws(() => parsePartitionJson('{"t":{"x":1}}', 'startingOffsets', true), /t\[x\]/);
  assert.throws(() => parsePartitionJson('{"t":', 'startingOffsets', true), /not valid JSON/);
  assert.throws(() => offsetsFromCheckpoint({ t: { 0: -1 } }), (e: unknown) => e instanceof SluiceError && e.code === ErrorCodes.CHECKPOINT_CORRUPT);
});

void test('the rate limit splits the cap in proportion to each partition backlog and never exceeds it', () => {
  const from = m({ 't:0': 100, 't:1': 0, 't:2': 0 });
  const until = m({ 't:0': 160, 't:1': 30, 't:2': 10 });
  assert.deepEqual(rateLimit(from, until, 10), m({ 't:0': 106, 't:1': 3, 't:2': 1 }));
  // 7 over backlogs 1:1:1 -> 2,2,2 plus one remainder to the first partition.
  const even = rateLimit(m({}), m({ 'a:0': 100, 'a:1': 100, 'a:2': 100 }), 7);
  assert.deepEqual(even, m({ 'a:0': 3, 'a:1': 2, 'a:2': 2 }));
  for (const limit of [1, 2, 3, 5, 17, 99]) {
    const r = rateLimit(from, until, limit);
    assert.equal(sum(r, from), limit, `limit ${limit}`);
    for (const [k, v] of r) assert.ok(v >= (from.get(k) ?? 0) && v <= (until.get(k) ?? 0));
  }
});

void test('the rate limit leaves a plan under the cap and partitions without backlog unchanged', () => {
  const from = m({ 't:0': 5, 't:1': 9 });
  const until = m({ 't:0': 8, 't:1': 9, 't:2': 2 });
  assert.deepEqual(rateLimit(from, until, 100), until);
  assert.deepEqual(rateLimit(from, until, 2), m({ 't:0': 6, 't:1': 9, 't:2': 1 }));
  assert.equal(newOffsetCount(from, until), 5);
});

void test('lag metrics report how far the planned end is behind the latest offsets', () => {
  assert.deepEqual(lagMetrics(m({ 't:0': 10, 't:1': 20 }), m({ 't:0': 10, 't:1': 5 })), {
    avgOffsetsBehindLatest: '7.5',
    maxOffsetsBehindLatest: '15',
    minOffsetsBehindLatest: '0',
  });
  assert.deepEqual(lagMetrics(m({ 't:0': 10 }), m({})), {});
});
