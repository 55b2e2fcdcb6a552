// Tests of the checks against an existing Delta table's schema: rules of stages whose input is only
// known from the data are checked against the table the rows must fit, before anything runs.
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { registry } from '../builtins/index.ts';
import { appendRows } from '../connectors/delta/table.ts';
import { ConfigError } from '../core/errors.ts';
import { silentLogger } from '../core/logger.ts';
import { StreamingQuery } from '../engine/query.ts';
import { checkPipelineFile, parsePipelineText } from './load.ts';

const root = mkdtempSync(join(tmpdir(), 'sluice-sink-schema-'));
const table = join(root, 'table');
before(async () => {
  await appendRows(table, [{ id: 1, amount: 2.5, name: 'a' }], null, { appId: 'seed', batchId: 0 });
});
after(() => rmSync(root, { recursive: true, force: true }));

/** File source without a schema (JSON: columns known only from the data) -> `stages` -> the table. */
function pipeline(stages: string[], sink: string[] = []): string {
  return [
    'streaming:',
    '  source: { type: file, config: { path: /tmp/in } }',
    '  processing:',
    '    stages:',
    ...stages.map((l) => `      ${l}`),
    '  sink:',
    '    type: delta',
    '    config:',
    `      path: ${table}`,
    `      checkpoint.location: ${join(root, 'cp')}`,
    ...sink.map((l) => `      ${l}`),
  ].join('\n');
}

const checks = ['- type: validate', '  name: checks', '  config:', '    rules:', '      - { rule: not_null, column: amout }', '      - { rule: in, column: name, values: [1] }'];

async function preflight(text: string): Promise<string[]> {
  const plan = parsePipelineText(text, registry, {});
  return ((await plan.preflight?.()) ?? []).map((p) => `${p.path}: ${p.message}; expected ${p.expected ?? ''}`);
}

describe('rules checked against an existing Delta table', () => {
  it('refuses rule columns and values that do not fit the table the rows go to', async () => {
    const found = await preflight(pipeline(checks));
    assert.equal(found.length, 2, found.join('\n'));
    assert.match(found[0] ?? '', new RegExp(`^streaming\\.processing\\.stages\\[0\\]\\.config\\.rules\\[0\\]\\.column \\(line 9\\): unknown column \\(did you mean "amount"\\?\\); expected a column of the schema of Delta table ${table}: id, amount, name$`));
    assert.match(found[1] ?? '', /rules\[1\]\.values\[0\] \(line 10\): does not suit string column name/);
  });

  it('reaches the rules through quality stages, not through stages that may change the columns', async () => {
    assert.equal((await preflight(pipeline([...checks, '- type: quality', '  config: { expect: { positive: "id > 0" } }']))).length, 2);
    assert.equal(parsePipelineText(pipeline([...checks, '- type: transform', '  config: { steps: [{ select: [id] }] }']), registry, {}).preflight, undefined);
  });

  it("checks a validate stage with its own schema against that schema only, and reads no table for it", () => {
    const own = ['- type: validate', '  config:', '    schema: "amount DOUBLE, name STRING"', '    rules: [{ rule: not_null, column: amout }]'];
    assert.throws(() => parsePipelineText(pipeline(own), registry, {}), (e: unknown) => e instanceof ConfigError && e.problems.length === 1 && /declared schema of stage validate_0/.test(e.message));
    assert.equal(parsePipelineText(pipeline([...own.slice(0, 3), '    rules: [{ rule: not_null, column: amount }]']), registry, {}).preflight, undefined);
  });

  it('does not hold rows to the table when the sink merges schemas, nor read a table that is not there', async () => {
    assert.equal(parsePipelineText(pipeline(checks, ['mergeSchema: true']), registry, {}).preflight !== undefined, true);
    assert.deepEqual(await preflight(pipeline(checks, ['mergeSchema: true'])), []);
    assert.deepEqual(await preflight(pipeline(checks).replace(table, join(root, 'no-table'))), []);
  });

  it('lists these problems with the others of the file for sluice validate, and stops a query before it starts', async () => {
    const file = join(root, 'p.yaml');
    writeFileSync(file, pipeline([...checks, '    policy: sometimes']));
    await assert.rejects(checkPipelineFile(file, registry), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.deepEqual(e.problems.map((p) => p.path.replace(/ \(line \d+\)$/, '')), [
        'streaming.processing.stages[0].config.policy',
        'streaming.processing.stages[0].config.rules[0].column',
        'streaming.processing.stages[0].config.rules[1].values[0]',
      ]);
      return true;
    });
    const checkpoint = join(root, 'cp-start');
    const plan = { ...parsePipelineText(pipeline(checks), registry, {}), checkpointLocation: checkpoint };
    await assert.rejects(StreamingQuery.start(plan, { logger: silentLogger }), (e: unknown) => e instanceof ConfigError && /rules\[0\]\.column .*unknown column/.test(e.message));
    assert.equal(existsSync(checkpoint), false);
  });
});
