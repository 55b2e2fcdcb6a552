// Tests of the validate stage: declared schema conformance, every rule, statistics and policies.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { registry } from '../../builtins/index.ts';
import { parsePipelineText } from '../../plan/load.ts';
import { ConfigError, ErrorCodes, SluiceError } from '../../core/errors.ts';
import { withOrigin, type Batch, type Row } from '../../core/record.ts';
import { validateConfig } from './config.ts';
import { ValidateStage } from './stage.ts';

function stage(config: unknown): ValidateStage {
  return new ValidateStage('checks', validateConfig.parse(config));
}

function batch(rows: Row[], batchId = 0): Batch {
  return { batchId, rows, rejected: [], schema: null };
}

describe('the validate stage', () => {
  it('coerces values losslessly to the declared schema and sends the rest to the DLQ with the original payload', () => {
    const s = stage({ schema: 'id STRING NOT NULL, amount DOUBLE, n BIGINT, ts TIMESTAMP' });
    const rows = [
      withOrigin({ id: 'a', amount: '12.5', n: 3, ts: '2024-01-02T03:04:05Z', extra: 1 }, { file: 'f.jsonl', line: 1 }),
      withOrigin({ id: 'b', amount: 'twelve', n: 1 }, { file: 'f.jsonl', line: 2 }),
      withOrigin({ amount: 1 }, { file: 'f.jsonl', line: 3 }),
      { id: 'd', n: 1.5 },
    ];
    const out = s.process(batch(rows));
    assert.deepEqual(out.rows.map((r) => Object.fromEntries(Object.entries(r))), [{ id: 'a', amount: 12.5, n: 3, ts: BigInt(Date.parse('2024-01-02T03:04:05Z')) * 1000n }]);
    assert.equal(out.schema?.fields.length, 4);
    assert.deepEqual(out.rejected.map((r) => [r.errorType, r.stage, r.rule, r.origin.line]), [
      ['SCHEMA_VALIDATION', 'checks', 'schema', 2],
      ['SCHEMA_VALIDATION', 'checks', 'schema', 3],
      ['SCHEMA_VALIDATION', 'checks', 'schema', undefined],
    ]);
    assert.match(out.rejected[0]?.message ?? '', /amount: expected double, found "twelve"/);
    assert.deepEqual(JSON.parse(out.rejected[0]?.payload ?? ''), { id: 'b', amount: 'twelve', n: 1 });
    assert.match(out.rejected[2]?.message ?? '', /n: expected bigint/);
    assert.deepEqual(s.stats.schema, { passed: 1, failed: 3 });
  });

  it('applies not_null, range, regex, in, length, unique and expression rules with per-rule counts', () => {
    const s = stage({
      rules: [
        { rule: 'not_null', column: 'id' },
        { rule: 'range', column: 'amount', min: 0, max: 100, max_exclusive: true },
        { rule: 'regex', column: 'email', pattern: '^[^@]+@[^@]+$' },
        { rule: 'in', column: 'kind', values: ['buy', 'sell'] },
        { rule: 'length', column: 'id', max: 3 },
        { rule: 'unique', column: 'id' },
        { rule: 'expression', expression: 'amount * 2 < limit OR limit IS NULL', name: 'under_limit' },
      ],
    });
    const ok = { id: 'a1', amount: 0, email: 'x@y', kind: 'buy', limit: null };
    const out = s.process(batch([
      ok,
      { ...ok, id: null },
      { ...ok, id: 'a2', amount: 100 },
      { ...ok, id: 'a3', email: 'nope' },
      { ...ok, id: 'a4', kind: 'hold' },
      { ...ok, id: 'long-id' },
      { ...ok },
      { ...ok, id: 'a5', amount: 60, limit: 100 },
      { ...ok, id: 'a6', amount: 99.5 },
    ]));
    assert.deepEqual(out.rows.map((r) => r.id), ['a1', 'a6']);
    assert.deepEqual(out.rejected.map((r) => r.rule), ['not_null(id)', 'range(amount)', 'regex(email)', 'in(kind)', 'length(id)', 'unique(id)', 'under_limit']);
    assert.match(out.rejected[1]?.message ?? '', /amount = 100 is outside \[0, 100\)/);
    assert.match(out.rejected[5]?.message ?? '', /duplicate id = "a1" within the batch/);
    const m = s.stats;
    assert.deepEqual(m.rules['range(amount)'], { passed: 8, failed: 1 });
    assert.deepEqual(m.rules['unique(id)'], { passed: 8, failed: 1 }); // a null id is not a duplicate
    assert.deepEqual(m.rules['under_limit'], { passed: 8, failed: 1 });
    assert.equal(m.rowsIn, 9);
    assert.equal(m.rowsPassed, 2);
    assert.equal(m.rowsToDlq, 7);
  });

  it('forgets unique keys and resets statistics between batches', () => {
    const s = stage({ rules: [{ rule: 'unique', columns: ['a', 'b'] }] });
    assert.equal(s.process(batch([{ a: 1, b: 2 }, { a: 1, b: 3 }, { a: 1, b: 2 }], 0)).rows.length, 2);
    const out = s.process(batch([{ a: 1, b: 2 }], 1));
    assert.equal(out.rows.length, 1);
    assert.deepEqual(s.stats.rules['unique(a,b)'], { passed: 1, failed: 0 });
  });

  it('drops records under the drop policy and stops the pipeline under fail, per rule or per stage', () => {
    const s = stage({ policy: 'drop', rules: [{ rule: 'not_null', column: 'id' }, { rule: 'range', column: 'n', min: 0, policy: 'dlq' }] });
    const out = s.process(batch([{ id: null, n: 1 }, { id: 'x', n: -1 }, { id: null, n: -1 }]));
    assert.equal(out.rows.length, 0);
    assert.deepEqual(out.rejected.map((r) => r.rule), ['range(n)', 'range(n)']);
    assert.match(out.rejected[1]?.message ?? '', /not_null\(id\): id is null; range\(n\)/);
    assert.equal(s.stats.rowsDropped, 1);
    const f = stage({ rules: [{ rule: 'in', column: 'k', values: [1, 2], policy: 'fail' }] });
    assert.throws(() => f.process(batch([withOrigin({ k: 3 }, { topic: 't', partition: 0, offset: '7' })])), (e: unknown) => {
      assert.ok(e instanceof SluiceError);
      assert.equal(e.code, ErrorCodes.RECORD_INVALID);
      assert.match(e.message, /stage checks: record at t\[0\]@7 failed in\(k\): k = 3 is not one of 1, 2/);
      return true;
    });
  });

  it('reports bad rules as config problems with their key paths', () => {
    const text = `
streaming:
  source: { type: memory, config: { name: x } }
  processing:
    stages:
      - type: validate
        config:
          rules:
            - { rule: regex, column: a, pattern: "([" }
            - { rule: expression, expression: "a >" }
            - { rule: range, column: a }
  sink: { type: memory, config: { name: y, checkpoint.location: /tmp/x } }
`;
    try {
      parsePipelineText(text, registry, {});
      assert.fail('expected a config error');
    } catch (e) {
      assert.ok(e instanceof ConfigError);
      const paths = e.problems.map((p) => p.path);
      assert.ok(paths.some((p) => p.startsWith('streaming.processing.stages[0].config.rules[0].pattern')), paths.join());
      assert.ok(paths.some((p) => p.startsWith('streaming.processing.stages[0].config.rules[1].expression')), paths.join());
      assert.ok(paths.some((p) => p.startsWith('streaming.processing.stages[0].config.rules[2]')), paths.join());
      assert.match(e.message, /invalid regular expression/);
    }
  });

  it('checks expression rules against the declared schema when the stage is created', () => {
    assert.throws(() => stage({ schema: 'a INT', rules: [{ rule: 'expression', expression: 'b > 1' }] }), /b/);
  });
});

