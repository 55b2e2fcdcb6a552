// The layers of src/ are enforced: lint refuses an import that goes up, and the folders form no cycle.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import layers, { LAYERS } from '../../eslint/layers.js';

const root = join(import.meta.dirname, '..', '..');

async function lint(file: string, code: string): Promise<string[]> {
  const eslint = new ESLint({
    cwd: root,
    overrideConfigFile: true,
    overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser }, plugins: { sluice: layers }, rules: { 'sluice/layers': 'error' } }],
  });
  const [result] = await eslint.lintText(code, { filePath: join(root, file) });
  return (result?.messages ?? []).map((m) => m.message);
}

describe('the layers of src/', () => {
  it('refuses core importing a connector, with both folders and what core may import named', async () => {
    const messages = await lint('src/core/example.ts', "import { deltaSink } from '../connectors/delta/sink.ts';\n");
    assert.deepEqual(messages, ['src/core may not import src/connectors (../connectors/delta/sink.ts): core sits below connectors in the layers (eslint/layers.js). core may import: nothing.']);
  });

  it('refuses the engine importing a connector and a stage importing a connector, also by export and dynamic import', async () => {
    assert.equal((await lint('src/engine/x.ts', "export { appendRows } from '../connectors/delta/table.ts';\n")).length, 1);
    assert.equal((await lint('src/stages/x/y.ts', "const m = import('../../connectors/kafka/sink.ts');\nvoid m;\n")).length, 1);
  });

  it('accepts imports downwards and within a folder, and leaves tests free', async () => {
    assert.deepEqual(await lint('src/connectors/x/y.ts', "import { z } from '../../config/fields.ts';\nimport { a } from './a.ts';\nimport { b } from '../../formats/parquet/read.ts';\n"), []);
    assert.deepEqual(await lint('src/core/x.test.ts', "import { registry } from '../builtins/index.ts';\n"), []);
  });

  it('states an order without cycles, and the tree follows it', () => {
    const seen = new Set<string>();
    const visit = (f: string, path: string[]): void => {
      assert.ok(!path.includes(f), `cycle in LAYERS: ${[...path, f].join(' -> ')}`);
      if (seen.has(f)) return;
      for (const t of (LAYERS as Record<string, string[]>)[f] ?? []) visit(t, [...path, f]);
      seen.add(f);
    };
    for (const f of Object.keys(LAYERS)) visit(f, []);
    const out = execFileSync(process.execPath, [join(root, 'scripts', 'layers.mjs')], { encoding: 'utf8' });
    assert.match(out, /no cycle between folders/);
  });
});
