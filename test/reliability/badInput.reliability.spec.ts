import { expect } from 'chai';
import { sleep } from '../../localdev/demo/demoRun';
import { startRig, type Rig } from './harness';

interface BadRequest {
  name: string;
  method: string;
  path: string;
  body?: string;
  contentType?: string;
  /** The host routes no function here (wrong method, path normalised away): a bare 404/405 like func start. */
  unrouted?: boolean;
}

// '..' is left out: fetch normalises /api/requests/.. to /api/ before sending.
const ODD_IDS = [
  '%2F',
  'a%2Fb',
  'caf%C3%A9',
  '%F0%9F%92%A5',
  'x'.repeat(300),
  '-leading-dash',
  'a%20b',
  '%00',
  'a%3Bb',
  "a'b",
  '%25',
  'a%5Cb',
  '%E2%80%AE',
  'a%7Cb',
  '%2A',
  'a%40b',
];
const BIG = JSON.stringify({ id: 'big-1', payload: { scenario: 'pass', filler: 'x'.repeat(70 * 1024) } });

/** Malformed requests across every route of the request API. */
function badRequests(): BadRequest[] {
  const list: BadRequest[] = [];
  const post = (name: string, path: string, body: string | undefined, contentType = 'application/json'): void => {
    list.push({ name, method: 'POST', path, body, contentType });
  };
  const bodies: [string, string][] = [
    ['invalid JSON', '{"id": "x",'],
    ['a JSON array', '[1,2]'],
    ['a JSON string', '"hello"'],
    ['a JSON number', '42'],
    ['JSON null', 'null'],
    ['empty body', ''],
    ['id a number', '{"id": 5, "payload": {}}'],
    ['id an object', '{"id": {"a":1}, "payload": {}}'],
    ['id with a slash', '{"id": "a/b", "payload": {}}'],
    ['id of 300 chars', JSON.stringify({ id: 'y'.repeat(300), payload: {} })],
    ['id unicode', '{"id": "café", "payload": {}}'],
    ['id ..', '{"id": "..", "payload": {}}'],
    ['payload missing', '{"id": "ok-1"}'],
    ['payload a string', '{"id": "ok-1", "payload": "pass"}'],
    ['payload an array', '{"id": "ok-1", "payload": []}'],
    ['payload.scenario a number', '{"id": "ok-1", "payload": {"scenario": 3}}'],
    ['start a string', '{"id": "ok-1", "payload": {}, "start": "yes"}'],
    ['start a number', '{"id": "ok-1", "payload": {}, "start": 1}'],
    ['unknown field', '{"id": "ok-1", "payload": {}, "priority": 1}'],
    ['oversized body', BIG],
  ];
  for (const [name, body] of bodies) post(`POST /api/requests: ${name}`, '/api/requests', body);
  for (const ct of [
    'text/plain',
    'application/xml',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
  ]) {
    post(`POST /api/requests: content-type ${ct}`, '/api/requests', '{"id": "ct-1", "payload": {}}', ct);
  }
  for (const id of ODD_IDS) {
    list.push({ name: `GET /api/requests/${id.slice(0, 20)}`, method: 'GET', path: `/api/requests/${id}` });
    list.push({
      name: `GET /api/requests/${id.slice(0, 20)}/events`,
      method: 'GET',
      path: `/api/requests/${id}/events`,
    });
    post(`POST /api/requests/${id.slice(0, 20)}/cancel`, `/api/requests/${id}/cancel`, '{}');
  }
  for (const q of ['top=0', 'top=-1', 'top=abc', 'top=1.5', 'top=100000', 'fromVersion=0', 'fromVersion=x']) {
    list.push({ name: `GET events ?${q}`, method: 'GET', path: `/api/requests/bad-input-known/events?${q}` });
  }
  for (const q of [
    'status=Nope',
    'status=',
    'status=pass',
    'top=0',
    'top=501',
    'top=ten',
    'top=-5',
    'colour=red',
    'status=Completed&extra=1',
  ]) {
    list.push({ name: `GET /api/requests?${q}`, method: 'GET', path: `/api/requests?${q}` });
  }
  const cancelBodies: [string, string, string?][] = [
    ['invalid JSON', '{reason'],
    ['reason a number', '{"reason": 5}'],
    ['reason too long', JSON.stringify({ reason: 'r'.repeat(600) })],
    ['unknown field', '{"reason": "x", "force": true}'],
    ['an array', '["x"]'],
    ['oversized body', JSON.stringify({ reason: 'z'.repeat(70 * 1024) })],
    ['content-type text/plain', '{"reason":"x"}', 'text/plain'],
  ];
  for (const [name, body, ct] of cancelBodies)
    post(`POST cancel: ${name}`, '/api/requests/bad-input-known/cancel', body, ct);
  post('POST cancel of an unknown request', '/api/requests/no-such-request/cancel', '{}');
  list.push({ name: 'GET unknown request', method: 'GET', path: '/api/requests/no-such-request' });
  list.push({ name: 'GET events of unknown request', method: 'GET', path: '/api/requests/no-such-request/events' });
  // Wrong methods on the operator routes.
  for (const [m, p] of [
    ['GET', '/api/discover'],
    ['PUT', '/api/discover'],
    ['DELETE', '/api/discover'],
    ['GET', '/api/projections/rebuild'],
    ['PUT', '/api/projections/rebuild'],
    ['DELETE', '/api/requests'],
    ['PATCH', '/api/requests/bad-input-known'],
    ['GET', '/api/requests/bad-input-known/cancel'],
  ] as const) {
    list.push({ name: `${m} ${p}`, method: m, path: p, unrouted: true });
  }
  return list;
}

