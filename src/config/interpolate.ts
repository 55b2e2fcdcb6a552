// ${ENV_VAR} and ${ENV_VAR:-default} interpolation over every string in a parsed configuration.
import type { ConfigProblem } from '../core/errors.ts';

const PATTERN = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** Replaces variables in all string values (not keys). `$$` stands for a literal `$`.
 * A variable that is unset and has no default is a problem naming the key and the variable. */
export function interpolate(
  value: unknown,
  env: Readonly<Record<string, string | undefined>>,
  problems: ConfigProblem[],
  path = '',
): unknown {
  if (typeof value === 'string') return interpolateString(value, env, problems, path);
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, env, problems, `${path}[${i}]`));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = interpolate(v, env, problems, path === '' ? k : `${path}.${k}`);
    return out;
  }
  return value;
}

function interpolateString(s: string, env: Readonly<Record<string, string | undefined>>, problems: ConfigProblem[], path: string): string {
  if (!s.includes('$')) return s;
  return s.replace(PATTERN, (whole, name: string | undefined, fallback: string | undefined) => {
    if (whole === '$$') return '$';
    const v = env[name ?? ''];
    if (v !== undefined && v !== '') return v;
    if (fallback !== undefined) return fallback;
    problems.push({
      path,
      message: `environment variable ${name ?? ''} is not set and has no default`,
      expected: `${name ?? ''} to be set, or a default written as \${${name ?? ''}:-value}`,
    });
    return whole;
  });
}
