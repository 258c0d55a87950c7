/**
 * The Durable HTTP API against the rules of the extension's HttpApiHandler.cs, on the real engine
 * (memory store), through plain HTTP and the official DurableClient (host-sample app).
 */
import * as chai from 'chai';
import type { DurableEngine } from '@saga/devhost/engine';
import type { LogLevel, DevHost } from '@saga/devhost';
import { startSampleEngineHost } from './sampleHost';

const { expect } = chai;

describe('devhost Durable HTTP API parity with HttpApiHandler (real engine)', function () {
  this.timeout(60_000);
  let host: DevHost;
  let engine: DurableEngine;
  let api: string;
  let rpc: string;
  const logs: { level: LogLevel; message: string }[] = [];

  before(async () => {
    ({ host, engine } = await startSampleEngineHost((level, message) => logs.push({ level, message })));
    api = host.durableApiUrl;
    rpc = host.rpcBaseUrl;
  });
  after(async () => {
    await host?.stop();
  });

  const post = (url: string, body?: string): Promise<Response> =>
    fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
  const start = async (name: string, id: string, input: unknown = {}): Promise<void> => {
    expect(
      (await post(`${api}orchestrators/${name}/${encodeURIComponent(id)}`, JSON.stringify(input))).status,
    ).to.equal(202);
  };

  it('pages instances/ 100 at a time with x-ms-continuation-token (empty on the last page); the client follows it', async () => {
    for (let i = 0; i < 101; i++) await start('Approval', `page-${String(i).padStart(3, '0')}`);
    const first = await fetch(`${api}instances/?instanceIdPrefix=page-`);
    const token = first.headers.get('x-ms-continuation-token');
    expect(((await first.json()) as unknown[]).length).to.equal(100);
    expect(token).to.be.a('string').and.not.equal('');
    const second = await fetch(`${api}instances/?instanceIdPrefix=page-`, {
      headers: { 'x-ms-continuation-token': token as string },
    });
    expect(((await second.json()) as unknown[]).length).to.equal(1);
    expect(second.headers.get('x-ms-continuation-token')).to.equal('');
    const viaClient = (await (await fetch(`${host.url}/api/client/list`)).json()) as { instanceId: string }[];
    expect(viaClient.filter((i) => i.instanceId.startsWith('page-'))).to.have.length(101);
  });

  it('ignores query values that do not parse, as the extension does, and logs a warning naming each', async () => {
    await start('Approval', 'q-1');
    logs.length = 0;
    const res = await fetch(
      `${api}instances/?instanceIdPrefix=q-&top=many&showInput=maybe&createdTimeFrom=yesterday&runtimeStatus=Running,Sleeping,running`,
    );
    expect(res.status).to.equal(200);
    const items = (await res.json()) as { instanceId: string; input: unknown }[];
    expect(items.map((i) => i.instanceId)).to.deep.equal(['q-1']);
    expect(items[0]?.input).to.deep.equal({});
    const warnings = logs
      .filter((l) => l.level === 'warning')
      .map((l) => l.message)
      .join('\n');
    for (const part of [
      "top='many'",
      "showInput='maybe'",
      "createdTimeFrom='yesterday'",
      "runtimeStatus='Sleeping'",
      "runtimeStatus='running'",
    ])
      expect(warnings).to.include(part);
    expect((await fetch(`${api}instances/q-1?showHistory=perhaps`)).status).to.equal(202);
    expect((await fetch(`${api}instances/?createdTimeFrom=soon`, { method: 'DELETE' })).status).to.equal(400);
  });

  it('answers 404 for a known route with the wrong method, as HandleRequestAsync does', async () => {
    await start('Approval', 'm-1');
    expect((await fetch(`${api}orchestrators/Approval`)).status).to.equal(404);
    expect((await fetch(`${api}instances/m-1`, { method: 'PUT' })).status).to.equal(404);
    expect((await fetch(`${api}instances/`, { method: 'POST' })).status).to.equal(404);
    expect((await fetch(`${api}instances/m-1/terminate`)).status).to.equal(404);
    expect((await fetch(`${api}instances/m-1/raiseEvent/Approve`)).status).to.equal(404);
    expect((await post(`${api}instances/m-1/explode`)).status).to.equal(404);
    expect((await fetch(`${api}entities/counter/k`, { method: 'PATCH' })).status).to.equal(404);
    expect((await engine.getStatus('m-1'))?.runtimeStatus).to.equal('Running');
  });

  it('400 for an unknown orchestrator, listing the known ones as the extension does', async () => {
    const res = await post(`${api}orchestrators/NoSuch`, '{}');
    expect(res.status).to.equal(400);
    const message = ((await res.json()) as { Message: string }).Message;
    expect(message).to.match(
      /^The function 'NoSuch' doesn't exist, is disabled, or is not an orchestrator function\. Additional info: The following are the known orchestrator functions: '.*'\.$/,
    );
    expect(message).to.include("'Approval'");
  });

  it('409 for starting an id that is running; a finished id can be started again', async () => {
    await start('Approval', 'dup-1');
    const again = await post(`${api}orchestrators/Approval/dup-1`, '{}');
    expect(again.status).to.equal(409);
    expect(((await again.json()) as { Message: string }).Message).to.include("'dup-1'");
    await start('Quick', 'dup-2', { n: 1 });
    await engine.waitForInstance('dup-2');
    await start('Quick', 'dup-2', { n: 2 });
    expect((await engine.waitForInstance('dup-2')).output).to.deep.equal({ n: 2, stamped: true });
  });

  it('start-and-wait: 200 with the output when done in time, the status for a failure, 202 when the wait runs out', async () => {
    const done = await post(`${api}orchestrators/Quick/wait-1?timeout=20&pollingInterval=0.05`, '{"v":1}');
    expect(done.status).to.equal(200);
    expect(await done.json()).to.deep.equal({ v: 1, stamped: true });

    const failed = await post(`${api}orchestrators/Flaky/wait-2?timeout=20&pollingInterval=0.05`);
    expect(failed.status).to.equal(200);
    expect(await failed.json()).to.include({ instanceId: 'wait-2', runtimeStatus: 'Failed' });

    const waiting = await post(`${api}orchestrators/Approval/wait-3?timeout=0.2&pollingInterval=0.05`, '{}');
    expect(waiting.status).to.equal(202);
    expect(((await waiting.json()) as { id: string }).id).to.equal('wait-3');

    // Only timeout: the extension needs both values to wait.
    const noInterval = await post(`${api}orchestrators/Quick/wait-4?timeout=20`, '{}');
    expect(noInterval.status).to.equal(202);

    const bad = await post(`${api}orchestrators/Quick/wait-5?timeout=1&pollingInterval=5`, '{}');
    expect(bad.status).to.equal(400);
    expect(((await bad.json()) as { Message: string }).Message).to.equal(
      'Total timeout 1 should be bigger than retry timeout 5',
    );
    expect(await engine.getStatus('wait-5')).to.not.equal(undefined);
  });

  it('restart: a new id by default, the same id with restartWithNewInstanceId=false, 409 while running, 400 when unknown', async () => {
    await start('Quick', 'rs-1', { r: 1 });
    await engine.waitForInstance('rs-1');
    const res = await post(`${api}instances/rs-1/restart`);
    expect(res.status).to.equal(202);
    const links = (await res.json()) as { id: string; statusQueryGetUri: string };
    expect(links.id).to.not.equal('rs-1');
    expect((await engine.waitForInstance(links.id)).output).to.deep.equal({ r: 1, stamped: true });

    const same = await post(
      `${api}instances/rs-1/restart?restartWithNewInstanceId=false&timeout=20&pollingInterval=0.05`,
    );
    expect(same.status).to.equal(200);
    expect(await same.json()).to.deep.equal({ r: 1, stamped: true });

    await start('Approval', 'rs-2');
    expect((await post(`${api}instances/rs-2/restart?restartWithNewInstanceId=false`)).status).to.equal(409);
    expect((await post(`${api}instances/rs-ghost/restart`)).status).to.equal(400);
  });

  it('rewind: 404 unknown, 412 unless Failed (also through the client), 202 for a Failed instance that then completes', async () => {
    await start('Approval', 'rw-run');
    expect((await post(`${api}instances/rw-ghost/rewind`)).status).to.equal(404);
    const running = await post(`${rpc}instances/rw-run/rewind?reason=x`);
    expect(running.status).to.equal(412);
    expect(((await running.json()) as { Message: string }).Message).to.include(
      'only orchestrations in the "Failed" state can be rewound',
    );

    await start('Flaky', 'rw-1');
    expect((await engine.waitForInstance('rw-1')).runtimeStatus).to.equal('Failed');
    expect((await post(`${api}instances/rw-1/rewind?reason=again`)).status).to.equal(202);
    expect((await engine.waitForInstance('rw-1', ['Completed'])).output).to.equal(2);
  });

  it('purging a running instance is 412; a finished one 200', async () => {
    await start('Approval', 'pg-1');
    expect((await fetch(`${api}instances/pg-1`, { method: 'DELETE' })).status).to.equal(412);
    await post(`${api}instances/pg-1/terminate?reason=done`);
    await engine.waitForInstance('pg-1');
    const purged = await fetch(`${api}instances/pg-1`, { method: 'DELETE' });
    expect(purged.status).to.equal(200);
    expect(await purged.json()).to.deep.equal({ instancesDeleted: 1 });
  });

  it('URL-encodes the instance id in links the way WebUtility.UrlEncode does, and the links work', async () => {
    const id = 'order 7&x=y+z';
    const res = await post(`${api}orchestrators/Approval/${encodeURIComponent(id)}`, '{}');
    expect(res.status).to.equal(202);
    const links = (await res.json()) as { id: string; statusQueryGetUri: string; sendEventPostUri: string };
    expect(links.id).to.equal(id);
    expect(links.statusQueryGetUri).to.equal(
      `${host.url}/runtime/webhooks/durabletask/instances/order+7%26x%3Dy%2Bz?taskHub=HostSampleHub&connection=Storage`,
    );
    const status = await fetch(links.statusQueryGetUri);
    expect(status.status).to.equal(202);
    expect(((await status.json()) as { instanceId: string }).instanceId).to.equal(id);
    expect((await post(links.sendEventPostUri.replace('{eventName}', 'Approve'), '"yes"')).status).to.equal(202);
    expect((await engine.waitForInstance(id)).output).to.deep.equal({ decision: 'yes', input: {}, stamped: true });
  });

  it('entities/: signal (POST, DELETE, the client), read (GET, the client) and list, one operation at a time', async () => {
    for (let i = 0; i < 3; i++) expect((await post(`${api}entities/Counter/e-1?op=count`)).status).to.equal(202);
    expect((await fetch(`${api}entities/Counter/e-1`, { method: 'DELETE' })).status).to.equal(202);
    expect((await post(`${host.url}/api/client/signalEntity/e-1`)).status).to.equal(202);
    expect((await post(`${rpc}entities/counter/$?op=count`, '5')).status).to.equal(202);
    await engine.whenIdle();
    const read = await fetch(`${api}entities/counter/e-1`);
    expect(read.status).to.equal(200);
    expect(await read.json()).to.equal(5);
    expect(await (await fetch(`${host.url}/api/client/readEntity/e-1`)).json()).to.deep.equal({
      entityExists: true,
      entityState: 5,
    });
    expect(await (await fetch(`${api}entities/counter/$`)).json()).to.equal(1);
    expect((await fetch(`${api}entities/counter/never`)).status).to.equal(404);
    expect(await (await fetch(`${host.url}/api/client/readEntity/never`)).json()).to.deep.equal({
      entityExists: false,
    });

    const listed = await fetch(`${api}entities/Counter?fetchState=true`);
    expect(listed.headers.get('x-ms-continuation-token')).to.equal('');
    const items = (await listed.json()) as {
      entityId: { name: string; key: string };
      state: unknown;
      lastOperationTime: string;
    }[];
    expect(items.map((e) => [e.entityId, e.state])).to.deep.equal([
      [{ name: 'counter', key: '' }, 1],
      [{ name: 'counter', key: 'e-1' }, 5],
    ]);
    expect(items[0]?.lastOperationTime).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect((await post(`${api}entities/NoSuch/k?op=x`)).status).to.equal(400);
    expect((await post(`${api}entities/Counter/e-1?op=count`, '{bad')).status).to.equal(400);
  });
});
