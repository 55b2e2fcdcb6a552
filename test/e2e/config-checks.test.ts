// `sluice validate` lists every problem of a pipeline file at once (rule columns, rule parameters,
// a source and sink that do not fit), and `sluice run` refuses the same file before anything runs.
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../support/cli.ts';

const root = mkdtempSync(join(tmpdir(), 'sluice-config-checks-'));
after(() => rmSync(root, { recursive: true, force: true }));

describe('config checks before the run', () => {
  it('are all listed by sluice validate, and sluice run refuses the file without touching the checkpoint', async () => {
    const cp = join(root, 'cp');
    const config = join(root, 'pipeline.yaml');
    writeFileSync(
      config,
      [
        'streaming:',
        '  source:',
        '    type: kafka',
        '    config:',
        '      bootstrap.servers: localhost:1',
        '      topics: orders',
        '      valueFormat: string',
        '      group.id: orders-ingest',
        '  processing:',
        '    stages:',
        '      - type: validate',
        '        config:',
        '          rules:',
        '            - { rule: not_null, column: vlaue }',
        '            - { rule: range, column: offset, min: zero }',
        '  sink:',
        '    type: kafka',
        '    config:',
        '      bootstrap.servers: localhost:1',
        '      topic: out',
        `      checkpoint.location: ${cp}`,
      ].join('\n'),
    );
    const v = await runCli(['validate', config]);
    assert.equal(v.code, 2, v.stderr);
    assert.match(v.stderr, /\(3 problems\)/);
    assert.match(v.stderr, /rules\[0\]\.column \(line 14\): unknown column \(did you mean "value"\?\); expected a column of the schema of source kafka: key, value, topic, partition, offset, timestamp, timestampType; found "vlaue"/);
    assert.match(v.stderr, /rules\[1\]\.min \(line 15\): not a range bound/);
    assert.match(v.stderr, /streaming\.source\.config\.group\.id \(line 8\): source kafka \(consumer-group mode, `group\.id` set\) needs a sink that keeps per-partition progress markers atomically with its rows; sink kafka does not \(sinks that do: delta\)/);

    const r = await runCli(['run', config, '--once']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /error \[SLUICE_CONFIG_INVALID\]: invalid .*\(3 problems\)/);
    assert.equal(existsSync(cp), false);
  });
});
