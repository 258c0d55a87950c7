import * as chai from 'chai';
import type { DurableEngine } from '@saga/devhost/engine';
import type { DevHost } from '@saga/devhost';
import { startSampleEngineHost } from './sampleHost';

const { expect } = chai;

describe('devhost host with the real durable engine (memory store, host-sample app)', () => {
  let host: DevHost;
  let engine: DurableEngine;
  let app: string;

  before(async () => {
    ({ host, engine } = await startSampleEngineHost());
    app = `${host.url}/api`;
  });
  after(async () => {
    await host?.stop();
  });

  it('runs an orchestration started, signalled and observed through the official DurableClient', async () => {
    const start = await fetch(`${app}/approval/start`, { method: 'POST', body: JSON.stringify({ amount: 9 }) });
    expect(start.status).to.equal(202);
    const links = (await start.json()) as { id: string; statusQueryGetUri: string };
    await engine.waitForInstance(links.id, ['Running']);

    const raised = await fetch(`${app}/client/raise/${links.id}?event=Approve`, {
      method: 'POST',
      body: JSON.stringify({ ok: true }),
    });
    expect(raised.status).to.equal(202);
    await engine.waitForInstance(links.id);

    const done = await fetch(links.statusQueryGetUri);
    expect(done.status).to.equal(200);
    const status = (await done.json()) as Record<string, unknown>;
    expect(status).to.include({ name: 'Approval', instanceId: links.id, runtimeStatus: 'Completed' });
    expect(status.output).to.deep.equal({ decision: { ok: true }, input: { amount: 9 }, stamped: true });
    expect(status.createdTime).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    const viaClient = (await (await fetch(`${app}/client/status/${links.id}`)).json()) as Record<string, unknown>;
    expect(viaClient).to.include({ runtimeStatus: 'Completed', isDate: true });
    expect(
      (
        await fetch(`${host.rpcBaseUrl}instances/${links.id}/raiseEvent/Approve`, {
          method: 'POST',
          body: '{}',
          headers: { 'content-type': 'application/json' },
        })
      ).status,
    ).to.equal(410);
  });

  it('terminates, lists and purges through the client', async () => {
    const start = await fetch(`${app}/approval/start/eng-term`, { method: 'POST', body: '{}' });
    expect(start.status).to.equal(202);
    await engine.waitForInstance('eng-term', ['Running']);
    expect((await fetch(`${app}/client/terminate/eng-term?reason=stop`, { method: 'POST' })).status).to.equal(202);
    const terminated = await engine.waitForInstance('eng-term');
    expect(terminated).to.include({ runtimeStatus: 'Terminated', output: 'stop' });

    const all = (await (await fetch(`${app}/client/list`)).json()) as { instanceId: string }[];
    expect(all.map((i) => i.instanceId)).to.include('eng-term');
    expect(await (await fetch(`${app}/client/purge/eng-term`, { method: 'DELETE' })).json()).to.deep.equal({
      instancesDeleted: 1,
    });
    expect((await fetch(`${host.durableApiUrl}instances/eng-term`)).status).to.equal(404);
    expect((await fetch(`${app}/approval/start/eng-term`, { method: 'POST', body: '{}' })).status).to.equal(202);
    await engine.waitForInstance('eng-term', ['Running']);
    expect(
      (await fetch(`${host.durableApiUrl}orchestrators/Approval/eng-term`, { method: 'POST', body: '{}' })).status,
    ).to.equal(409);
  });
});
