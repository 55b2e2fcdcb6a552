// Tests of the parse stage: JSON, CSV, text and bytes payloads; every failure kept with its reason.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { originOf, withOrigin, type Batch, type Row } from '../../core/record.ts';
import { parseConfig } from './config.ts';
import { ParseStage } from './stage.ts';

const enc = new TextEncoder();

function run(config: unknown, values: unknown[]): Batch {
  const s = new ParseStage('parse', parseConfig.parse(config));
  const rows: Row[] = values.map((value, i) => withOrigin({ key: `k${i}`, value }, { topic: 'in', partition: 0, offset: String(i) }));
  return s.process({ batchId: 0, rows, rejected: [], schema: null });
}

describe('the parse stage', () => {
  it('turns JSON payloads in strings or bytes into records that keep their origin', () => {
    const out = run({ keep: ['key'] }, ['{"a":1}', enc.encode('\ufeff{"a":2,"b":"x"}'), '\ufeff{"a":3}']);
    assert.deepEqual(out.rows.map((r) => Object.fromEntries(Object.entries(r))), [{ a: 1, key: 'k0', b: null }, { a: 2, key: 'k1', b: 'x' }, { a: 3, key: 'k2', b: null }]);
    assert.deepEqual(originOf(out.rows[1] as Row), { topic: 'in', partition: 0, offset: '1' });
    assert.deepEqual(out.schema?.fields.map((f) => f.name), ['a', 'key', 'b']);
  });

  it('sends broken, non-object, NaN, empty, invalid UTF-8 and too deep payloads to the DLQ with the payload', () => {
    const deep = '['.repeat(100) + ']'.repeat(100);
    const out = run({}, ['{"a":', '[1,2]', '{"a":NaN}', '', null, new Uint8Array([0x7b, 0xff, 0x7d]), `{"a":${deep}}`, '{"a":1,"a":2}']);
    assert.deepEqual(out.rows.map((r) => r.a), [2]);
    assert.deepEqual(out.rejected.map((r) => r.message.replace(/:.*/, '')), [
      'malformed JSON', 'expected a JSON object, found an array', 'malformed JSON', 'empty payload', 'payload is null',
      'payload is not valid UTF-8', 'JSON nested deeper than max_depth 64',
    ]);
    assert.ok(out.rejected.every((r) => r.errorType === 'PROCESSING' && r.stage === 'parse' && r.rule === 'parse.json'));
    assert.equal(out.rejected[0]?.payload, '{"a":');
    assert.equal(out.rejected[5]?.payload, 'e/99');
    assert.equal(out.rejected[5]?.payloadEncoding, 'base64');
    assert.equal(out.rejected[0]?.payloadEncoding, undefined);
    assert.equal(out.rejected[5]?.origin.offset, '5');
  });

  it('reads CSV records by the configured column names and refuses the wrong number of cells', () => {
    const out = run({ format: 'csv', columns: ['id', 'name', 'n'], sep: ';' }, ['1;"a;b";3', '2;x', '3;;\n']);
    assert.deepEqual(out.rows.map((r) => Object.fromEntries(Object.entries(r))), [{ id: '1', name: 'a;b', n: '3' }, { id: '3', name: null, n: null }]);
    assert.match(out.rejected[0]?.message ?? '', /expected 3 columns, found 2/);
    assert.deepEqual(out.schema?.fields.map((f) => [f.name, f.type]), [['id', 'string'], ['name', 'string'], ['n', 'string']]);
  });

  it('passes text and bytes through, and refuses payloads above max_bytes as RESOURCE errors', () => {
    const text = run({ format: 'text', target: 'line', max_bytes: 10 }, ['hello', enc.encode('héllo'), 'x'.repeat(11)]);
    assert.deepEqual(text.rows.map((r) => r.line), ['hello', 'héllo']);
    assert.deepEqual(text.rejected.map((r) => [r.errorType, r.message]), [['RESOURCE', 'payload of 11 bytes exceeds max_bytes 10']]);
    const bin = run({ format: 'binary' }, [enc.encode('ab'), 'cd']);
    assert.deepEqual(bin.rows.map((r) => [...(r.value as Uint8Array)]), [[97, 98], [99, 100]]);
    assert.equal(bin.schema?.fields[0]?.type, 'binary');
  });
});
