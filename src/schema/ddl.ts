// Parses schemas written as Spark DDL strings or as Spark/Delta StructType JSON into a StructType.
import { ErrorCodes, SluiceError, describeValue } from '../core/errors.ts';
import type { DataType, PrimitiveType, StructField, StructType } from '../core/schema.ts';

export class SchemaError extends SluiceError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(ErrorCodes.SCHEMA_INVALID, message, { details });
  }
}

const SIMPLE_TYPES: Readonly<Record<string, PrimitiveType>> = {
  bigint: 'long', long: 'long',
  int: 'integer', integer: 'integer',
  smallint: 'short', short: 'short',
  tinyint: 'byte', byte: 'byte',
  float: 'float', real: 'float',
  double: 'double',
  boolean: 'boolean', bool: 'boolean',
  string: 'string',
  binary: 'binary',
  date: 'date',
  timestamp: 'timestamp', timestamp_ltz: 'timestamp',
  timestamp_ntz: 'timestamp_ntz',
};

type Token =
  | { kind: 'ident'; text: string; pos: number; quoted: boolean }
  | { kind: 'number'; text: string; pos: number }
  | { kind: 'string'; text: string; pos: number }
  | { kind: 'punct'; text: string; pos: number }
  | { kind: 'end'; text: ''; pos: number };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] ?? '';
    if (/\s/.test(c)) { i++; continue; }
    const start = i;
    if (c === '`') {
      // A doubled backquote inside a quoted name stands for one backquote, as in Spark.
      let text = '';
      i++;
      for (;;) {
        if (i >= src.length) throw fail(src, start, 'a closing backquote', 'end of input');
        if (src[i] === '`') {
          if (src[i + 1] === '`') { text += '`'; i += 2; continue; }
          i++;
          break;
        }
        text += src[i];
        i++;
      }
      out.push({ kind: 'ident', text, pos: start, quoted: true });
    } else if (c === "'" || c === '"') {
      let text = '';
      i++;
      for (;;) {
        if (i >= src.length) throw fail(src, start, `a closing ${c}`, 'end of input');
        const d = src[i] ?? '';
        if (d === '\\' && i + 1 < src.length) { text += src[i + 1]; i += 2; continue; }
        if (d === c) { i++; break; }
        text += d;
        i++;
      }
      out.push({ kind: 'string', text, pos: start });
    } else if (/[A-Za-z_]/.test(c)) {
      while (i < src.length && /[A-Za-z0-9_]/.test(src[i] ?? '')) i++;
      out.push({ kind: 'ident', text: src.slice(start, i), pos: start, quoted: false });
    } else if (/[0-9]/.test(c)) {
      while (i < src.length && /[0-9]/.test(src[i] ?? '')) i++;
      out.push({ kind: 'number', text: src.slice(start, i), pos: start });
    } else if ('<>(),:'.includes(c)) {
      out.push({ kind: 'punct', text: c, pos: start });
      i++;
    } else {
      throw fail(src, start, 'a name, a type or punctuation', JSON.stringify(c));
    }
  }
  out.push({ kind: 'end', text: '', pos: src.length });
  return out;
}

function fail(src: string, pos: number, expected: string, found: string): SchemaError {
  const pointer = `${src}\n${' '.repeat(pos)}^`;
  return new SchemaError(`invalid schema at position ${pos}: expected ${expected}, found ${found}\n${pointer}`, {
    position: pos,
    expected,
    found,
  });
}

class DdlParser {
  private i = 0;
  private readonly toks: Token[];
  constructor(private readonly src: string) {
    this.toks = tokenize(src);
  }

