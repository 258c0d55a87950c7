import { expect } from 'chai';
import { createLocalIssuer, type LocalIssuer } from '../../mock/auth';
import { startMockService, type MockService } from '../../mock/server';
import { startRig, type Rig } from './harness';

const ROUTES: { method: string; path: string; body?: string }[] = [
  { method: 'POST', path: '/api/requests', body: JSON.stringify({ id: 'sec-1', payload: { scenario: 'pass' } }) },
  { method: 'POST', path: '/api/requests/sec-1/cancel', body: '{}' },
  { method: 'POST', path: '/api/projections/rebuild' },
  { method: 'POST', path: '/api/discover' },
];

/** With --keys, the mutating routes answer 401 without the function key or with a wrong one. */
describe('reliability: function keys (devhost --keys)', function () {
  this.timeout(120_000);
  let rig: Rig | undefined;

  before(async () => {
    rig = await startRig({ keys: true });
  });
  after(async () => rig?.stop());

  const call = (
    path: string,
    method: string,
    body: string | undefined,
    key?: string,
    asQuery = false,
  ): Promise<Response> => {
    const r = rig!;
    const url = `${r.host.url}${path}${asQuery && key ? `?code=${encodeURIComponent(key)}` : ''}`;
    return fetch(url, {
      method,
      body,
      headers: { 'content-type': 'application/json', ...(key && !asQuery ? { 'x-functions-key': key } : {}) },
    });
  };

  for (const route of ROUTES) {
    it(`${route.method} ${route.path} rejects a missing or wrong key`, async () => {
      for (const key of [undefined, 'wrong-key', `${rig!.host.masterKey}x`]) {
        const res = await call(route.path, route.method, route.body, key);
        expect(res.status, `key ${String(key)}`).to.equal(401);
        await res.arrayBuffer();
      }
      const q = await call(route.path, route.method, route.body, 'wrong-key', true);
      expect(q.status).to.equal(401);
    });
  }

  it('accepts the right key in the header and as ?code=', async () => {
    const key = rig!.host.masterKey;
    expect(key, 'the host printed its key').to.be.a('string');
    const add = await call(
      '/api/requests',
      'POST',
      JSON.stringify({ id: 'sec-ok', payload: { scenario: 'pass' } }),
      key,
    );
    expect(add.status, await add.text()).to.equal(202);
    const rebuild = await call('/api/projections/rebuild', 'POST', undefined, key, true);
    expect(rebuild.status, await rebuild.text()).to.equal(200);
    const discover = await call('/api/discover', 'POST', undefined, key);
    expect(discover.status, await discover.text()).to.equal(200);
  });
});

/** The external-service mock with token checks on: only a valid token for its audience gets through. */
describe('reliability: external service bearer tokens', function () {
  const audience = 'api://external-jobs';
  let issuer: LocalIssuer;
  let mock: MockService;

  before(async () => {
    issuer = await createLocalIssuer();
    mock = await startMockService({ auth: { issuer: issuer.issuer, audience, jwksUrl: issuer.jwksUrl } });
  });
  after(async () => {
    await mock?.stop();
    await issuer?.stop();
  });

  const submit = (authorization?: string): Promise<Response> =>
    fetch(`${mock.url}/jobs`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': `k-${Math.random()}`,
        ...(authorization ? { authorization } : {}),
      },
      body: JSON.stringify({ requestId: 'sec-job', attempt: 1, payload: { scenario: 'pass' } }),
    });

  it('rejects missing, malformed, expired, wrong-audience and wrong-issuer tokens', async () => {
    const bad = [
      undefined,
      'Basic abc',
      'Bearer not-a-jwt',
      `Bearer ${await issuer.mint({ aud: audience, expiresIn: -60 })}`,
      `Bearer ${await issuer.mint({ aud: 'api://someone-else' })}`,
      `Bearer ${await issuer.mint({ aud: audience, issuer: 'https://evil.example/' })}`,
    ];
    for (const authorization of bad) {
      const res = await submit(authorization);
      expect(res.status, String(authorization).slice(0, 40)).to.equal(401);
      await res.arrayBuffer();
    }
    expect(mock.stats().created).to.equal(0);
  });

  it('accepts a valid token for its audience', async () => {
    const res = await submit(`Bearer ${await issuer.mint({ aud: audience })}`);
    expect(res.status, await res.text()).to.be.oneOf([200, 201, 202]);
    expect(mock.stats().created).to.equal(1);
  });
});
