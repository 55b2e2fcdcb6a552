// Renders configuration reference tables from the zod schemas, so docs cannot drift from validation.
import { z } from 'zod';

interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  additionalProperties?: JsonSchema | boolean;
  default?: unknown;
  description?: string;
  format?: string;
  minimum?: number;
  exclusiveMinimum?: number;
  maximum?: number;
}

export interface KeyDoc {
  readonly key: string;
  readonly type: string;
  readonly required: boolean;
  readonly default: string;
  readonly description: string;
}

export function describeKeys(schema: z.ZodType, prefix = ''): KeyDoc[] {
  const js = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return walk(js, prefix);
}

function walk(js: JsonSchema, prefix: string): KeyDoc[] {
  const out: KeyDoc[] = [];
  const required = new Set(js.required ?? []);
  for (const [name, prop] of Object.entries(js.properties ?? {})) {
    const key = prefix === '' ? name : `${prefix}.${name}`;
    const nested = objectOf(prop);
    out.push({
      key,
      type: typeOf(prop),
      required: required.has(name) && prop.default === undefined,
      default: prop.default === undefined ? '' : JSON.stringify(prop.default),
      description: (prop.description ?? nested?.description ?? '').replace(/\n/g, ' '),
    });
    if (nested?.properties !== undefined) out.push(...walk(nested, key));
  }
  return out;
}

function objectOf(p: JsonSchema): JsonSchema | undefined {
  if (p.properties !== undefined) return p;
  for (const alt of [...(p.anyOf ?? []), ...(p.oneOf ?? [])]) if (alt.properties !== undefined) return alt;
  return undefined;
}

function typeOf(p: JsonSchema): string {
  if (p.format === 'duration') return 'duration';
  if (p.format === 'byte-size') return 'size';
  if (p.enum !== undefined) return p.enum.map((v) => JSON.stringify(v)).join(' \\| ');
  if (p.const !== undefined) return JSON.stringify(p.const);
  const alts = p.anyOf ?? p.oneOf;
  if (alts !== undefined) {
    const anyFormat = alts.find((a) => a.format === 'duration' || a.format === 'byte-size');
    if (anyFormat !== undefined) return typeOf(anyFormat);
    return [...new Set(alts.map(typeOf))].join(' or ');
  }
  if (p.type === 'array') return `list of ${p.items === undefined ? 'values' : typeOf(p.items)}`;
  if (p.type === 'object') return p.properties === undefined ? 'mapping' : 'section';
  if (p.type === 'integer') return 'integer';
  if (Array.isArray(p.type)) return p.type.join(' or ');
  return p.type ?? 'any';
}

export function keyTable(keys: readonly KeyDoc[]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const rows = keys.map((k) => `| \`${k.key}\` | ${k.type} | ${k.required ? 'yes' : ''} | ${k.default === '' ? '' : `\`${esc(k.default)}\``} | ${esc(k.description)} |`);
  return ['| key | type | required | default | description |', '| --- | --- | --- | --- | --- |', ...rows].join('\n');
}
