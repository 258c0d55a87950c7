import * as chai from 'chai';
import { startSampleHost, type SampleHost } from './sampleHost';

const { expect } = chai;

const SECONDS_ONLY = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

describe('devhost Durable HTTP API and DurableClient RPC (host-sample app, fake task hub)', () => {
  let s: SampleHost;
  let api: string;
  let rpc: string;
  let app: string;

  before(async () => {
    s = await startSampleHost();
    api = s.host.durableApiUrl;
    rpc = s.host.rpcBaseUrl;
    app = `${s.host.url}/api`;
  });
  after(async () => {
    await s?.host.stop();
  });
  beforeEach(() => {
    s.hub.instances.clear();
    s.hub.events.length = 0;
  });

  const clientOp = async (op: string, id = '', query = '', init: RequestInit = {}): Promise<Response> =>
    fetch(`${app}/client/${op}${id ? `/${id}` : ''}${query ? `?${query}` : ''}`, init);

  it('serves the RPC base on its own loopback port, with a trailing slash', () => {
    expect(rpc).to.match(/^http:\/\/127\.0\.0\.1:\d+\/durabletask\/$/);
    expect(api).to.equal(`${s.host.url}/runtime/webhooks/durabletask/`);
    expect(process.env.WEBSITE_HOSTNAME).to.equal(`localhost:${s.host.port}`);
  });

  it('starts through the official client and answers createCheckStatusResponse with working links', async () => {
    const res = await fetch(`${app}/approval/start`, {
      method: 'POST',
      body: JSON.stringify({ amount: 5 }),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).to.equal(202);
    const body = (await res.json()) as { id: string; statusQueryGetUri: string; sendEventPostUri: string };
    expect(res.headers.get('location')).to.equal(body.statusQueryGetUri);
    expect(res.headers.get('retry-after')).to.equal('10');
    expect(body.statusQueryGetUri).to.equal(
      `${s.host.url}/runtime/webhooks/durabletask/instances/${body.id}?taskHub=HostSampleHub&connection=Storage`,
    );
    expect(body.sendEventPostUri).to.equal(
      `${s.host.url}/runtime/webhooks/durabletask/instances/${body.id}/raiseEvent/{eventName}?taskHub=HostSampleHub&connection=Storage`,
    );

    const status = await fetch(body.statusQueryGetUri);
    expect(status.status).to.equal(202);
    expect(status.headers.get('location')).to.equal(body.statusQueryGetUri);
    expect(status.headers.get('retry-after')).to.equal('5');
    const json = (await status.json()) as Record<string, unknown>;
    expect(json).to.include({
      name: 'Approval',
      instanceId: body.id,
      runtimeStatus: 'Running',
      customStatus: null,
      output: null,
    });
    expect(json.input).to.deep.equal({ amount: 5 });
    expect(json.createdTime).to.match(SECONDS_ONLY);
    expect(json.lastUpdatedTime).to.match(SECONDS_ONLY);
  });

  it('answers 200 once the instance is done, and honours showInput and showHistory', async () => {
    await fetch(`${app}/approval/start/done-1`, { method: 'POST', body: '{"a":1}' });
    s.hub.finish('done-1', 'Completed', { ok: true });
    const res = await fetch(`${api}instances/done-1?showInput=false&showHistory=true`);
    expect(res.status).to.equal(200);
    const json = (await res.json()) as Record<string, unknown>;
    expect(json).to.include({ runtimeStatus: 'Completed', input: null });
    expect(json.output).to.deep.equal({ ok: true });
    expect(json.historyEvents).to.deep.equal([
      {
        EventType: 'ExecutionStarted',
        FunctionName: 'Approval',
        Timestamp: s.hub.instances.get('done-1')?.createdTime,
      },
    ]);
    expect((await fetch(`${api}instances/nope`)).status).to.equal(404);
  });

  it('getStatus through the client returns a status with Date fields', async () => {
    await fetch(`${app}/approval/start/st-1`, { method: 'POST', body: '{"a":2}' });
    const res = await clientOp('status', 'st-1');
    expect(res.status).to.equal(200);
    expect(await res.json()).to.include({
      instanceId: 'st-1',
      name: 'Approval',
      runtimeStatus: 'Running',
      isDate: true,
    });
  });

  it('startNew through the client with no input stores the empty JSON string the client sends', async () => {
    const res = await clientOp('start', 'noinput', 'name=Approval');
    expect(await res.json()).to.deep.equal({ id: 'noinput' });
    expect(s.hub.instances.get('noinput')?.input).to.equal('');
  });

  it('raises events through the client and enforces the HTTP rules directly', async () => {
    await fetch(`${app}/approval/start/ev-1`, { method: 'POST', body: '{}' });
    expect(
      (await clientOp('raise', 'ev-1', 'event=Approve', { method: 'POST', body: JSON.stringify({ ok: true }) })).status,
    ).to.equal(202);
    expect(s.hub.events).to.deep.equal([{ instanceId: 'ev-1', name: 'Approve', data: { ok: true } }]);

    const post = (id: string, body: string, type = 'application/json'): Promise<Response> =>
      fetch(`${rpc}instances/${id}/raiseEvent/Approve`, { method: 'POST', body, headers: { 'content-type': type } });
    expect((await post('ev-1', 'yes', 'text/plain')).status).to.equal(400);
    expect((await post('ev-1', '{bad')).status).to.equal(400);
    expect((await post('missing', '{}')).status).to.equal(404);
    s.hub.finish('ev-1', 'Completed', null);
    expect((await post('ev-1', '{}')).status).to.equal(410);
  });

  it('terminates, suspends and resumes through the client; 410 once finished', async () => {
    await fetch(`${app}/approval/start/op-1`, { method: 'POST', body: '{}' });
    expect((await clientOp('suspend', 'op-1', '', { method: 'POST' })).status).to.equal(202);
    expect(s.hub.instances.get('op-1')?.runtimeStatus).to.equal('Suspended');
    expect((await fetch(`${api}instances/op-1`)).status).to.equal(202);
    expect((await clientOp('resume', 'op-1', '', { method: 'POST' })).status).to.equal(202);
    expect(s.hub.instances.get('op-1')?.runtimeStatus).to.equal('Running');
    expect((await clientOp('terminate', 'op-1', 'reason=enough', { method: 'POST' })).status).to.equal(202);
    const status = (await (await fetch(`${api}instances/op-1`)).json()) as Record<string, unknown>;
    expect(status).to.include({ runtimeStatus: 'Terminated', output: 'enough' });
    expect((await fetch(`${api}instances/op-1/terminate?reason=again`, { method: 'POST' })).status).to.equal(410);
    expect((await fetch(`${api}instances/ghost/suspend`, { method: 'POST' })).status).to.equal(404);
  });

  it('purges one instance and by filter, through the client and directly', async () => {
    for (const id of ['p-1', 'p-2', 'p-3']) await fetch(`${app}/approval/start/${id}`, { method: 'POST', body: '{}' });
    s.hub.finish('p-2', 'Completed', 1);
    expect((await fetch(`${api}instances/p-1`, { method: 'DELETE' })).status).to.equal(412);
    s.hub.finish('p-1', 'Terminated', 'stop');
    expect(await (await clientOp('purge', 'p-1', '', { method: 'DELETE' })).json()).to.deep.equal({
      instancesDeleted: 1,
    });
    expect(await (await clientOp('purge', 'p-1', '', { method: 'DELETE' })).json()).to.deep.equal({
      instancesDeleted: 0,
    });
    const from = encodeURIComponent('2000-01-01T00:00:00Z');
    expect(
      await (await clientOp('purgeBy', '', `from=${from}&status=Completed`, { method: 'DELETE' })).json(),
    ).to.deep.equal({ instancesDeleted: 1 });
    expect([...s.hub.instances.keys()]).to.deep.equal(['p-3']);
    expect((await fetch(`${api}instances/`, { method: 'DELETE' })).status).to.equal(400);
    expect(
      (await fetch(`${api}instances/?createdTimeFrom=2999-01-01T00:00:00Z`, { method: 'DELETE' })).status,
    ).to.equal(404);
  });

  it('lists with filters and pages with x-ms-continuation-token, which the client follows', async () => {
    for (let i = 0; i < 5; i++) await fetch(`${app}/approval/start/list-${i}`, { method: 'POST', body: String(i) });
    s.hub.finish('list-3', 'Failed', 'bad');

    const first = await fetch(`${rpc}instances/?top=2`);
    const token = first.headers.get('x-ms-continuation-token');
    expect(token).to.be.a('string').and.not.equal('');
    expect(((await first.json()) as { instanceId: string }[]).map((i) => i.instanceId)).to.deep.equal([
      'list-0',
      'list-1',
    ]);
    const second = await fetch(`${rpc}instances/?top=2`, { headers: { 'x-ms-continuation-token': token as string } });
    expect(((await second.json()) as { instanceId: string }[]).map((i) => i.instanceId)).to.deep.equal([
      'list-2',
      'list-3',
    ]);

    const all = (await (await clientOp('list')).json()) as { instanceId: string; createdTime: string }[];
    expect(all.map((i) => i.instanceId)).to.deep.equal(['list-0', 'list-1', 'list-2', 'list-3', 'list-4']);
    expect(all[0]?.createdTime).to.match(SECONDS_ONLY);
    const failed = (await (await clientOp('listBy', '', 'status=Failed')).json()) as { instanceId: string }[];
    expect(failed.map((i) => i.instanceId)).to.deep.equal(['list-3']);
    // An unknown status is skipped (Enum.TryParse fails), leaving no filter.
    expect(((await (await fetch(`${api}instances/?runtimeStatus=Sleeping`)).json()) as unknown[]).length).to.equal(5);
  });

  it('starts orchestrations over HTTP: 202 with links, 400 for unknown functions or bad JSON, 409 for a running id', async () => {
    const res = await fetch(`${api}orchestrators/approval/web-1`, {
      method: 'POST',
      body: '{"x":1}',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).to.equal(202);
    const body = (await res.json()) as Record<string, string>;
    expect(body.id).to.equal('web-1');
    expect(Object.keys(body)).to.deep.equal([
      'id',
      'statusQueryGetUri',
      'sendEventPostUri',
      'terminatePostUri',
      'purgeHistoryDeleteUri',
      'restartPostUri',
      'suspendPostUri',
      'resumePostUri',
    ]);
    expect(res.headers.get('location')).to.equal(body.statusQueryGetUri);
    expect(s.hub.instances.get('web-1')).to.include({ name: 'Approval' });
    expect((await fetch(`${api}orchestrators/NoSuch`, { method: 'POST' })).status).to.equal(400);
    expect((await fetch(`${api}orchestrators/Approval`, { method: 'POST', body: '{nope' })).status).to.equal(400);
    expect((await fetch(`${api}orchestrators/Approval/web-1`, { method: 'POST', body: '{}' })).status).to.equal(409);
    expect((await fetch(`${rpc}orchestrators/Approval`, { method: 'POST' })).status).to.equal(202);
  });

  it('gives the client binding data whose management payload points at this host', async () => {
    const payload = (await (await clientOp('payload', 'abc')).json()) as Record<string, string>;
    expect(payload.statusQueryGetUri).to.equal(
      `${s.host.url}/runtime/webhooks/durabletask/instances/abc?taskHub=HostSampleHub&connection=Storage`,
    );
    expect(payload.terminatePostUri).to.equal(
      `${s.host.url}/runtime/webhooks/durabletask/instances/abc/terminate?reason={text}&taskHub=HostSampleHub&connection=Storage`,
    );
  });
});
