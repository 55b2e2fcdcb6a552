// Prints the import graph between the folders of src/ (one level: core, schema, expr, stages,
// formats, connectors, engine, observe, api, cli, builtins...) and any cycle in it; exits 1 on a cycle.
// `node scripts/layers.mjs [--json]`.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', 'src');

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

/** The folder a file belongs to: its first path segment under src/ (a file at the top is its own). */
export function folderOf(file) {
  const rel = relative(root, file).split('/');
  return rel.length === 1 ? rel[0].replace(/\.ts$/, '') : rel[0];
}

export function importGraph() {
  const edges = new Map();
  for (const file of walk(root, [])) {
    const from = folderOf(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+['"](\.[^'"]+)['"]/g)) {
      const target = resolve(dirname(file), m[1]);
      if (!target.startsWith(root)) continue;
      const to = folderOf(target);
      if (to === from) continue;
      if (!edges.has(from)) edges.set(from, new Map());
      const byTo = edges.get(from);
      if (!byTo.has(to)) byTo.set(to, []);
      byTo.get(to).push(`${relative(root, file)} -> ${relative(root, target)}`);
    }
  }
  return edges;
}

/** Every elementary cycle found by depth-first search (each reported once, from its smallest node). */
export function cycles(edges) {
  const found = [];
  const nodes = [...edges.keys()].sort();
  for (const start of nodes) {
    const stack = [[start, [start]]];
    while (stack.length > 0) {
      const [node, path] = stack.pop();
      for (const next of edges.get(node)?.keys() ?? []) {
        if (next === start) found.push([...path, start]);
        else if (!path.includes(next) && next > start) stack.push([next, [...path, next]]);
      }
    }
  }
  return found;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const edges = importGraph();
  const found = cycles(edges);
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify({ edges: Object.fromEntries([...edges].map(([f, m]) => [f, [...m.keys()].sort()])), cycles: found }));
  } else {
    for (const [from, byTo] of [...edges].sort()) console.log(`${from.padEnd(12)} -> ${[...byTo.keys()].sort().join(', ')}`);
    if (found.length === 0) console.log('\nno cycle between folders');
    for (const c of found) {
      console.log(`\ncycle: ${c.join(' -> ')}`);
      for (let i = 0; i + 1 < c.length; i++) for (const e of (edges.get(c[i])?.get(c[i + 1]) ?? []).slice(0, 3)) console.log(`  ${e}`);
    }
  }
  process.exit(found.length === 0 ? 0 : 1);
}
