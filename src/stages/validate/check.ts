// Checks a validate stage's rules against a schema known before the run: every column exists (with a
// did-you-mean), and each rule's parameters suit the column's type. Problems carry key paths
// relative to the stage's config (`rules[2].min`).
import type { PlannedSchema } from '../../core/component.ts';
import { ConfigError, errorMessage, type ConfigProblem } from '../../core/errors.ts';
import { isArray, isDecimal, isMap, isStruct, typeToString, type DataType, type StructType } from '../../core/schema.ts';
import { compilePredicate } from '../../expr/index.ts';
import { closest } from '../../config/problems.ts';
import { boundKind, type RuleConfig } from './config.ts';
import { isoKind, temporalKind } from './temporal.ts';

const NUMERIC = new Set<DataType>(['byte', 'short', 'integer', 'long', 'float', 'double']);

export function isNumericType(t: DataType): boolean {
  return NUMERIC.has(t) || isDecimal(t);
}

/** Where a column path leads in a schema. `type` is undefined past a map, whose keys only the data knows. */
export type Resolved = { readonly ok: true; readonly type: DataType | undefined } | { readonly ok: false; readonly message: string; readonly expected: string };

/** Resolves `a` or `a.b.c` through struct fields, as the rules read rows: names match exactly. */
export function resolveColumn(schema: StructType, path: string, from: string): Resolved {
  const parts = path.split('.');
  let fields = schema.fields;
  let type: DataType | undefined;
  for (const [i, part] of parts.entries()) {
    const parent = parts.slice(0, i).join('.');
    const f = fields.find((x) => x.name === part);
    if (f === undefined) {
      const names = fields.map((x) => x.name);
      const sameCase = names.filter((n) => n.toLowerCase() === part.toLowerCase());
      const guess = sameCase.length === 1 ? sameCase[0] : closest(part, names);
      const what = i === 0 ? 'unknown column' : `struct ${parent} has no field ${JSON.stringify(part)}`;
      const hint = guess === undefined ? '' : ` (did you mean "${[...parts.slice(0, i), guess].join('.')}"?${sameCase.length === 1 ? ' names are case-sensitive' : ''})`;
      const list = names.length === 0 ? 'no columns' : names.slice(0, 30).join(', ') + (names.length > 30 ? ', ...' : '');
      return { ok: false, message: `${what}${hint}`, expected: i === 0 ? `a column of ${from}: ${list}` : `a field of ${parent}: ${list}` };
    }
    type = f.type;
    if (i === parts.length - 1) break;
    if (isMap(type)) return { ok: true, type: undefined };
    if (!isStruct(type)) {
      const at = [...parts.slice(0, i), part].join('.');
      return { ok: false, message: `${at} is ${typeToString(type)}, not a struct: rules reach into struct fields only`, expected: `a struct column before ".${parts[i + 1] ?? ''}"` };
    }
    fields = type.fields;
  }
  return { ok: true, type };
}

/** Every problem of the rules against the schema they will see. `indexes` are the rules' places in
 * the config when only some are given. */
