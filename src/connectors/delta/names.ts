// Delta's rules for column names, at every nesting level: unique regardless of case (Spark resolves
// names case-insensitively, so `device.OS` and `device.os` would be one column to every reader), and
// free of the characters " ,;{}()\n\t=" that Parquet and Hive paths cannot carry without column mapping.
import { ErrorCodes } from '../../core/errors.ts';
import { DeltaError, DeltaErrorCodes } from './errors.ts';
import { isArray, isMap, isStruct, type DataType, type StructType } from '../../core/schema.ts';

const FORBIDDEN = /[ ,;{}()\n\t=]/;

/** A field path as Delta writes one: struct fields joined by dots, `element`, `key` and `value`
 * for what an array or map holds (e.g. `orders.element.sku`). */
function child(path: string, name: string): string {
  return path === '' ? name : `${path}.${name}`;
}

function forbidden(path: string, name: string, tablePath: string): DeltaError {
  const shown = JSON.stringify(name);
  return new DeltaError(
    ErrorCodes.SCHEMA_INVALID,
    `column ${path === name ? shown : `${JSON.stringify(path)} (field ${shown})`} of Delta table ${tablePath} contains a character Delta forbids in column names without column mapping (one of " ,;{}()\\n\\t="); rename it, e.g. with a transform rename step`,
    { details: { path: tablePath, column: path } },
  );
}

/** The error for two names that differ only by case; `first` is the one already there. */
export function caseClash(first: string, second: string, tablePath: string, where: string): DeltaError {
  return new DeltaError(
    DeltaErrorCodes.SCHEMA_MISMATCH,
    `column ${JSON.stringify(second)} ${where} differs only by case from column ${JSON.stringify(first)}; Delta column names are case-insensitive, so they would be one column (table ${tablePath})`,
    { details: { path: tablePath, column: second, existing: first } },
  );
}

/** Refuses a schema a Delta table cannot hold: a forbidden character or two names equal regardless
 * of case, at any level. `only` limits the character check to names it holds (full paths): the
 * columns this write introduces, since an existing table may predate the rule. */
export function checkColumnNames(schema: StructType, tablePath: string, only?: ReadonlySet<string>): void {
  walk(schema, '', tablePath, only);
}

function walk(t: DataType, path: string, tablePath: string, only: ReadonlySet<string> | undefined): void {
  if (isStruct(t)) {
    const seen = new Map<string, string>();
    for (const f of t.fields) {
      const p = child(path, f.name);
      if (FORBIDDEN.test(f.name) && (only === undefined || only.has(p))) throw forbidden(p, f.name, tablePath);
      const key = f.name.toLowerCase();
      const prev = seen.get(key);
      if (prev !== undefined) throw caseClash(child(path, prev), p, tablePath, 'of the schema');
      seen.set(key, f.name);
      walk(f.type, p, tablePath, only);
    }
  } else if (isArray(t)) {
    walk(t.elementType, child(path, 'element'), tablePath, only);
  } else if (isMap(t)) {
    walk(t.keyType, child(path, 'key'), tablePath, only);
    walk(t.valueType, child(path, 'value'), tablePath, only);
  }
}

/** Refuses a batch whose column (at any level) matches a table column only when case is ignored:
 * appending it would either add a second column (mergeSchema) or write nulls into the table's. */
export function checkCaseMatches(table: StructType, batch: StructType, tablePath: string): void {
  matchType(table, batch, '', tablePath);
}

function matchType(a: DataType, b: DataType, path: string, tablePath: string): void {
  if (isStruct(a) && isStruct(b)) {
    const exact = new Map(a.fields.map((f) => [f.name, f]));
    const folded = new Map(a.fields.map((f) => [f.name.toLowerCase(), f]));
    for (const g of b.fields) {
      const f = exact.get(g.name);
      if (f !== undefined) {
        matchType(f.type, g.type, child(path, f.name), tablePath);
        continue;
      }
      const other = folded.get(g.name.toLowerCase());
      if (other !== undefined) throw caseClash(child(path, other.name), child(path, g.name), tablePath, 'of the batch');
    }
  } else if (isArray(a) && isArray(b)) {
    matchType(a.elementType, b.elementType, child(path, 'element'), tablePath);
  } else if (isMap(a) && isMap(b)) {
    matchType(a.keyType, b.keyType, child(path, 'key'), tablePath);
    matchType(a.valueType, b.valueType, child(path, 'value'), tablePath);
  }
}

/** Full paths of the struct fields `after` has and `before` lacks (what a schema merge added). */
export function addedPaths(before: StructType, after: StructType): Set<string> {
  const out = new Set<string>();
  diff(before, after, '', out);
  return out;
}

function diff(a: DataType, b: DataType, path: string, out: Set<string>): void {
  if (isStruct(a) && isStruct(b)) {
    const known = new Map(a.fields.map((f) => [f.name, f]));
    for (const g of b.fields) {
      const p = child(path, g.name);
      const f = known.get(g.name);
      if (f === undefined) collect(g.type, p, out);
      else diff(f.type, g.type, p, out);
    }
  } else if (isArray(a) && isArray(b)) {
    diff(a.elementType, b.elementType, child(path, 'element'), out);
  } else if (isMap(a) && isMap(b)) {
    diff(a.keyType, b.keyType, child(path, 'key'), out);
    diff(a.valueType, b.valueType, child(path, 'value'), out);
  }
}

/** `path` and every field path below it. */
function collect(t: DataType, path: string, out: Set<string>): void {
  out.add(path);
  if (isStruct(t)) for (const f of t.fields) collect(f.type, child(path, f.name), out);
  else if (isArray(t)) collect(t.elementType, child(path, 'element'), out);
  else if (isMap(t)) {
    collect(t.keyType, child(path, 'key'), out);
    collect(t.valueType, child(path, 'value'), out);
  }
}