  private peek(): Token {
    return this.toks[this.i] ?? { kind: 'end', text: '', pos: this.src.length };
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'end') this.i++;
    return t;
  }

  private describe(t: Token): string {
    return t.kind === 'end' ? 'end of input' : `'${t.text}'`;
  }

  private expectPunct(p: string): void {
    const t = this.next();
    if (t.kind !== 'punct' || t.text !== p) throw fail(this.src, t.pos, `'${p}'`, this.describe(t));
  }

  private isKeyword(word: string): boolean {
    const t = this.peek();
    return t.kind === 'ident' && !t.quoted && t.text.toLowerCase() === word;
  }

  parseSchema(): StructType {
    if (this.peek().kind === 'end') throw fail(this.src, 0, 'a column definition', 'end of input');
    const second = this.toks[1];
    if (this.isKeyword('struct') && second?.kind === 'punct' && second.text === '<') {
      // Spark's simpleString form, `struct<a:int,b:string>`, as printed by typeToString.
      const t = this.parseType();
      const rest = this.peek();
      if (rest.kind !== 'end') throw fail(this.src, rest.pos, 'end of input', this.describe(rest));
      return t as StructType;
    }
    const fields = this.parseFields('end');
    const t = this.peek();
    if (t.kind !== 'end') throw fail(this.src, t.pos, "',' or end of input", this.describe(t));
    return { type: 'struct', fields };
  }

  private parseFields(closer: '>' | 'end'): StructField[] {
    const fields: StructField[] = [];
    const names = new Map<string, string>();
    for (;;) {
      const t = this.peek();
      if (closer === '>' && t.kind === 'punct' && t.text === '>' && fields.length === 0) return fields;
      const f = this.parseField(closer === '>');
      const key = f.name.toLowerCase();
      const prev = names.get(key);
      if (prev !== undefined) throw fail(this.src, t.pos, 'a unique column name (names are case-insensitive, as in Spark)', prev === f.name ? `duplicate '${f.name}'` : `duplicate '${f.name}' (same as '${prev}')`);
      names.set(key, f.name);
      fields.push(f);
      const sep = this.peek();
      if (sep.kind === 'punct' && sep.text === ',') { this.next(); continue; }
      return fields;
    }
  }

  private parseField(inStruct: boolean): StructField {
    const nameTok = this.next();
    if (nameTok.kind !== 'ident') throw fail(this.src, nameTok.pos, 'a column name', this.describe(nameTok));
    const colon = this.peek();
    if (colon.kind === 'punct' && colon.text === ':') this.next();
    else if (inStruct && colon.kind !== 'ident') throw fail(this.src, colon.pos, "':' and a type", this.describe(colon));
    const type = this.parseType();
    let nullable = true;
    const metadata: Record<string, unknown> = {};
    for (;;) {
      if (this.isKeyword('not')) {
        this.next();
        const n = this.next();
        if (n.kind !== 'ident' || n.text.toLowerCase() !== 'null') throw fail(this.src, n.pos, "'NULL' after 'NOT'", this.describe(n));
        nullable = false;
      } else if (this.isKeyword('comment')) {
        this.next();
        const s = this.next();
        if (s.kind !== 'string') throw fail(this.src, s.pos, 'a quoted comment', this.describe(s));
        metadata.comment = s.text;
      } else {
        break;
      }
    }
    return { name: nameTok.text, type, nullable, metadata };
  }

  private parseType(): DataType {
    const t = this.next();
    if (t.kind !== 'ident' || t.quoted) throw fail(this.src, t.pos, 'a type name', this.describe(t));
    const name = t.text.toLowerCase();
    switch (name) {
      case 'array': {
        this.expectPunct('<');
        const elementType = this.parseType();
        this.expectPunct('>');
        return { type: 'array', elementType, containsNull: true };
      }
      case 'map': {
        this.expectPunct('<');
        const keyType = this.parseType();
        this.expectPunct(',');
        const valueType = this.parseType();
        this.expectPunct('>');
        return { type: 'map', keyType, valueType, valueContainsNull: true };
      }
      case 'struct': {
        this.expectPunct('<');
        const fields = this.parseFields('>');
        this.expectPunct('>');
        return { type: 'struct', fields };
      }
      case 'decimal':
      case 'dec':
      case 'numeric': {
        let precision = 10;
        let scale = 0;
        const p = this.peek();
        if (p.kind === 'punct' && p.text === '(') {
          this.next();
          precision = this.parseInt();
          const sep = this.peek();
          if (sep.kind === 'punct' && sep.text === ',') { this.next(); scale = this.parseInt(); }
          this.expectPunct(')');
        }
        if (precision < 1 || precision > 38 || scale > precision) {
          throw fail(this.src, t.pos, 'a decimal precision of 1 to 38 and a scale not above it', `decimal(${precision},${scale})`);
        }
        return `decimal(${precision},${scale})`;
      }
      case 'varchar':
      case 'char': {
        this.expectPunct('(');
        this.parseInt();
        this.expectPunct(')');
        return 'string';
      }
      default: {
        const simple = SIMPLE_TYPES[name];
        if (simple === undefined) throw fail(this.src, t.pos, 'a type name (STRING, BIGINT, INT, DOUBLE, BOOLEAN, TIMESTAMP, DATE, DECIMAL, ARRAY, MAP, STRUCT ...)', `'${t.text}'`);
        return simple;
      }
    }
  }

  private parseInt(): number {
    const t = this.next();
    if (t.kind !== 'number') throw fail(this.src, t.pos, 'a whole number', this.describe(t));
    return Number(t.text);
  }
}

/** Parses a Spark DDL schema such as `id STRING NOT NULL, tags ARRAY<STRING>, d DECIMAL(10,2)`. */
export function parseDdl(ddl: string): StructType {
  return new DdlParser(ddl).parseSchema();
}