export function checkRules(rules: readonly RuleConfig[], planned: PlannedSchema, stageName: string, indexes?: readonly number[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  rules.forEach((r, n) => {
    const at = `rules[${indexes?.[n] ?? n}]`;
    if (r.rule === 'expression') {
      try {
        compilePredicate(r.expression, { schema: planned.schema, name: `stage ${stageName} ${at}` });
      } catch (err) {
        // The compiler's own problems, less the path it gives them: ours is the key of the expression.
        const inner = err instanceof ConfigError ? err.problems : [{ message: errorMessage(err), expected: undefined }];
        for (const p of inner) problems.push({ path: `${at}.expression`, message: p.message, ...(p.expected === undefined ? {} : { expected: p.expected }), found: r.expression });
      }
      return;
    }
    for (const [key, column] of ruleColumns(r)) {
      const path = `${at}.${key}`;
      const c = resolveColumn(planned.schema, column, planned.from);
      if (!c.ok) problems.push({ path, message: c.message, expected: c.expected, found: column });
      else if (c.type !== undefined) problems.push(...typeProblems(r, at, column, c.type));
    }
  });
  return problems;
}

/** The columns a rule reads, with their keys in the rule (`column`, `columns[1]`). */
export function ruleColumns(r: RuleConfig): [string, string][] {
  if (r.rule === 'expression') return [];
  if (r.rule === 'unique') return r.columns === undefined ? [['column', r.column ?? '']] : r.columns.map((c, j) => [`columns[${j}]`, c]);
  return [['column', r.column]];
}

/** The rule's parameters against the column's type. */
function typeProblems(r: RuleConfig, at: string, column: string, type: DataType): ConfigProblem[] {
  const shown = typeToString(type);
  const temporal = temporalKind(type);
  const numeric = isNumericType(type);
  switch (r.rule) {
    case 'range': {
      if (!numeric && temporal === undefined) {
        return [{ path: `${at}.column`, message: `a range rule needs a numeric, date or timestamp column; ${column} is ${shown}`, expected: 'a numeric, date or timestamp column (or an expression rule with a cast)', found: column }];
      }
      const out: ConfigProblem[] = [];
      for (const key of ['min', 'max'] as const) {
        const b = r[key];
        if (b === undefined) continue;
        const k = boundKind(b);
        const fits = numeric ? k === 'number' : temporal === 'date' ? k === 'date' : k === 'date' || k === 'timestamp';
        if (!fits) out.push({ path: `${at}.${key}`, message: `does not suit ${shown} column ${column}`, expected: expectedFor(type), found: b });
      }
      return out;
    }
    case 'in': {
      if (!numeric && temporal === undefined && type !== 'string' && type !== 'boolean') {
        return [{ path: `${at}.column`, message: `an in rule needs a string, numeric, boolean, date or timestamp column; ${column} is ${shown}`, expected: 'such a column', found: column }];
      }
      const bad = r.values.findIndex((v) =>
        numeric ? typeof v !== 'number' : type === 'boolean' ? typeof v !== 'boolean' : temporal !== undefined ? typeof v !== 'string' || !kindFits(isoKind(v), temporal) : typeof v !== 'string',
      );
      return bad === -1 ? [] : [{ path: `${at}.values[${bad}]`, message: `does not suit ${shown} column ${column}`, expected: valuesExpected(type), found: r.values[bad] }];
    }
    case 'regex':
      return isStruct(type) || isArray(type) || isMap(type) || type === 'binary'
        ? [{ path: `${at}.column`, message: `a regex rule needs a column of text or single values; ${column} is ${shown}`, expected: 'a string (or number, date, boolean) column', found: column }]
        : [];
    case 'length':
      return type === 'string' || type === 'binary' || isArray(type)
        ? []
        : [{ path: `${at}.column`, message: `a length rule needs a string, binary or array column; ${column} is ${shown}`, expected: 'a string, binary or array column', found: column }];
    default:
      return [];
  }
}

function kindFits(k: 'date' | 'timestamp' | undefined, column: 'date' | 'timestamp'): boolean {
  return column === 'date' ? k === 'date' : k !== undefined;
}

function expectedFor(type: DataType): string {
  const t = temporalKind(type);
  if (t === 'date') return 'an ISO date such as "2024-01-31"';
  if (t === 'timestamp') return 'an ISO timestamp such as "2024-01-31T12:00:00Z" (or a date)';
  return 'a number';
}

function valuesExpected(type: DataType): string {
  const t = temporalKind(type);
  if (t !== undefined) return expectedFor(type);
  if (isNumericType(type)) return 'numbers';
  return type === 'boolean' ? 'true or false' : 'strings (quote numbers and booleans, as the column holds text)';
}
