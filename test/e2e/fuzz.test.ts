// Fuzz test: thousands of malformed and hostile records mixed with valid ones, through the CLI into
// Delta. The process must not crash, and valid rows plus dead-letter entries must equal the input.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parsePipelineText } from '../../src/plan/load.ts';
import { registry } from '../../src/builtins/index.ts';
import { MemoryStream } from '../../src/connectors/memory/index.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { withOrigin } from '../../src/core/record.ts';
import { StreamingQuery } from '../../src/engine/query.ts';
import { parseProgress, runCli } from '../support/cli.ts';
import { readTableWithDuckDB } from '../support/table-check.ts';

const root = mkdtempSync(join(tmpdir(), 'sluice-fuzz-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A small deterministic generator, so a failure reproduces. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const b = (s: string): Buffer => Buffer.from(s, 'utf8');
const deep = (d: number): string => '['.repeat(d) + ']'.repeat(d);

/** Each kind makes one record (a line, without its newline) and says whether it must reach the table. */
const KINDS: [name: string, valid: boolean, make: (i: number, r: () => number) => Buffer][] = [
  ['valid', true, (i, r) => b(JSON.stringify({ id: `r${i}`, n: Math.floor(r() * 1000), s: 'ok' }))],
  ['duplicate keys, last wins', true, (i) => b(`{"id":"r${i}","n":-5,"n":7,"s":"dup"}`)],
  ['BOM inside the file', true, (i) => b(`\ufeff{"id":"r${i}","n":1,"s":"bom"}`)],
  ['__proto__ key', true, (i) => b(`{"id":"r${i}","n":2,"s":"p","__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}`)],
  ['lone surrogate escape', true, (i) => b(`{"id":"r${i}","n":3,"s":"\\ud800x"}`)],
  ['control characters', true, (i) => b(`{"id":"r${i}","n":4,"s":"\\u0000\\u001f\\t"}`)],
  ['invalid UTF-8 inside a string', true, (i) => Buffer.concat([b(`{"id":"r${i}","n":5,"s":"`), Buffer.from([0xff, 0xc3, 0x28, 0xed, 0xa0, 0x80]), b('"}')])],
  ['numeric string', true, (i) => b(`{"id":"r${i}","n":"42","s":"num"}`)],
  ['extra fields', true, (i) => b(`{"id":"r${i}","n":6,"s":"x","more":{"a":[1,2,{"b":null}]}}`)],
  ['truncated JSON', false, (i) => b(`{"id":"r${i}","n":1`)],
  ['garbage', false, (_i, r) => Buffer.from(Array.from({ length: 1 + Math.floor(r() * 40) }, () => 32 + Math.floor(r() * 90)))],
  ['single quotes', false, (i) => b(`{'id':'r${i}'}`)],
  ['NaN', false, (i) => b(`{"id":"r${i}","n":NaN}`)],
  ['Infinity', false, (i) => b(`{"id":"r${i}","n":-Infinity}`)],
  ['empty line', false, () => b('')],
  ['blank line', false, () => b('   \t ')],
  ['array', false, (i) => b(`[{"id":"r${i}"}]`)],
  ['scalar', false, () => b('12345')],
  ['null', false, () => b('null')],
  ['missing id', false, () => b('{"n":1,"s":"x"}')],
  ['null id', false, () => b('{"id":null,"n":1}')],
  ['array for a BIGINT', false, (i) => b(`{"id":"r${i}","n":[1]}`)],
  ['wrong type', false, (i) => b(`{"id":"r${i}","n":"abc"}`)],
  ['fraction for a BIGINT', false, (i) => b(`{"id":"r${i}","n":1.5}`)],
  ['boolean for a BIGINT', false, (i) => b(`{"id":"r${i}","n":true}`)],
  ['overflowing number', false, (i) => b(`{"id":"r${i}","n":1e400}`)],
  ['beyond BIGINT', false, (i) => b(`{"id":"r${i}","n":100000000000000000000}`)],
  ['negative (range rule)', false, (i) => b(`{"id":"r${i}","n":-1,"s":"neg"}`)],
  ['deep nesting', false, (i) => b(`{"id":"r${i}","n":1,"s":"d","x":${deep(5000)}}`)],
];

const RARE: [name: string, valid: false, make: (i: number) => Buffer, count: number][] = [
  ['string above the length rule', false, (i) => b(`{"id":"r${i}","n":1,"s":"${'x'.repeat(200_000)}"}`), 20],
  ['payload above max_bytes', false, (i) => b(`{"id":"r${i}","n":1,"s":"${'y'.repeat(2_000_000)}"}`), 3],
];

interface Line {
  readonly id: number;
  readonly kind: string;
  readonly valid: boolean;
  readonly data: Buffer;
}

/** `n` records of every kind, in a seeded order; `kinds` may add or override kinds for one path. */
function generate(seed: number, n: number, kinds: typeof KINDS = KINDS): Line[] {
  const r = prng(seed);
  const lines: Line[] = [];
  for (let i = 0; i < n; i++) {
    const k = kinds[i < kinds.length ? i : Math.floor(r() * kinds.length)];
    if (k === undefined) throw new Error('kind index out of range');
    const [kind, valid, make] = k;
    lines.push({ id: i, kind, valid, data: make(i, r) });
  }
  for (const [kind, valid, make, count] of RARE) {
    for (let k = 0; k < count; k++) {
      const at = Math.floor(r() * lines.length);
      lines[at] = { id: at, kind, valid, data: make(at) };
    }
  }
  return lines;
}

describe('the fuzz test', () => {
  it('survives 12,000 hostile records: every input record is in the table or in the DLQ with a reason', async () => {
    const landing = join(root, 'landing');
    mkdirSync(landing);
    // Bytes that are not UTF-8 make their line a dead letter at the file source (invalidUtf8: dlq).
    const lines = generate(20241128, 12_000, KINDS.map(([name, valid, make]) => [name, name === 'invalid UTF-8 inside a string' ? false : valid, make]));
    const perFile = 3_000;
    for (let f = 0; f * perFile < lines.length; f++) {
      const chunk = lines.slice(f * perFile, (f + 1) * perFile);
      writeFileSync(join(landing, `fuzz-${f}.jsonl`), Buffer.concat(chunk.flatMap((l) => [l.data, b('\n')])));
    }
    const table = join(root, 'table');
    const checkpoint = join(root, 'checkpoint');
    const config = join(root, 'fuzz.yaml');
    writeFileSync(config, `
streaming:
  name: fuzz
  source:
    type: file
    config: { path: ${landing}, format: text, pattern: "*.jsonl", maxFilesPerTrigger: 1 }
  processing:
    stages:
      - type: parse
        config: { max_depth: 64, max_bytes: 1 MB }
      - type: validate
        name: checks
        config:
          schema: "id STRING NOT NULL, n BIGINT, s STRING"
          rules:
            - { rule: range, column: n, min: 0 }
            - { rule: length, column: s, max: 100000 }
            - { rule: unique, column: id }
  sink:
    type: delta
    config: { path: ${table}, checkpoint.location: ${checkpoint} }
`);
    const res = await runCli(['run', config, '--available-now', '--progress', 'json']);
    assert.equal(res.code, 0, res.stderr.slice(-4000));
    const { progress } = parseProgress(res.stdout);
    assert.equal(progress.length, 4);
    assert.equal(progress.reduce((s, p) => s + (p.numInputRows as number), 0), 12_000);

    const dlqDir = join(checkpoint, 'rejected');
    const entries = readdirSync(dlqDir).flatMap((f) => readFileSync(join(dlqDir, f), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>));
    const t = await readTableWithDuckDB(table);
    assert.equal(t.rows.length + entries.length, 12_000, `${t.rows.length} rows + ${entries.length} DLQ entries`);

    // Exactly the records meant to be valid reached the table.
    const expectedIds = lines.filter((l) => l.valid).map((l) => `r${l.id}`).sort();
    assert.deepEqual(t.rows.map((x) => String(x.id)).sort(), expectedIds);
    // Every DLQ entry says why, where from and which stage; its line is one the generator made invalid.
    const byLine = new Map<string, Line>();
    lines.forEach((l, i) => byLine.set(`fuzz-${Math.floor(i / perFile)}.jsonl:${(i % perFile) + 1}`, l));
    const kindsSeen = new Set<string>();
    for (const e of entries) {
      assert.ok(typeof e.message === 'string' && e.message.length > 0, JSON.stringify(e).slice(0, 300));
      assert.ok(['PROCESSING', 'SCHEMA_VALIDATION', 'RESOURCE'].includes(String(e.errorType)));
      assert.ok(['source', 'parse', 'checks'].some((s) => String(e.stage).startsWith(s)), String(e.stage));
      assert.equal(e.payloadEncoding === 'base64', e.stage === 'source', JSON.stringify(e).slice(0, 300));
      const o = e.origin as { file: string; line: number };
      const l = byLine.get(`${o.file.split('/').pop() ?? ''}:${o.line}`);
      assert.ok(l !== undefined && !l.valid, `DLQ entry for a valid line: ${JSON.stringify(e).slice(0, 300)}`);
      kindsSeen.add(l.kind);
    }
    const invalidKinds = new Set(lines.filter((l) => !l.valid).map((l) => l.kind));
    assert.deepEqual([...kindsSeen].sort(), [...invalidKinds].sort());
    const resource = entries.filter((e) => e.errorType === 'RESOURCE');
    assert.equal(resource.length, new Set(lines.filter((l) => l.kind === 'payload above max_bytes').map((l) => l.id)).size);
    assert.ok(resource.every((e) => String(e.payload).length < 2000), 'oversized payloads are truncated in the DLQ');
    // Per-rule statistics reached the progress.
    const checks = progress.map((p) => (p.stages as Record<string, { rules: Record<string, { failed: number }> }>).checks);
    assert.ok(checks.reduce((s, c) => s + (c?.rules['range(n)']?.failed ?? 0), 0) > 0);
  });

  it('survives 10,000 hostile Kafka-like byte payloads in process: strict UTF-8, BOM bytes, a Delta DLQ', async () => {
    // As bytes (a Kafka value), invalid UTF-8 is refused instead of replaced, and raw BOM bytes are dropped.
    const kinds: typeof KINDS = KINDS.map(([name, valid, make]) => [name, name === 'invalid UTF-8 inside a string' ? false : valid, make]);
    kinds.push(
      ['BOM bytes', true, (i) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), b(`{"id":"r${i}","n":8}`)])],
      ['newlines between tokens', true, (i) => b(`{\n"id":"r${i}",\r\n"n":9}\n`)],
      ['truncated multi-byte character', false, (i) => Buffer.concat([b(`{"id":"r${i}","s":"`), Buffer.from([0xe2, 0x82]), b('"}')])],
    );
    const lines = generate(777, 10_000, kinds);
    const name = `fuzz-bytes-${process.pid}`;
    const stream = new MemoryStream(name);
    stream.addData(...lines.map((l) => withOrigin({ key: `k${l.id}`, value: l.data }, { topic: 'raw', partition: 0, offset: String(l.id) })));
    const dir = join(root, 'bytes');
    const plan = parsePipelineText(`
streaming:
  source: { type: memory, config: { name: ${name}, maxRowsPerTrigger: 2500 } }
  processing:
    stages:
      - { type: parse, config: { keep: [key], max_bytes: 1 MB } }
      - type: validate
        name: checks
        config:
          schema: "id STRING NOT NULL, n BIGINT, s STRING, key STRING"
          rules: [{ rule: range, column: n, min: 0 }, { rule: length, column: s, max: 100000 }]
  sink: { type: delta, config: { path: ${dir}/table, checkpoint.location: ${dir}/cp } }
  error_handling:
    dead_letter: { type: delta, path: ${dir}/dlq }
`, registry, { trigger: { kind: 'availableNow' } });
    const q = await StreamingQuery.start(plan, { logger: silentLogger });
    await q.awaitTermination();
    assert.equal(q.recentProgress.length, 4);
    const t = await readTableWithDuckDB(join(dir, 'table'));
    const dlq = await readTableWithDuckDB(join(dir, 'dlq'));
    assert.equal(t.rows.length + dlq.rows.length, 10_000, `${t.rows.length} rows + ${dlq.rows.length} DLQ entries`);
    assert.deepEqual(t.rows.map((x) => String(x.id)).sort(), lines.filter((l) => l.valid).map((l) => `r${l.id}`).sort());
    for (const e of dlq.rows) {
      assert.ok(typeof e.message === 'string' && e.message !== '');
      const l = lines[Number((e.origin as { offset: string }).offset)];
      assert.ok(l !== undefined && !l.valid, JSON.stringify(e).slice(0, 300));
    }
    const utf8 = dlq.rows.filter((e) => e.message === 'payload is not valid UTF-8');
    assert.equal(utf8.length, lines.filter((l) => l.kind.includes('UTF-8') || l.kind.includes('multi-byte')).length);
    assert.ok(utf8.every((e) => e.payloadEncoding === 'base64'));
    assert.ok(dlq.rows.every((e) => (e.payloadEncoding === 'base64') === (e.message === 'payload is not valid UTF-8')));
  });
});
