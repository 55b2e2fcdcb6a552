// Splits rows into one value array per column in a single pass, with a reader generated per column
// list: constant-name property loads stay monomorphic, and each row is visited once instead of once
// per column (on wide batches the row visits, cache misses mostly, were the cost).
import type { Row } from '../../../core/record.ts';

type Extract = (rows: readonly Row[]) => unknown[][];

const cache = new Map<string, Extract>();

/** The values of `names` in `rows`, one array per name (undefined where a row lacks the key). */
export function columnValues(rows: readonly Row[], names: readonly string[]): unknown[][] {
  const key = JSON.stringify(names);
  let extract = cache.get(key);
  if (extract === undefined) {
    extract = generate(names);
    // Schemas of one process are few; the bound only guards against pathological callers.
    if (cache.size > 256) cache.clear();
    cache.set(key, extract);
  }
  return extract(rows);
}

function generate(names: readonly string[]): Extract {
  const cols = names.map((_, i) => `c${i}`);
  const src = [
    "'use strict';",
    'return function extract(rows) {',
    '  const n = rows.length;',
    ...cols.map((c) => `  const ${c} = new Array(n);`),
    '  for (let i = 0; i < n; i++) {',
    '    const r = rows[i];',
    // Field names enter the source only as JSON string literals.
    ...names.map((name, i) => `    ${cols[i] ?? ''}[i] = r[${JSON.stringify(name)}];`),
    '  }',
    `  return [${cols.join(', ')}];`,
    '};',
  ].join('\n');
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- see the module comment; names are quoted as JSON literals
  return (new Function(src) as () => Extract)();
}
