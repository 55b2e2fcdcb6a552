// Table schemas in the Spark/Delta StructType JSON form, used everywhere (Delta metaData, DDL, inference).

export type PrimitiveType =
  | 'string'
  | 'long'
  | 'integer'
  | 'short'
  | 'byte'
  | 'float'
  | 'double'
  | 'boolean'
  | 'binary'
  | 'date'
  | 'timestamp'
  | 'timestamp_ntz'
  | `decimal(${number},${number})`;

export interface StructField {
  readonly name: string;
  readonly type: DataType;
  readonly nullable: boolean;
  readonly metadata: Readonly<Record<string, unknown>>;
}

export interface StructType {
  readonly type: 'struct';
  readonly fields: readonly StructField[];
}

export interface ArrayType {
  readonly type: 'array';
  readonly elementType: DataType;
  readonly containsNull: boolean;
}

export interface MapType {
  readonly type: 'map';
  readonly keyType: DataType;
  readonly valueType: DataType;
  readonly valueContainsNull: boolean;
}

export type DataType = PrimitiveType | StructType | ArrayType | MapType;

export function struct(fields: readonly StructField[]): StructType {
  return { type: 'struct', fields };
}

export function field(name: string, type: DataType, nullable = true): StructField {
  return { name, type, nullable, metadata: {} };
}

export function isStruct(t: DataType): t is StructType {
  return typeof t === 'object' && t.type === 'struct';
}

export function isArray(t: DataType): t is ArrayType {
  return typeof t === 'object' && t.type === 'array';
}

export function isMap(t: DataType): t is MapType {
  return typeof t === 'object' && t.type === 'map';
}

export function isDecimal(t: DataType): t is `decimal(${number},${number})` {
  return typeof t === 'string' && t.startsWith('decimal(');
}

/** Spark's simpleString rendering, e.g. `struct<a:bigint,b:array<string>>`. */
export function typeToString(t: DataType): string {
  if (typeof t === 'string') {
    if (t === 'long') return 'bigint';
    if (t === 'integer') return 'int';
    if (t === 'short') return 'smallint';
    if (t === 'byte') return 'tinyint';
    return t;
  }
  switch (t.type) {
    case 'struct':
      return `struct<${t.fields.map((f) => `${f.name}:${typeToString(f.type)}`).join(',')}>`;
    case 'array':
      return `array<${typeToString(t.elementType)}>`;
    case 'map':
      return `map<${typeToString(t.keyType)},${typeToString(t.valueType)}>`;
  }
}

/** DDL rendering (`id STRING NOT NULL, device STRUCT<os: STRING>`), the form `schema:` accepts. */
export function schemaToString(s: StructType): string {
  return s.fields.map((f) => `${quoteName(f.name)} ${typeToDdl(f.type)}${f.nullable ? '' : ' NOT NULL'}`).join(', ');
}

export function typeToDdl(t: DataType): string {
  if (typeof t === 'string') return typeToString(t).toUpperCase();
  switch (t.type) {
    case 'struct':
      return `STRUCT<${t.fields.map((f) => `${quoteName(f.name)}: ${typeToDdl(f.type)}${f.nullable ? '' : ' NOT NULL'}`).join(', ')}>`;
    case 'array':
      return `ARRAY<${typeToDdl(t.elementType)}>`;
    case 'map':
      return `MAP<${typeToDdl(t.keyType)}, ${typeToDdl(t.valueType)}>`;
  }
}

function quoteName(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : `\`${name.replace(/`/g, '``')}\``;
}

/** Structural equality, ignoring field metadata. */
export function sameType(a: DataType, b: DataType): boolean {
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  if (a.type === 'struct' && b.type === 'struct') {
    return a.fields.length === b.fields.length && a.fields.every((f, i) => {
      const g = b.fields[i];
      return g !== undefined && g.name === f.name && g.nullable === f.nullable && sameType(f.type, g.type);
    });
  }
  if (a.type === 'array' && b.type === 'array') return sameType(a.elementType, b.elementType);
  if (a.type === 'map' && b.type === 'map') return sameType(a.keyType, b.keyType) && sameType(a.valueType, b.valueType);
  return false;
}
