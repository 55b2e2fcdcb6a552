import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { registry } from '../builtins/index.ts';
import { ConfigError } from '../core/errors.ts';
import { parsePipelineText } from './load.ts';
import { parseByteSize, parseDuration } from '../config/units.ts';

const ok = `
streaming:
  source:
    type: memory
    config:
      name: \${STREAM_NAME:-events}
  processing:
    batch.interval: 5 seconds
    watermark.delay: 10 minutes
    max.offsets.per.trigger: "10000"
  sink:
    type: memory
    config:
      name: out
      checkpoint.location: \${CP_ROOT}/cp
`;

function problemsOf(text: string, env: Record<string, string> = {}): string[] {
  try {
    parsePipelineText(text, registry, { env });
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p) => `${p.path}: ${p.message}${p.expected === undefined ? '' : ` | expected ${p.expected}`}${p.found === undefined ? '' : ` | found ${JSON.stringify(p.found)}`}`);
    throw e;
  }
  return [];
}

describe('pipeline configuration', () => {
  it('carries monitoring, the dead-letter sink and the resources the components declare', () => {
    const plan = parsePipelineText(`
streaming:
  source: { type: file, config: { path: /data/in, cleanSource: archive, sourceArchiveDir: /data/archive } }
  sink: { type: delta, config: { path: /data/table, checkpoint.location: /data/cp } }
  error_handling: { dead_letter: { type: delta, path: /data/dlq } }
  monitoring: { http: { port: 9464 } }
`, registry, {});
    assert.deepEqual(plan.resources, { paths: ['/data/cp', '/data/in', '/data/archive', '/data/table', '/data/dlq'], endpoints: [], ports: [9464] });
    assert.equal(plan.monitoring.http?.port, 9464);
    assert.deepEqual([plan.deadLetter.type, (plan.deadLetter.config as { path: string }).path], ['delta', '/data/dlq']);
  });

  it('parses the seed shape with dotted keys, durations, numeric strings and environment variables', () => {
    const plan = parsePipelineText(ok, registry, { env: { CP_ROOT: '/tmp/x' }, name: 'demo' });
    assert.equal(plan.name, 'demo');
    assert.deepEqual(plan.trigger, { kind: 'processingTime', intervalMs: 5000 });
    assert.equal(plan.processing['watermark.delay'], 600_000);
    assert.equal(plan.processing['max.offsets.per.trigger'], 10_000);
    assert.equal(plan.checkpointLocation, '/tmp/x/cp');
    assert.deepEqual(plan.source.config, { name: 'events' });
    assert.deepEqual(plan.sink.config, { name: 'out' });
  });

  it('uses the variable over the default when it is set', () => {
    const plan = parsePipelineText(ok, registry, { env: { CP_ROOT: '/tmp/x', STREAM_NAME: 'clicks' } });
    assert.deepEqual(plan.source.config, { name: 'clicks' });
  });

  it('reports every problem at once with key path, line, value found and expectation', () => {
    const bad = `
streaming:
  source:
    type: memory
    config:
      nme: events
  processing:
    batch.interval: soon
    max.offsets.per.trigger: -5
    extra: 1
  sink:
    type: memroy
    config:
      name: out
`;
    const problems = problemsOf(bad, {});
    assert.equal(problems.length, 7, problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith('streaming.sink.config.checkpoint.location (line 13): required key is missing')));
    assert.ok(problems.some((p) => p.startsWith('streaming.processing.batch.interval (line 8): not a duration') && p.includes('found "soon"')), problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith('streaming.processing.max.offsets.per.trigger (line 9): value too small') && p.includes('found -5')));
    assert.ok(problems.some((p) => /^streaming.processing.extra \(line 10\): unknown key/.test(p)));
    assert.ok(problems.some((p) => p.startsWith('streaming.source.config.nme (line 6): unknown key (did you mean "name"?)')));
    assert.ok(problems.some((p) => p.startsWith('streaming.source.config.name (line 5): required key is missing')));
    assert.ok(problems.some((p) => p.startsWith('streaming.sink.type (line 12): unknown sink type (did you mean "memory"?)') && p.includes('found "memroy"')));
  });

  it('names an unset environment variable without a default and the key that uses it', () => {
    const problems = problemsOf(ok, {});
    assert.deepEqual(problems.length, 1);
    assert.match(problems[0] ?? '', /^streaming\.sink\.config\.checkpoint\.location.*environment variable CP_ROOT is not set/);
  });

  it('requires a checkpoint location for sinks that keep state', () => {
    const problems = problemsOf(ok.replace(/ +checkpoint.location.*\n/, ''), {});
    assert.ok(problems.some((p) => /^streaming.sink.config.checkpoint.location( \(line \d+\))?: required key is missing/.test(p)), problems.join('\n'));
  });

  it('reports YAML syntax errors with their position', () => {
    const problems = problemsOf('streaming:\n  source: [unclosed\n', {});
    assert.equal(problems.length, 1);
    assert.match(problems[0] ?? '', /^line \d+, column \d+: YAML syntax/);
  });

  it('parses Spark-style durations and sizes', () => {
    assert.equal(parseDuration('5 seconds'), 5000);
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('10 minutes'), 600_000);
    assert.equal(parseDuration('1 hour 30 minutes'), 5_400_000);
    assert.equal(parseDuration('interval 2 days'), 172_800_000);
    assert.equal(parseDuration(250), 250);
    assert.equal(parseDuration('5 parsecs'), undefined);
    assert.equal(parseDuration('fast'), undefined);
    assert.equal(parseByteSize('128 MB'), 128 * 1024 * 1024);
    assert.equal(parseByteSize('1g'), 1024 ** 3);
    assert.equal(parseByteSize('12 apples'), undefined);
  });
});
