import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { registry } from './index.ts';
import { parsePipelineText } from '../plan/load.ts';
import { renderConfigurationDoc } from './reference.ts';

describe('the configuration reference', () => {
  it('is exactly what the schemas render (run `npm run docs` after changing a schema)', () => {
    const onDisk = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
    assert.equal(onDisk, renderConfigurationDoc());
  });

  it('documents every registered component and every key with a description', () => {
    const doc = renderConfigurationDoc();
    for (const type of ['file', 'kafka', 'rate', 'delta', 'console']) assert.match(doc, new RegExp(`### \`type: ${type}\``));
    const undocumented = doc.split('\n').filter((l) => /^\| `[^`]+` \|/.test(l) && /\| *\|$/.test(l));
    assert.deepEqual(undocumented, [], 'keys without a description');
  });

  it('accepts the pipeline file shown in the README', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const block = /## A pipeline file\s+```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    assert.ok(block !== undefined, 'README has a pipeline example');
    const plan = parsePipelineText(block, registry, { env: {} });
    assert.deepEqual([plan.source.type, plan.sink.type, plan.stages.length], ['file', 'delta', 2]);
  });
});
