// The strict Prometheus text reader: accepts what prom-client serves, refuses malformed output.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { Counter, Histogram, Registry } from 'prom-client';
import { parsePrometheusText, sampleValue } from './prom-text.ts';

describe('parsePrometheusText', () => {
  it('reads counters and histograms with escaped label values as prom-client writes them', async () => {
    const r = new Registry();
    const c = new Counter({ name: 'x_total', help: 'a "help" line\\with a backslash', labelNames: ['path'], registers: [r] });
    c.inc({ path: 'C:\\data\\"in"\nnext' }, 3);
    const h = new Histogram({ name: 'd_seconds', help: 'h', buckets: [0.1, 1], registers: [r] });
    h.observe(0.05);
    h.observe(5);
    const f = parsePrometheusText(await r.metrics());
    assert.equal(sampleValue(f, 'x_total', { path: 'C:\\data\\"in"\nnext' }), 3);
    assert.equal(f.get('d_seconds')?.type, 'histogram');
    assert.equal(sampleValue(f, 'd_seconds_bucket', { le: '0.1' }), 1);
    assert.equal(sampleValue(f, 'd_seconds_bucket', { le: '+Inf' }), 2);
    assert.equal(sampleValue(f, 'd_seconds_count'), 2);
  });

  it('reads NaN and infinities in any letter case, as Prometheus does', () => {
    const f = parsePrometheusText('# TYPE a gauge\na{k="1"} Nan\na{k="2"} +Inf\na{k="3"} -inf\na{k="4"} 1.5e3\n');
    assert.deepEqual(f.get('a')?.samples.map((x) => x.value), [NaN, Infinity, -Infinity, 1500]);
  });

  const bad: [string, string][] = [
    ['a sample without TYPE', 'x 1\n'],
    ['an unquoted label value', '# TYPE x gauge\nx{a=b} 1\n'],
    ['a value that is not a number', '# TYPE x gauge\nx 1,5\n'],
    ['a value that is a word', '# TYPE x gauge\nx one\n'],
    ['a duplicate series', '# TYPE x gauge\nx{a="1"} 1\nx{a="1"} 2\n'],
    ['an invalid metric name', '# TYPE 1x gauge\n'],
    ['an unknown type', '# TYPE x meter\n'],
    ['a missing final newline', '# TYPE x gauge\nx 1'],
    ['non-cumulative buckets', '# TYPE h histogram\nh_bucket{le="1"} 5\nh_bucket{le="+Inf"} 3\nh_count 3\nh_sum 1\n'],
    ['a +Inf bucket that differs from the count', '# TYPE h histogram\nh_bucket{le="+Inf"} 3\nh_count 4\nh_sum 1\n'],
    ['an invalid escape', '# TYPE x gauge\nx{a="\\q"} 1\n'],
  ];
  for (const [what, text] of bad) {
    it(`refuses ${what}`, () => {
      assert.throws(() => parsePrometheusText(text));
    });
  }
});