/**
 * Malformed input never reaches a use case: every request gets a 4xx problem+json, never a 5xx,
 * and the host keeps serving. Malformed intake rows are quarantined with a reason.
 */
describe('reliability: bad input', function () {
  this.timeout(120_000);
  let rig: Rig | undefined;

  before(async () => {
    rig = await startRig();
    const res = await fetch(`${rig.host.url}/api/requests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'bad-input-known', payload: { scenario: 'pass' } }),
    });
    expect(res.status).to.equal(202);
  });
  after(async () => rig?.stop());

  it('answers at least 100 malformed requests with 4xx problem+json and keeps serving', async () => {
    const r = rig!;
    const cases = badRequests();
    expect(cases.length).to.be.at.least(100);
    const wrong: string[] = [];
    for (const c of cases) {
      const res = await fetch(`${r.host.url}${c.path}`, {
        method: c.method,
        headers: c.contentType ? { 'content-type': c.contentType } : {},
        body: c.body,
      });
      const type = res.headers.get('content-type') ?? '';
      const text = await res.text();
      const problemJson = type.startsWith('application/problem+json');
      if (res.status < 400 || res.status >= 500 || (!problemJson && !(c.unrouted && [404, 405].includes(res.status)))) {
        wrong.push(`${c.name}: ${res.status} ${type} ${text.slice(0, 160)}`);
      }
    }
    expect(wrong, `${wrong.length}/${cases.length} wrong:\n  ${wrong.join('\n  ')}`).to.deep.equal([]);
    const health = await fetch(`${r.host.url}/api/requests?top=1`);
    expect(health.status).to.equal(200);
    expect(r.host.output(), 'host log').not.to.match(/unhandled|uncaught|^Node\.js v\d/im);
  });

  it('quarantines malformed intake rows with a reason', async () => {
    const r = rig!;
    const rows = ['{not json', '[]', '"a string"', 'null', ''].map((payload, i) => ({ id: `bad-row-${i}`, payload }));
    for (const row of rows)
      await r.table.createEntity({ partitionKey: 'demo', rowKey: row.id, Status: 'Unprocessed', Payload: row.payload });
    const pending = new Set(rows.map((x) => x.id));
    for (let i = 0; i < 120 && pending.size > 0; i++) {
      await fetch(`${r.host.url}/api/discover`, { method: 'POST' }).then((res) => res.arrayBuffer());
      for (const id of [...pending]) {
        const e = await r.table.getEntity<{ Status: string; QuarantineReason?: string }>('demo', id);
        if (e.Status === 'Quarantined') {
          expect(e.QuarantineReason, id).to.be.a('string').and.not.equal('');
          pending.delete(id);
        }
      }
      if (pending.size > 0) await sleep(500);
    }
    expect([...pending], 'rows still not quarantined').to.deep.equal([]);
  });
});