describe('the validate stage on a batch in slices', () => {
  it('keeps unique keys and statistics across slices of the same batch id', () => {
    const s = stage({ rules: [{ rule: 'unique', column: 'id' }] });
    s.process(batch([{ id: 1 }, { id: 2 }], 7));
    const second = s.process(batch([{ id: 2 }, { id: 3 }], 7));
    assert.deepEqual(second.rows.map((r) => r.id), [3]);
    assert.deepEqual(s.stats.rules['unique(id)'], { passed: 3, failed: 1 });
    assert.equal(s.stats.rowsIn, 4);
  });

});

describe('the validate stage with columns named like object members', () => {
  it('checks rules on columns named like object members as ordinary columns, missing ones as null', () => {
    const s = stage({ rules: [{ rule: 'not_null', column: 'constructor' }, { rule: 'not_null', column: 'meta.toString' }, { rule: 'in', column: '__proto__', values: ['p'] }] });
    const rows = [
      JSON.parse('{"id":1,"__proto__":"p","constructor":"c","meta":{"toString":"t"}}') as Row,
      JSON.parse('{"id":2,"__proto__":"p","meta":{}}') as Row,
      JSON.parse('{"id":3,"__proto__":"q","constructor":"c","meta":{"toString":"t"}}') as Row,
    ];
    const out = s.process(batch(rows));
    assert.deepEqual(out.rows.map((r) => r.id), [1]);
    assert.deepEqual(out.rejected.map((r) => r.message), ['not_null(constructor): constructor is null; not_null(meta.toString): meta.toString is null', 'in(__proto__): __proto__ = "q" is not one of "p"']);
  });
});
