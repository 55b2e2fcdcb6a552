// Turns zod validation issues into config problems that name the key path, the value found and
// what was expected, with a "did you mean" for misspelt keys.
import { z } from 'zod';
import type { ConfigProblem } from '../core/errors.ts';

/** Validates `input` against `schema`, returning the parsed value or the list of every problem. */
export function validate<T>(schema: z.ZodType<T>, input: unknown, basePath: string): { ok: true; value: T } | { ok: false; problems: ConfigProblem[] } {
  const r = schema.safeParse(input, { reportInput: true });
  if (r.success) return { ok: true, value: r.data };
  return { ok: false, problems: r.error.issues.flatMap((i) => toProblems(i, schema, input, basePath)) };
}

export function joinPath(base: string, parts: readonly PropertyKey[]): string {
  let s = base;
  for (const p of parts) {
    if (typeof p === 'number') s += `[${p}]`;
    else s = s === '' ? String(p) : `${s}.${String(p)}`;
  }
  return s;
}

function toProblems(issue: z.core.$ZodIssue, schema: z.ZodType, input: unknown, base: string): ConfigProblem[] {
  const path = joinPath(base, issue.path);
  const found = valueAt(input, issue.path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = keysAt(schema, issue.path);
      return issue.keys.map((k) => {
        const guess = closest(k, known);
        return {
          path: joinPath(path, [k]),
          message: `unknown key${guess === undefined ? '' : ` (did you mean "${guess}"?)`}`,
          expected: known.length > 0 ? `one of ${known.map((x) => `"${x}"`).join(', ')}` : 'no other keys',
        };
      });
    }
    case 'invalid_type':
      if (found === undefined) return [{ path, message: 'required key is missing', expected: describeExpected(issue.expected) }];
      return [{ path, message: `wrong type`, expected: describeExpected(issue.expected), found }];
    case 'invalid_value':
      return [{ path, message: 'value not allowed', expected: `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`, found }];
    case 'invalid_union': {
      const expected = unionExpectations(issue);
      return [{ path, message: found === undefined ? 'required key is missing' : 'wrong type', expected, found }];
    }
    case 'too_small':
      return [{ path, message: 'value too small', expected: `${issue.origin === 'array' ? 'at least ' + String(issue.minimum) + ' items' : (issue.inclusive === false ? '> ' : '>= ') + String(issue.minimum)}`, found }];
    case 'too_big':
      return [{ path, message: 'value too large', expected: `${issue.origin === 'array' ? 'at most ' + String(issue.maximum) + ' items' : (issue.inclusive === false ? '< ' : '<= ') + String(issue.maximum)}`, found }];
    case 'invalid_format':
      return [{ path, message: `invalid ${issue.format}`, expected: issue.pattern === undefined ? issue.format : `to match ${issue.pattern}`, found }];
    case 'custom': {
      const expected = (issue.params as { expected?: unknown } | undefined)?.expected;
      return [{ path, message: issue.message, ...(typeof expected === 'string' ? { expected } : {}), found }];
    }
    default:
      return [{ path, message: issue.message, found }];
  }
}

function unionExpectations(issue: z.core.$ZodIssueInvalidUnion): string {
  const exp = new Set<string>();
  for (const branch of issue.errors) {
    for (const i of branch) {
      if (i.code === 'invalid_type') exp.add(describeExpected(i.expected));
      else if (i.code === 'invalid_value') i.values.forEach((v) => exp.add(JSON.stringify(v)));
      else if (i.code === 'custom') {
        const e = (i.params as { expected?: unknown } | undefined)?.expected;
        if (typeof e === 'string') exp.add(e);
      }
    }
  }
  return exp.size === 0 ? issue.message : [...exp].join(' or ');
}

function describeExpected(t: string): string {
  switch (t) {
    case 'object': return 'a mapping';
    case 'array': return 'a list';
    case 'number': return 'a number';
    case 'string': return 'a string';
    case 'boolean': return 'true or false';
    default: return t;
  }
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

/** The keys a schema accepts at a path, found by walking object shapes through wrappers. */
export function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let node: z.ZodType | undefined = unwrap(schema);
  for (const p of path) {
    if (node === undefined) return [];
    if (node instanceof z.ZodObject) node = unwrap((node.shape as Record<string, z.ZodType>)[String(p)]);
    else if (node instanceof z.ZodArray) node = unwrap(node.element as z.ZodType);
    else if (node instanceof z.ZodRecord) node = unwrap(node.valueType as z.ZodType);
    else return [];
  }
  return node instanceof z.ZodObject ? Object.keys(node.shape) : [];
}

function unwrap(s: z.ZodType | undefined): z.ZodType | undefined {
  let cur = s;
  for (let i = 0; i < 10 && cur !== undefined; i++) {
    if (cur instanceof z.ZodOptional || cur instanceof z.ZodNullable || cur instanceof z.ZodDefault || cur instanceof z.ZodPrefault) {
      cur = cur.unwrap() as z.ZodType;
    } else if (cur instanceof z.ZodPipe) {
      cur = cur.in as z.ZodType;
    } else break;
  }
  return cur;
}

/** The known key closest to a misspelt one, when it is close enough to be a likely typo. */
export function closest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  const k = key.toLowerCase();
  for (const cand of known) {
    const d = editDistance(k, cand.toLowerCase());
    if (d < bestD) { bestD = d; best = cand; }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] ?? 0;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j] ?? 0;
      prev[j] = Math.min((prev[j] ?? 0) + 1, (prev[j - 1] ?? 0) + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length] ?? 0;
}
