// Tests of the validate stage's checks before the run: rule columns against the schema known from the
// source or an earlier stage (with did-you-mean), typed rule parameters, and how rules compare dates.
import { ts } from '../../../test/support/values.ts';
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { registry } from '../../builtins/index.ts';
import { parsePipelineText } from '../../plan/load.ts';
import { ConfigError } from '../../core/errors.ts';
import { createLogger } from '../../core/logger.ts';
import type { Batch, Row } from '../../core/record.ts';
import { validateConfig } from './config.ts';
import { ValidateStage } from './stage.ts';

/** A pipeline reading files with `sourceSchema` (or none) through `stages` (YAML lines under `stages:`). */
function pipeline(sourceSchema: string | null, stages: string[]): string {
  return [
    'streaming:',
    '  source:',
    '    type: file',
    '    config:',
    '      path: /tmp/in',
    ...(sourceSchema === null ? [] : [`      schema: "${sourceSchema}"`]),
    '  processing:',
    '    stages:',
    ...stages.map((l) => `      ${l}`),
    '  sink: { type: memory, config: { name: out, checkpoint.location: /tmp/cp } }',
  ].join('\n');
}

function problems(text: string): string[] {
  try {
    parsePipelineText(text, registry, {});
  } catch (e) {
    if (e instanceof ConfigError) return e.message.split('\n').slice(1).map((l) => l.replace(/^ {2}- /, ''));
    throw e;
  }
  return [];
}

const SCHEMA = 'id STRING NOT NULL, Amount DOUBLE, ts TIMESTAMP, day DATE, n BIGINT, device STRUCT<os: STRING, version: INT>, tags ARRAY<STRING>, attrs MAP<STRING, STRING>';