/** Parses a schema given either as DDL text, as StructType JSON text, or as a StructType JSON object. */
export function parseSchema(input: string | Readonly<Record<string, unknown>>): StructType {
  if (typeof input !== 'string') return parseSchemaJson(input, { uniqueNames: true });
  const trimmed = input.trim();
  if (trimmed.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (err) {
      throw new SchemaError(`invalid schema: not valid StructType JSON (${err instanceof Error ? err.message : String(err)})`);
    }
    return parseSchemaJson(parsed, { uniqueNames: true });
  }
  return parseDdl(input);
}

/** Validates a Spark/Delta StructType JSON value, e.g. the `schemaString` of a Delta metaData action.
 * `uniqueNames` also refuses names that differ only by case in one struct, as a declared schema must
 * (a schema saved as state is read back as it was written). */
export function parseSchemaJson(value: unknown, opts: { readonly uniqueNames?: boolean } = {}): StructType {
  const t = parseTypeJson(value, '$', opts.uniqueNames === true);
  if (typeof t === 'string' || t.type !== 'struct') throw jsonFail('$', 'a struct type', value);
  return t;
}

function jsonFail(path: string, expected: string, found: unknown): SchemaError {
  return new SchemaError(`invalid schema at ${path}: expected ${expected}, found ${describeValue(found)}`, { path, expected });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const JSON_PRIMITIVES = new Set<string>(['string', 'long', 'integer', 'short', 'byte', 'float', 'double', 'boolean', 'binary', 'date', 'timestamp', 'timestamp_ntz']);

function parseTypeJson(v: unknown, path: string, unique: boolean): DataType {
  if (typeof v === 'string') {
    if (JSON_PRIMITIVES.has(v)) return v as PrimitiveType;
    const m = /^decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$/.exec(v);
    if (m !== null && Number(m[1]) >= 1 && Number(m[1]) <= 38 && Number(m[2]) <= Number(m[1])) return `decimal(${Number(m[1])},${Number(m[2])})`;
    if (v === 'decimal') return 'decimal(10,0)';
    throw jsonFail(path, 'a type name (string, long, integer, double, boolean, timestamp, date, decimal(p,s) ...)', v);
  }
  if (!isObject(v)) throw jsonFail(path, 'a type name or a type object', v);
  switch (v.type) {
    case 'struct': {
      if (!Array.isArray(v.fields)) throw jsonFail(`${path}.fields`, 'a list of fields', v.fields);
      const fields = v.fields.map((f: unknown, i: number) => parseFieldJson(f, `${path}.fields[${i}]`, unique));
      // Spark resolves names case-insensitively: `a` and `A` would be one column.
      const seen = new Map<string, string>();
      if (unique) fields.forEach((f, i) => {
        const prev = seen.get(f.name.toLowerCase());
        if (prev !== undefined) throw jsonFail(`${path}.fields[${i}].name`, `a name unique regardless of case (${JSON.stringify(prev)} is already a field)`, f.name);
        seen.set(f.name.toLowerCase(), f.name);
      });
      return { type: 'struct', fields };
    }
    case 'array':
      return {
        type: 'array',
        elementType: parseTypeJson(v.elementType, `${path}.elementType`, unique),
        containsNull: optionalBool(v.containsNull, `${path}.containsNull`),
      };
    case 'map':
      return {
        type: 'map',
        keyType: parseTypeJson(v.keyType, `${path}.keyType`, unique),
        valueType: parseTypeJson(v.valueType, `${path}.valueType`, unique),
        valueContainsNull: optionalBool(v.valueContainsNull, `${path}.valueContainsNull`),
      };
    default:
      throw jsonFail(`${path}.type`, "'struct', 'array' or 'map'", v.type);
  }
}

function optionalBool(v: unknown, path: string): boolean {
  if (v === undefined) return true;
  if (typeof v !== 'boolean') throw jsonFail(path, 'true or false', v);
  return v;
}

function parseFieldJson(v: unknown, path: string, unique: boolean): StructField {
  if (!isObject(v)) throw jsonFail(path, 'a field object', v);
  if (typeof v.name !== 'string' || v.name === '') throw jsonFail(`${path}.name`, 'a field name', v.name);
  const metadata = v.metadata === undefined ? {} : v.metadata;
  if (!isObject(metadata)) throw jsonFail(`${path}.metadata`, 'an object', metadata);
  return {
    name: v.name,
    type: parseTypeJson(v.type, `${path}.type`, unique),
    nullable: optionalBool(v.nullable, `${path}.nullable`),
    metadata,
  };
}
