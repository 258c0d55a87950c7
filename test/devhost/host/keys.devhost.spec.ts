import * as chai from 'chai';
import { startSampleHost, type SampleHost } from './sampleHost';

const { expect } = chai;

describe('devhost function keys (requireKeys on)', () => {
  let s: SampleHost;
  const key = 'test-master-key';

  before(async () => {
    s = await startSampleHost({ requireKeys: true, masterKey: key });
  });
  after(async () => {
    await s?.host.stop();
  });

  it('requires the key for authLevel function, by code query or x-functions-key header', async () => {
    expect((await fetch(`${s.host.url}/api/secret`)).status).to.equal(401);
    expect((await fetch(`${s.host.url}/api/secret?code=wrong`)).status).to.equal(401);
    expect((await fetch(`${s.host.url}/api/secret?code=${key}`)).status).to.equal(200);
    expect((await fetch(`${s.host.url}/api/secret`, { headers: { 'x-functions-key': key } })).status).to.equal(200);
  });

  it('leaves anonymous functions open', async () => {
    expect((await fetch(`${s.host.url}/api/echo/1`)).status).to.equal(200);
  });

  it('protects the durable webhooks and puts the key into the links it hands out', async () => {
    const res = await fetch(`${s.host.url}/api/approval/start`, { method: 'POST', body: '{}' });
    expect(res.status).to.equal(202);
    const body = (await res.json()) as { id: string; statusQueryGetUri: string };
    expect(body.statusQueryGetUri).to.match(new RegExp(`&code=${key}$`));
    expect((await fetch(body.statusQueryGetUri)).status).to.equal(202);
    expect((await fetch(`${s.host.durableApiUrl}instances/${body.id}`)).status).to.equal(401);
    // The RPC base is the client's private channel on loopback and needs no key.
    expect((await fetch(`${s.host.rpcBaseUrl}instances/${body.id}`)).status).to.equal(202);
  });
});
