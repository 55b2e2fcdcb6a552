// Splits rows into one value array per column in a single pass, with a reader generated per column
// list: constant-name property loads stay monomorphic, and each row is visited once instead of once
// per column (on wide batches the row visits, cache misses mostly, were the cost). The arrays are
// reused from batch to batch: arrays this long live in V8's large-object space, which only a full
// collection frees, and fresh ones every batch made tens of megabytes of such garbage.
import { isPrototypeName } from '../../core/own.ts';
import type { Row } from '../../core/record.ts';

type Extract = (rows: readonly Row[], out: unknown[][]) => void;

const cache = new Map<string, Extract>();

/** Batches up to this many rows reuse the arrays; bigger ones get fresh arrays, so that one huge
 * batch does not pin its size for the life of the process. */
const POOLED_ROWS = 1 << 18;
const pool: unknown[][] = [];

/** The values of `names` in `rows`, one array per name (undefined where a row lacks the key). The
 * arrays may be reused: pass them to `releaseColumnValues` once done with them. */
export function columnValues(rows: readonly Row[], names: readonly string[]): unknown[][] {
  const key = JSON.stringify(names);
  let extract = cache.get(key);
  if (extract === undefined) {
    extract = generate(names);
    // Schemas of one process are few; the bound only guards against pathological callers.
    if (cache.size > 256) cache.clear();
    cache.set(key, extract);
  }
  const n = rows.length;
  const out = names.map((_, i) => {
    const reused = n <= POOLED_ROWS ? pool[i] : undefined;
    if (reused !== undefined && reused.length === n) return reused;
    const fresh = new Array<unknown>(n);
    if (n <= POOLED_ROWS) pool[i] = fresh;
    return fresh;
  });
  extract(rows, out);
  return out;
}

/** Drops the arrays' references to the rows' values, so that reused arrays keep no row alive. */
export function releaseColumnValues(columns: readonly unknown[][]): void {
  for (const c of columns) c.fill(undefined);
}

function generate(names: readonly string[]): Extract {
  const cols = names.map((_, i) => `c${i}`);
  const src = [
    "'use strict';",
    'return function extract(rows, out) {',
    '  const n = rows.length;',
    ...cols.map((c, i) => `  const ${c} = out[${i}];`),
    '  for (let i = 0; i < n; i++) {',
    '    const r = rows[i];',
    // Field names enter the source only as JSON string literals. A name every object inherits
    // (constructor, toString...) is read only when the row holds it itself.
    ...names.map((name, i) => {
      const lit = JSON.stringify(name);
      return `    ${cols[i] ?? ''}[i] = ${isPrototypeName(name) ? `Object.hasOwn(r, ${lit}) ? r[${lit}] : undefined` : `r[${lit}]`};`;
    }),
    '  }',
    '};',
  ].join('\n');
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- see the module comment; names are quoted as JSON literals
  return (new Function(src) as () => Extract)();
}
