// Alert rules through pending, firing and resolved, delivered to a real local webhook receiver.
import { strict as assert } from 'node:assert';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../core/logger.ts';
import { AlertManager, compileCondition, defaultRules } from './alerts.ts';
import { AlertRuleSchema, WebhookSchema } from '../plan/monitoring.ts';
import { WebhookNotifier } from './webhook.ts';

interface Received {
  readonly body: Record<string, unknown>;
  readonly auth: string | undefined;
}

describe('alert rules', () => {
  let server: Server;
  let url = '';
  const received: Received[] = [];
  let failuresLeft = 0;
  let arrivals: (() => void)[] = [];

  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        // The receiver fails the first attempts it is told to, to exercise the retries.
        if (failuresLeft > 0) {
          failuresLeft--;
          res.writeHead(503).end();
          return;
        }
        received.push({ body: JSON.parse(body) as Record<string, unknown>, auth: req.headers.authorization });
        res.writeHead(204).end();
        for (const wake of arrivals) wake();
        arrivals = [];
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const until = async (n: number): Promise<void> => {
    while (received.length < n) await new Promise<void>((resolve) => arrivals.push(resolve));
  };

  it('goes pending, fires after its duration, resolves, and the webhook sees both deliveries despite failures', async () => {
    const hook = WebhookSchema.parse({ url, headers: { authorization: 'Bearer t0k' }, max_attempts: 4, initial_backoff: 10 });
    const notifier = new WebhookNotifier([hook], silentLogger);
    const rule = AlertRuleSchema.parse({ name: 'too_many_rejects', metric: 'rejectedRows', condition: '> 5', for: '30 seconds', severity: 'critical' });
    const alerts = new AlertManager([rule], 'orders', silentLogger, notifier);
    let value = 10;
    const state = () => alerts.list()[0]?.state;

    alerts.evaluate(() => value, 1_000);
    assert.equal(state(), 'pending');
    alerts.evaluate(() => value, 20_000);
    assert.equal(state(), 'pending');
    failuresLeft = 2;
    alerts.evaluate(() => value, 31_000);
    assert.equal(state(), 'firing');
    await until(1);
    value = 0;
    alerts.evaluate(() => value, 40_000);
    assert.equal(state(), 'resolved');
    await until(2);
    await notifier.close();

    assert.deepEqual(received.map((r) => [r.body.status, r.body.alert, r.body.pipeline, r.body.severity, r.body.value]), [
      ['firing', 'too_many_rejects', 'orders', 'critical', 10],
      ['resolved', 'too_many_rejects', 'orders', 'critical', 0],
    ]);
    assert.equal(received[0]?.auth, 'Bearer t0k');
    assert.equal(received[1]?.body.firedAt, new Date(31_000).toISOString());
  });

  it('returns to inactive without notifying when the condition stops holding before its duration', () => {
    const rule = AlertRuleSchema.parse({ name: 'slow', metric: 'latencySeconds', condition: '>= 60', for: '1 minute' });
    const alerts = new AlertManager([rule], 'p', silentLogger, undefined);
    alerts.evaluate(() => 90, 0);
    alerts.evaluate(() => 30, 10_000);
    assert.equal(alerts.list()[0]?.state, 'inactive');
    alerts.evaluate(() => undefined, 100_000);
    assert.equal(alerts.list()[0]?.state, 'inactive');
  });

  it('compiles every comparison operator and refuses anything else', () => {
    assert.deepEqual(['> 1', '>= 1', '< 1', '<= 1', '== 1', '!= 1'].map((c) => [0, 1, 2].map(compileCondition(c))), [
      [false, false, true],
      [false, true, true],
      [true, false, false],
      [true, true, false],
      [false, true, false],
      [true, false, true],
    ]);
    assert.throws(() => compileCondition('~ 1'));
    assert.equal(AlertRuleSchema.safeParse({ name: 'x', metric: 'm', condition: '> ten' }).success, false);
  });

  it('ships default rules whose no-data bound follows the trigger interval', () => {
    const rules = defaultRules(120_000);
    assert.deepEqual(rules.map((r) => r.name), ['high_error_rate', 'high_latency', 'lag_growing', 'no_data', 'dlq_growing']);
    assert.equal(rules.find((r) => r.name === 'no_data')?.condition, '> 1200');
    for (const r of rules) assert.equal(AlertRuleSchema.safeParse(r).success, true, r.name);
  });
});
