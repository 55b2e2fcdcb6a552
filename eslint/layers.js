// The layering of src/, stated once and enforced by lint: a folder may import only the folders below
// it. `npm run lint` fails on an import that goes up or sideways (scripts/layers.mjs prints the graph).
//
//   core ← config ← schema ← expr ← { stages, formats, connectors } ← plan ← engine ← observe
//                                     ← builtins (the one list of components) ← { api, cli } ← index
import { dirname, relative, resolve, sep } from 'node:path';

/** Each folder of src/ and the folders it may import (besides itself). */
export const LAYERS = {
  core: [],
  config: ['core'],
  schema: ['core', 'config'],
  expr: ['core', 'config', 'schema'],
  formats: ['core', 'config', 'schema'],
  stages: ['core', 'config', 'schema', 'expr'],
  connectors: ['core', 'config', 'schema', 'expr', 'formats'],
  plan: ['core', 'config', 'schema'],
  engine: ['core', 'config', 'schema', 'plan'],
  observe: ['core', 'config', 'schema', 'plan', 'engine'],
  builtins: ['core', 'config', 'schema', 'expr', 'formats', 'stages', 'connectors', 'plan'],
  api: ['core', 'config', 'schema', 'expr', 'stages', 'plan', 'engine', 'observe', 'builtins'],
  cli: ['core', 'config', 'schema', 'plan', 'engine', 'observe', 'builtins', 'connectors', 'version'],
  version: [],
  index: ['core', 'config', 'schema', 'plan', 'engine', 'observe', 'builtins', 'api', 'connectors'],
};

const SRC = resolve(import.meta.dirname, '..', 'src');

function folderOf(file) {
  const rel = relative(SRC, file);
  if (rel.startsWith('..')) return undefined;
  const parts = rel.split(sep);
  return parts.length === 1 ? parts[0].replace(/\.ts$/, '') : parts[0];
}

const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'imports between the folders of src/ follow the layers' },
    schema: [],
    messages: {
      up: 'src/{{from}} may not import src/{{to}} ({{spec}}): {{from}} sits below {{to}} in the layers (eslint/layers.js). {{from}} may import: {{allowed}}.',
    },
  },
  create(context) {
    const file = context.filename;
    const from = folderOf(file);
    if (from === undefined || file.endsWith('.test.ts')) return {};
    const allowed = LAYERS[from];
    const check = (node, spec) => {
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const to = folderOf(resolve(dirname(file), spec));
      if (to === undefined || to === from) return;
      if (allowed === undefined || !allowed.includes(to)) {
        context.report({ node, messageId: 'up', data: { from, to, spec, allowed: allowed === undefined || allowed.length === 0 ? 'nothing' : allowed.join(', ') } });
      }
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
};

export default { rules: { layers: rule } };