describe('validate rules checked against the schema known before the run', () => {
  it("lists every rule column the source's declared schema lacks, at once, with its line and a did-you-mean", () => {
    const found = problems(
      pipeline(SCHEMA, [
        '- type: validate',
        '  name: checks',
        '  config:',
        '    rules:',
        '      - { rule: range, column: amount, min: 0 }',
        '      - { rule: not_null, column: idd }',
        '      - { rule: in, column: device.oss, values: [ios] }',
        '      - { rule: unique, columns: [id, countryy] }',
        '      - { rule: regex, column: tags.x, pattern: "^a" }',
        '      - { rule: not_null, column: attrs.anything }',
        '      - { rule: expression, expression: "amout > 0" }',
      ]),
    );
    assert.equal(found.length, 6, found.join('\n'));
    assert.match(found[0] ?? '', /^streaming\.processing\.stages\[0\]\.config\.rules\[0\]\.column \(line 13\): unknown column \(did you mean "Amount"\? names are case-sensitive\); expected a column of the schema of source file: id, Amount, ts, day, n, device, tags, attrs; found "amount"$/);
    assert.match(found[1] ?? '', /rules\[1\]\.column \(line 14\): unknown column \(did you mean "id"\?\); .*found "idd"$/);
    assert.match(found[2] ?? '', /rules\[2\]\.column \(line 15\): struct device has no field "oss" \(did you mean "device\.os"\?\); expected a field of device: os, version; found "device\.oss"$/);
    assert.match(found[3] ?? '', /rules\[3\]\.columns\[1\] \(line 16\): unknown column; .*found "countryy"$/);
    assert.match(found[4] ?? '', /rules\[4\]\.column \(line 17\): tags is array<string>, not a struct/);
    assert.match(found[5] ?? '', /rules\[6\]\.expression \(line 19\): .*amout/);
  });

  it('still checks the columns of a stage whose config has other problems, so that all are listed at once', () => {
    const found = problems(
      pipeline(SCHEMA, [
        '- type: validate',
        '  config:',
        '    policy: sometimes',
        '    rules:',
        '      - { rule: range, column: amout, min: zero }',
        '      - { rule: unique, columns: [id, dday], extra: 1 }',
        '      - { rule: not_null, column: idd }',
      ]),
    );
    assert.equal(found.length, 6, found.join('\n'));
    assert.ok(found.some((l) => /config\.policy .*: value not allowed/.test(l)));
    assert.ok(found.some((l) => /rules\[0\]\.min .*: not a range bound/.test(l)));
    assert.ok(found.some((l) => /rules\[0\]\.column .*: unknown column \(did you mean "Amount"\?/.test(l)));
    assert.ok(found.some((l) => /rules\[1\]\.extra .*: unknown key/.test(l)));
    assert.ok(found.some((l) => /rules\[1\]\.columns\[1\] .*: unknown column \(did you mean "day"\?/.test(l)));
    assert.ok(found.some((l) => /rules\[2\]\.column .*: unknown column \(did you mean "id"\?/.test(l)));
  });

  it("checks rules against the stage's own schema, and a later validate stage against the earlier one's", () => {
    const found = problems(
      pipeline(null, [
        '- type: validate',
        '  config:',
        '    schema: "id STRING, amount DOUBLE"',
        '    rules: [{ rule: not_null, column: amuont }]',
        '- type: validate',
        '  config:',
        '    rules: [{ rule: range, column: ts, min: 0 }]',
      ]),
    );
    assert.equal(found.length, 2, found.join('\n'));
    assert.match(found[0] ?? '', /^streaming\.processing\.stages\[0\]\.config\.rules\[0\]\.column .*unknown column \(did you mean "amount"\?\); expected a column of the declared schema of stage validate_0: id, amount/);
    assert.match(found[1] ?? '', /^streaming\.processing\.stages\[1\]\.config\.rules\[0\]\.column .*expected a column of the declared schema of stage validate_0/);
  });

  it('passes the schema through quality stages but not past stages that can change it', () => {
    const rule = ['- type: validate', '  config:', '    rules: [{ rule: not_null, column: nope }]'];
    const viaQuality = problems(pipeline(SCHEMA, ['- type: quality', '  config: { expect: { positive: "n > 0" } }', ...rule]));
    assert.equal(viaQuality.length, 1, viaQuality.join('\n'));
    assert.match(viaQuality[0] ?? '', /stages\[1\]\.config\.rules\[0\]\.column .*unknown column; expected a column of the schema of source file/);
    assert.deepEqual(problems(pipeline(SCHEMA, ['- type: detect', ...rule])), []);
    assert.deepEqual(problems(pipeline(null, rule)), []);
  });

  it('refuses range bounds that are not numbers or ISO dates and timestamps, whatever the schema', () => {
    const found = problems(
      pipeline(null, [
        '- type: validate',
        '  config:',
        '    rules:',
        '      - { rule: range, column: a, min: zero }',
        '      - { name: r1, rule: range, column: a, min: 10, max: 1 }',
        '      - { name: r2, rule: range, column: a, min: 1, max: "2024-01-01" }',
        '      - { name: r3, rule: range, column: a, min: "2024-02-01", max: "2024-01-31T23:00:00Z" }',
        '      - { rule: length, column: a, min: 3, max: 2 }',
        '      - { name: r4, rule: range, column: a, min: "-1.5e3", max: "2024-02-30" }',
      ]),
    );
    assert.equal(found.length, 6, found.join('\n'));
    assert.match(found[0] ?? '', /rules\[0\]\.min \(line 11\): not a range bound; expected a number, or an ISO date \("2024-01-31"\) or timestamp .*; found "zero"$/);
    assert.match(found[1] ?? '', /rules\[1\]\.max .*: max is below min \(10\): no value can pass/);
    assert.match(found[2] ?? '', /rules\[2\]\.max .*: min and max must be of the same kind/);
    assert.match(found[3] ?? '', /rules\[3\]\.max .*: max is below min \(2024-02-01\)/);
    assert.match(found[4] ?? '', /rules\[4\]\.max .*: max is below min \(3\)/);
    assert.match(found[5] ?? '', /rules\[5\]\.max .*: not a range bound; .*found "2024-02-30"$/);
  });

  it("checks each rule's parameters against the column's type", () => {
    const found = problems(
      pipeline(SCHEMA, [
        '- type: validate',
        '  config:',
        '    rules:',
        '      - { rule: range, column: id, min: 1 }',
        '      - { rule: range, column: Amount, min: "2024-01-01" }',
        '      - { rule: range, column: ts, min: 0 }',
        '      - { rule: range, column: day, min: "2024-01-01T10:00:00Z" }',
        '      - { rule: in, column: id, values: [a, 1] }',
        '      - { rule: in, column: n, values: [1, "2"] }',
        '      - { rule: in, column: day, values: ["2024-01-01", "Monday"] }',
        '      - { rule: length, column: n, max: 3 }',
        '      - { rule: range, column: n, min: "9007199254740993", max: 1e20 }',
        '      - { name: day_of_ts, rule: range, column: ts, min: "2024-01-01", max: "2024-01-01T12:00:00+02:00" }',
        '      - { rule: in, column: ts, values: ["2024-01-01T00:00:00Z"] }',
        '      - { rule: length, column: tags, min: 1 }',
      ]),
    );
    assert.equal(found.length, 8, found.join('\n'));
    assert.match(found[0] ?? '', /rules\[0\]\.column .*: a range rule needs a numeric, date or timestamp column; id is string/);
    assert.match(found[1] ?? '', /rules\[1\]\.min .*: does not suit double column Amount; expected a number; found "2024-01-01"/);
    assert.match(found[2] ?? '', /rules\[2\]\.min .*: does not suit timestamp column ts; expected an ISO timestamp/);
    assert.match(found[3] ?? '', /rules\[3\]\.min .*: does not suit date column day; expected an ISO date such as "2024-01-31"/);
    assert.match(found[4] ?? '', /rules\[4\]\.values\[1\] .*: does not suit string column id; expected strings .*; found 1$/);
    assert.match(found[5] ?? '', /rules\[5\]\.values\[1\] .*: does not suit bigint column n; expected numbers; found "2"$/);
    assert.match(found[6] ?? '', /rules\[6\]\.values\[1\] .*: does not suit date column day; .*found "Monday"$/);
    assert.match(found[7] ?? '', /rules\[7\]\.column .*: a length rule needs a string, binary or array column; n is bigint/);
    // The rest fit: numbers as text on a bigint, a date bound on a timestamp, ISO in-values, an array's length.
    assert.equal(found.filter((l) => /rules\[(8|9|10|11)\]/.test(l)).length, 0);
  });

  it('refuses a regex on a struct column', () => {
    const found = problems(pipeline(SCHEMA, ['- type: validate', '  config:', '    rules: [{ rule: regex, column: device, pattern: x }]']));
    assert.equal(found.length, 1);
    assert.match(found[0] ?? '', /a regex rule needs a column of text or single values; device is struct<os:string,version:int>/);
  });

  it('refuses a stage built in code whose rules do not fit its declared schema', () => {
    assert.throws(
      () => new ValidateStage('checks', validateConfig.parse({ schema: 'amount DOUBLE', rules: [{ rule: 'not_null', column: 'amonut' }] })),
      /stage checks: rules\[0\]\.column: unknown column \(did you mean "amount"\?\)/,
    );
  });
});

function batch(rows: Row[], batchId = 0): Batch {
  return { batchId, rows, rejected: [], schema: null };
}

describe('validate rules on dates and timestamps', () => {
  it('compares timestamps with ISO bounds as instants, a bound without a zone being UTC', () => {
    const s = new ValidateStage('t', validateConfig.parse({ schema: 'ts TIMESTAMP', rules: [{ rule: 'range', column: 'ts', min: '2024-01-01T00:00:00', max: '2024-01-02', max_exclusive: true }] }));
    const out = s.process(batch([{ ts: '2023-12-31T23:59:59Z' }, { ts: '2024-01-01T00:00:00Z' }, { ts: '2024-01-01T23:59:59+00:00' }, { ts: '2024-01-02T01:00:00+02:00' }, { ts: '2024-01-02T00:00:00Z' }]));
    assert.deepEqual(out.rows.map((r) => r.ts), [ts('2024-01-01T00:00:00Z'), ts('2024-01-01T23:59:59Z'), ts('2024-01-01T23:00:00Z')]);
    assert.match(out.rejected[0]?.message ?? '', /ts = 2023-12-31T23:59:59.000Z is outside \[2024-01-01T00:00:00, 2024-01-02\)/);
  });

  it('matches dates against in-values written as ISO dates', () => {
    const s = new ValidateStage('d', validateConfig.parse({ schema: 'day DATE', rules: [{ rule: 'in', column: 'day', values: ['2024-01-01', '2024-01-03'] }] }));
    const out = s.process(batch([{ day: '2024-01-01' }, { day: '2024-01-02' }, { day: '2024-01-03' }]));
    assert.equal(out.rows.length, 2);
    assert.match(out.rejected[0]?.message ?? '', /day = 2024-01-02 is not one of "2024-01-01", "2024-01-03"/);
  });

  it('counts the bytes of a binary value for a length rule', () => {
    const s = new ValidateStage('b', validateConfig.parse({ schema: 'b BINARY', rules: [{ rule: 'length', column: 'b', max: 2 }] }));
    const out = s.process(batch([{ b: new Uint8Array([1, 2]) }, { b: new Uint8Array([1, 2, 3]) }]));
    assert.equal(out.rows.length, 1);
    assert.match(out.rejected[0]?.message ?? '', /b has length 3, above 2/);
  });
});

describe('validate rules whose schema only the data tells', () => {
  it('warns once per rule when the data lacks the column a rule names', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'warn', format: 'json', write: (l) => lines.push(l) });
    const s = new ValidateStage('checks', validateConfig.parse({ rules: [{ rule: 'range', column: 'amout', min: 0 }, { rule: 'not_null', column: 'id' }] }), logger);
    const schema = { type: 'struct' as const, fields: [{ name: 'id', type: 'string' as const, nullable: true, metadata: {} }, { name: 'amount', type: 'double' as const, nullable: true, metadata: {} }] };
    s.process({ batchId: 0, rows: [{ id: 'a', amount: -1 }], rejected: [], schema });
    s.process({ batchId: 1, rows: [{ id: 'b', amount: -2 }], rejected: [], schema: { ...schema } });
    assert.equal(lines.length, 1, lines.join('\n'));
    const line = JSON.parse(lines[0] ?? '{}') as { msg: string; rule: string };
    assert.equal(line.rule, 'range(amout)');
    assert.match(line.msg, /rule range\(amout\) names "amout", which the data does not have: unknown column \(did you mean "amount"\?\); the rule passes every row without it/);
  });
});
