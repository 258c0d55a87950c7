import * as chai from 'chai';
import type { DurableEngine } from '@saga/devhost/engine';
import type { DevHost } from '@saga/devhost';
import { startSampleEngineHost } from './sampleHost';

const { expect } = chai;

/** The devhost's own dashboard works for an app that is not ours (the host-sample app): instances, history, actions. */
describe('devhost dashboard for any app (host-sample app, real engine)', () => {
  let host: DevHost;
  let engine: DurableEngine;
  let dash: string;

  before(async () => {
    ({ host, engine } = await startSampleEngineHost());
    dash = `${host.url}/_devhost/dashboard`;
  });
  after(async () => {
    await host?.stop();
  });

  const json = async (res: Response): Promise<Record<string, unknown>> => (await res.json()) as Record<string, unknown>;

  it('serves the instances-only page and its modules', async () => {
    const page = await fetch(dash);
    expect(page.headers.get('content-type')).to.match(/^text\/html/);
    const html = await page.text();
    expect(html).to.contain('"requests":false').and.contain('/_devhost/dashboard/ui/app.js');
    expect((await fetch(`${dash}/ui/preact.mjs`)).status).to.equal(200);
    expect((await fetch(`${dash}/ui/nothing.js`)).status).to.equal(404);
  });

  it('lists an instance, shows its history and timeline, raises its event and shows the API refusing a terminate of a finished one', async () => {
    expect((await fetch(`${host.url}/api/approval/start/dash-1`, { method: 'POST', body: '{}' })).status).to.equal(202);
    await engine.waitForInstance('dash-1', ['Running']);

    const list = await json(await fetch(`${dash}/api/instances?runtimeStatus=Running`));
    expect((list.items as { instanceId: string; name: string }[]).find((i) => i.instanceId === 'dash-1')).to.include({
      name: 'Approval',
    });

    const raised = await fetch(`${dash}/api/instances/dash-1/raise-event`, {
      method: 'POST',
      body: JSON.stringify({ eventName: 'Approve', eventData: { ok: true } }),
    });
    expect(await json(raised)).to.include({ action: 'raise-event', instanceId: 'dash-1', status: 202 });
    await engine.waitForInstance('dash-1');

    const one = await json(await fetch(`${dash}/api/instances/dash-1`));
    expect(one).to.include({ runtimeStatus: 'Completed', name: 'Approval' });
    expect((one.history as { EventType: string }[]).map((e) => e.EventType)).to.include.members([
      'ExecutionStarted',
      'EventRaised',
      'ExecutionCompleted',
    ]);
    expect((one.timeline as { kind: string }[]).map((r) => r.kind)).to.include.members(['execution', 'event']);

    const refused = await fetch(`${dash}/api/instances/dash-1/terminate`, { method: 'POST', body: '{}' });
    expect(refused.status).to.equal(410);
    expect(refused.headers.get('content-type')).to.equal('application/problem+json');
  });

  it('answers problem+json to malformed ids, unknown actions and unknown filters', async () => {
    for (const [method, route, status] of [
      ['GET', '/api/instances?colour=red', 400],
      ['GET', '/api/instances?runtimeStatus=Sleeping', 400],
      ['GET', '/api/instances/%01', 400],
      ['GET', '/api/instances/no-such', 404],
      ['POST', '/api/instances/no-such/explode', 400],
      ['GET', '/api/traces/zz', 400],
      ['GET', '/api/nothing', 404],
    ] as const) {
      const res = await fetch(`${dash}${route}`, { method });
      expect(res.status, `${method} ${route}`).to.equal(status);
      expect(res.headers.get('content-type'), `${method} ${route}`).to.equal('application/problem+json');
    }
  });
});
