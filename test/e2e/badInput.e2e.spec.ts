import path from 'node:path';
import { TableClient } from '@azure/data-tables';
import { expect } from 'chai';
import { localSettings, startLocalStack, type LocalStack } from '../../localdev/demo/localStack';
import { startDevHost, type DevHost, engineTaskHub } from '@saga/devhost';

/**
 * Bad input never gets a 5xx and never loses anything: every malformed request across every route
 * is answered 4xx application/problem+json with a reason, malformed intake rows are quarantined
 * with a reason, and the host keeps serving.
 */
describe('bad input across every route (devhost + real local servers)', function () {
  this.timeout(120_000);
  let stack: LocalStack;
  let host: DevHost;
  let table: TableClient;
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown): void => void unhandled.push(e);

  before(async () => {
    process.on('unhandledRejection', onUnhandled);
    stack = await startLocalStack();
    const settings = localSettings(stack, { DISCOVERY_SCHEDULE: '0 0 0 1 1 *' });
    Object.assign(process.env, settings, { DEVHOST_QUIET: '1' });
    host = await startDevHost({
      appDir: path.join(__dirname, '..', '..'),
      port: 0,
      log: () => undefined,
      taskHub: engineTaskHub({ kind: 'memory' }),
    });
    table = TableClient.fromConnectionString(stack.azurite.connectionString, 'intake', {
      allowInsecureConnection: true,
    });
    await table.createTable();
  });
  after(async () => {
    process.off('unhandledRejection', onUnhandled);
    await host?.stop();
    await stack?.stop();
  });

  const json = { 'content-type': 'application/json' };
  const oddIds = [
    '%2F',
    '..',
    'a%2Fb',
    '%E2%9C%93',
    'x'.repeat(300),
    '-starts-with-dash',
    'has%20space',
    'a%23b',
    'a%3Fb',
    '%00',
  ];
  const bodies: [string, string, Record<string, string>][] = [
    ['not json', '{not json', json],
    ['an array', '[1,2]', json],
    ['a string', '"x"', json],
    ['null', 'null', json],
    ['empty object', '{}', json],
    ['payload a string', '{"payload":"x"}', json],
    ['payload an array', '{"payload":[1]}', json],
    ['payload null', '{"payload":null}', json],
    ['scenario a number', '{"payload":{"scenario":5}}', json],
    ['id a number', '{"id":5,"payload":{}}', json],
    ['id with a slash', '{"id":"a/b","payload":{}}', json],
    ['id too long', JSON.stringify({ id: 'x'.repeat(101), payload: {} }), json],
    ['id empty', '{"id":"","payload":{}}', json],
    ['unknown field', '{"payload":{},"priority":1}', json],
    ['start not boolean', '{"payload":{},"start":"yes"}', json],
    ['oversized', JSON.stringify({ payload: { blob: 'x'.repeat(70_000) } }), json],
    ['text/plain', '{"payload":{}}', { 'content-type': 'text/plain' }],
    ['form encoded', 'payload=1', { 'content-type': 'application/x-www-form-urlencoded' }],
    ['truncated', '{"payload":{"scenario":"pass"', json],
    ['deep garbage', '{"payload":{}} trailing', json],
  ];

  function cases(): { name: string; method: string; url: string; body?: string; headers?: Record<string, string> }[] {
    const all: { name: string; method: string; url: string; body?: string; headers?: Record<string, string> }[] = [];
    for (const [name, body, headers] of bodies)
      all.push({ name: `POST /requests ${name}`, method: 'POST', url: '/api/requests', body, headers });
    for (const id of ['a b', '../x', 'ü', 'x?y', 'x#y', '_lead', 'x\\y', ' ', 'a'.repeat(101), 'tab\t']) {
      all.push({
        name: `POST /requests id '${id.slice(0, 20)}'`,
        method: 'POST',
        url: '/api/requests',
        body: JSON.stringify({ id, payload: {} }),
        headers: json,
      });
    }
    for (const [name, body, headers] of bodies.slice(0, 4))
      all.push({ name: `POST /discover ${name}`, method: 'POST', url: '/api/discover?top=abc', body, headers });
    for (const id of oddIds) {
      all.push({ name: `GET /requests/${id.slice(0, 20)}`, method: 'GET', url: `/api/requests/${id}` });
      all.push({ name: `GET /requests/${id.slice(0, 20)}/events`, method: 'GET', url: `/api/requests/${id}/events` });
      all.push({
        name: `POST /requests/${id.slice(0, 20)}/cancel`,
        method: 'POST',
        url: `/api/requests/${id}/cancel`,
        body: '{}',
        headers: json,
      });
    }
    for (const q of [
      'status=Nope',
      'status=',
      'top=0',
      'top=-1',
      'top=abc',
      'top=100000',
      'top=1.5',
      'unknown=1',
      'status=completed',
      'top=1e3',
    ]) {
      all.push({ name: `GET /requests?${q}`, method: 'GET', url: `/api/requests?${q}` });
    }
    for (const q of ['top=0', 'top=x', 'fromVersion=0', 'fromVersion=-3', 'fromVersion=abc']) {
      all.push({ name: `GET events?${q}`, method: 'GET', url: `/api/requests/valid-id/events?${q}` });
    }
    for (const [name, body, headers] of bodies.slice(0, 6))
      all.push({ name: `POST cancel ${name}`, method: 'POST', url: '/api/requests/valid-id/cancel', body, headers });
    all.push({
      name: 'cancel unknown request',
      method: 'POST',
      url: '/api/requests/never-added/cancel',
      body: '{"reason":"x"}',
      headers: json,
    });
    all.push({
      name: 'cancel unknown field',
      method: 'POST',
      url: '/api/requests/never-added/cancel',
      body: '{"why":"x"}',
      headers: json,
    });
    all.push({
      name: 'cancel reason not a string',
      method: 'POST',
      url: '/api/requests/never-added/cancel',
      body: '{"reason":5}',
      headers: json,
    });
    all.push({ name: 'GET unknown request', method: 'GET', url: '/api/requests/never-added' });
    all.push({ name: 'GET events of unknown request', method: 'GET', url: '/api/requests/never-added/events' });
    for (const method of ['PUT', 'DELETE', 'PATCH']) {
      all.push({ name: `${method} /requests`, method, url: '/api/requests', body: '{}', headers: json });
      all.push({ name: `${method} /discover`, method, url: '/api/discover' });
      all.push({ name: `${method} /projections/rebuild`, method, url: '/api/projections/rebuild' });
    }
    all.push({ name: 'GET /discover', method: 'GET', url: '/api/discover' });
    all.push({ name: 'GET /projections/rebuild', method: 'GET', url: '/api/projections/rebuild' });
    all.push({ name: 'unknown route', method: 'GET', url: '/api/nope' });
    return all;
  }

  it('answers at least 100 malformed requests with 4xx (problem+json from the API), never a 5xx, and keeps serving', async () => {
    const list = cases();
    expect(list.length).to.be.at.least(100);
    const failures: string[] = [];
    for (const c of list) {
      const res = await fetch(`${host.url}${c.url}`, { method: c.method, body: c.body, headers: c.headers });
      const type = res.headers.get('content-type') ?? '';
      const text = await res.text();
      if (res.status < 400 || res.status >= 500) failures.push(`${c.name}: ${res.status} ${text.slice(0, 120)}`);
      // Routes the app owns answer problem+json with a reason; the host's own 404 for unmatched routes has no body.
      else if (res.status !== 404 || text.length > 0) {
        if (!type.startsWith('application/problem+json'))
          failures.push(`${c.name}: ${res.status} with content-type '${type}'`);
        else if (!(JSON.parse(text) as { detail?: string }).detail)
          failures.push(`${c.name}: problem without a detail`);
      }
    }
    expect(failures, failures.join('\n')).to.deep.equal([]);
    expect(unhandled, 'unhandled rejections').to.deep.equal([]);
    expect((await fetch(`${host.url}/api/requests`)).status).to.equal(200);
  });

  it('quarantines malformed intake rows with a readable reason and still starts the good one', async () => {
    const rows = [
      { rowKey: 'bad-json', Payload: '{nope' },
      { rowKey: 'bad-array', Payload: '[1]' },
      { rowKey: 'bad-missing' },
      { rowKey: 'bad id with spaces', Payload: '{"scenario":"pass"}' },
      { rowKey: 'good-row', Payload: '{"scenario":"pass"}' },
    ];
    for (const r of rows) await table.createEntity({ partitionKey: 'bad', Status: 'Unprocessed', ...r });
    const res = await fetch(`${host.url}/api/discover`, { method: 'POST' });
    expect(res.status).to.equal(200);
    const report = (await res.json()) as { started: string[]; quarantined: { rowKey: string; reason: string }[] };
    expect(report.started).to.deep.equal(['good-row']);
    expect(report.quarantined.map((q) => q.rowKey).sort()).to.deep.equal([
      'bad id with spaces',
      'bad-array',
      'bad-json',
      'bad-missing',
    ]);
    for (const r of rows.filter((x) => x.rowKey !== 'good-row')) {
      const row = await table.getEntity<{ Status: string; QuarantineReason: string }>('bad', r.rowKey);
      expect(row.Status).to.equal('Quarantined');
      expect(row.QuarantineReason).to.be.a('string').and.not.equal('');
    }
  });
});
