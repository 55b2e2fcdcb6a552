// Parses and validates a Delta metaData schemaString into the StructType model of src/core/schema.ts.

import { DeltaError, DeltaErrorCodes } from '../errors.ts';
import type { DataType, PrimitiveType, StructField, StructType } from '../../../core/schema.ts';

const PRIMITIVES = new Set(['string', 'long', 'integer', 'short', 'byte', 'float', 'double', 'boolean', 'binary', 'date', 'timestamp', 'timestamp_ntz']);
const DECIMAL_RE = /^decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$/;

function bad(msg: string): DeltaError {
  return new DeltaError(DeltaErrorCodes.PROTOCOL_UNSUPPORTED, `Delta schema not supported: ${msg}`);
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function parseSchemaString(s: string): StructType {
  let raw: unknown;
  try {
    raw = JSON.parse(s);
  } catch (err) {
    throw new DeltaError(DeltaErrorCodes.LOG_CORRUPT, 'Delta schemaString is not valid JSON', { cause: err });
  }
  const t = parseType(raw, '');
  if (typeof t !== 'object' || t.type !== 'struct') throw bad('top-level schema is not a struct');
  return t;
}

function parseType(raw: unknown, path: string): DataType {
  if (typeof raw === 'string') {
    if (PRIMITIVES.has(raw)) return raw as PrimitiveType;
    const m = DECIMAL_RE.exec(raw);
    if (m !== null) return `decimal(${Number(m[1])},${Number(m[2])})`;
    throw bad(`column ${path === '' ? '(root)' : path} has type ${raw}`);
  }
  if (!isObj(raw)) throw bad(`column ${path} has a malformed type`);
  switch (raw.type) {
    case 'struct': {
      if (!Array.isArray(raw.fields)) throw bad(`struct ${path} has no fields list`);
      const fields: StructField[] = raw.fields.map((f: unknown) => {
        if (!isObj(f) || typeof f.name !== 'string') throw bad(`struct ${path} has a malformed field`);
        const p = path === '' ? f.name : `${path}.${f.name}`;
        return { name: f.name, type: parseType(f.type, p), nullable: f.nullable !== false, metadata: isObj(f.metadata) ? f.metadata : {} };
      });
      return { type: 'struct', fields };
    }
    case 'array':
      return { type: 'array', elementType: parseType(raw.elementType, `${path}[]`), containsNull: raw.containsNull !== false };
    case 'map':
      return {
        type: 'map',
        keyType: parseType(raw.keyType, `${path}.key`),
        valueType: parseType(raw.valueType, `${path}.value`),
        valueContainsNull: raw.valueContainsNull !== false,
      };
    default:
      throw bad(`column ${path} has type ${JSON.stringify(raw.type)}`);
  }
}

/** Renders a StructType as a Delta schemaString (field order and metadata preserved). */
export function schemaToJson(s: StructType): string {
  return JSON.stringify(s);
}
