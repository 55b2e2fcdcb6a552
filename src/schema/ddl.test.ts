// Tests for DDL and StructType JSON schema parsing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDdl, parseSchema, parseSchemaJson, SchemaError } from './ddl.ts';
import { schemaToString } from '../core/schema.ts';

void test('a DDL string with every supported type parses into the Spark StructType form', () => {
  const s = parseDdl(
    'id STRING NOT NULL, ts TIMESTAMP, amount DOUBLE, tags ARRAY<STRING>, m MAP<STRING, INT>, s STRUCT<a: INT, b: STRING>, d DECIMAL(10,2)',
  );
  assert.deepEqual(s.fields.map((f) => f.name), ['id', 'ts', 'amount', 'tags', 'm', 's', 'd']);
  assert.equal(s.fields[0]?.nullable, false);
  assert.equal(s.fields[1]?.type, 'timestamp');
  assert.deepEqual(s.fields[3]?.type, { type: 'array', elementType: 'string', containsNull: true });
  assert.deepEqual(s.fields[4]?.type, { type: 'map', keyType: 'string', valueType: 'integer', valueContainsNull: true });
  assert.deepEqual(s.fields[5]?.type, {
    type: 'struct',
    fields: [
      { name: 'a', type: 'integer', nullable: true, metadata: {} },
      { name: 'b', type: 'string', nullable: true, metadata: {} },
    ],
  });
  assert.equal(s.fields[6]?.type, 'decimal(10,2)');
});

void test('type aliases map to their canonical Spark names', () => {
  const s = parseDdl(
    'a BIGINT, b LONG, c INT, d INTEGER, e SMALLINT, f TINYINT, g FLOAT, h REAL, i BOOLEAN, j VARCHAR(10), k CHAR(3), l BINARY, m DATE, n TIMESTAMP_NTZ, o decimal',
  );
  assert.deepEqual(
    s.fields.map((f) => f.type),
    ['long', 'long', 'integer', 'integer', 'short', 'byte', 'float', 'float', 'boolean', 'string', 'string', 'binary', 'date', 'timestamp_ntz', 'decimal(10,0)'],
  );
});

void test('backquoted names and comments are kept, comments in the field metadata', () => {
  const s = parseDdl("`order id` BIGINT COMMENT 'the id', `we``ird` STRING NOT NULL COMMENT 'x'");
  assert.equal(s.fields[0]?.name, 'order id');
  assert.deepEqual(s.fields[0]?.metadata, { comment: 'the id' });
  assert.equal(s.fields[1]?.name, 'we`ird');
  assert.equal(s.fields[1]?.nullable, false);
});

void test('nested generic types close correctly', () => {
  const s = parseDdl('x ARRAY<STRUCT<a: ARRAY<MAP<STRING,BIGINT>>, b: INT NOT NULL>>');
  assert.equal(schemaToString(s), 'x ARRAY<STRUCT<a: ARRAY<MAP<STRING, BIGINT>>, b: INT NOT NULL>>');
});

void test('an unknown type is reported with its position and what was expected', () => {
  assert.throws(
    () => parseDdl('id STRING, amount MONEY'),
    (err: unknown) => {
      assert.ok(err instanceof SchemaError);
      assert.equal(err.code, 'SLUICE_SCHEMA_INVALID');
      assert.equal(err.details.position, 18);
      assert.match(err.message, /position 18: expected a type name/);
      assert.match(err.message, /'MONEY'/);
      return true;
    },
  );
});

void test('an unclosed generic type names the missing bracket', () => {
  assert.throws(() => parseDdl('tags ARRAY<STRING'), /position 17: expected '>', found end of input/);
});

void test('a duplicate column and a missing type are errors', () => {
  assert.throws(() => parseDdl('a INT, A STRING'), /duplicate 'A'/);
  assert.throws(() => parseDdl('a'), /expected a type name, found end of input/);
  assert.throws(() => parseDdl(''), /expected a column definition/);
  assert.throws(() => parseDdl('a INT b INT'), /expected ',' or end of input/);
});

void test('StructType JSON is accepted as an object and as text', () => {
  const json = {
    type: 'struct',
    fields: [
      { name: 'a', type: 'long', nullable: false, metadata: {} },
      { name: 'b', type: { type: 'array', elementType: 'string', containsNull: true }, nullable: true, metadata: {} },
      { name: 'c', type: 'decimal(5, 1)', nullable: true, metadata: {} },
    ],
  };
  const fromObject = parseSchema(json);
  assert.equal(fromObject.fields[2]?.type, 'decimal(5,1)');
  assert.deepEqual(parseSchema(JSON.stringify(json)), fromObject);
  assert.equal(schemaToString(fromObject), 'a BIGINT NOT NULL, b ARRAY<STRING>, c DECIMAL(5,1)');
});

void test('invalid StructType JSON names the path of the problem', () => {
  assert.throws(
    () => parseSchemaJson({ type: 'struct', fields: [{ name: 'a', type: 'money', nullable: true }] }),
    /at \$\.fields\[0\]\.type: expected a type name/,
  );
  assert.throws(() => parseSchemaJson({ type: 'array', elementType: 'string' }), /expected a struct type/);
  assert.throws(() => parseSchema('{"type": '), /not valid StructType JSON/);
});

void test('the simpleString form struct<...> is accepted as a whole schema', () => {
  const s = parseDdl('struct<a:bigint,b:array<string>>');
  assert.equal(schemaToString(s), 'a BIGINT, b ARRAY<STRING>');
  assert.throws(() => parseDdl('struct<a:int> x'), /expected end of input, found 'x'/);
});

void test('column names that differ only by case are duplicates at every level, in DDL and in StructType JSON, naming both spellings', () => {
  assert.throws(() => parseDdl('device STRUCT<os: STRING, OS: STRING>'), /duplicate 'OS' \(same as 'os'\)/);
  assert.throws(() => parseDdl('tags ARRAY<STRUCT<k: STRING, K: INT>>'), /duplicate 'K' \(same as 'k'\)/);
  const field = (name: string, type: unknown): Record<string, unknown> => ({ name, type, nullable: true, metadata: {} });
  assert.throws(() => parseSchema({ type: 'struct', fields: [field('id', 'long'), field('ID', 'long')] }), /\$\.fields\[1\]\.name: expected a name unique regardless of case \("id" is already a field\), found "ID"/);
  const nested = { type: 'struct', fields: [field('m', { type: 'map', keyType: 'string', valueType: { type: 'struct', fields: [field('a', 'long'), field('A', 'long')] } })] };
  assert.throws(() => parseSchema(JSON.stringify(nested)), /\$\.fields\[0\]\.type\.valueType\.fields\[1\]\.name/);
  assert.equal(parseSchemaJson(nested).fields.length, 1, 'a schema saved as state reads back as written');
  assert.equal(parseDdl('a INT, b STRUCT<a: INT>').fields.length, 2, 'the same name at two levels is fine');
});
