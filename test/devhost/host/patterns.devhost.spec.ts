/**
 * The Durable patterns the official samples-js app shows (chaining, fan-out/fan-in, human
 * interaction, monitor, entities, sub-orchestrations, callHttp with 202 polling), run by the devhost
 * CLI as a child process on Azurite, started and observed over HTTP only; then a SIGKILL that the
 * entity state and a waiting orchestration survive. Needs the compiled CLI (npm run build).
 */
import * as chai from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startProcessHost, type ProcessHost } from '@saga/devhost';
import { type AzuriteServers, startAzurite } from '@saga/devhost/localstack';

const { expect } = chai;
const APP = path.join(__dirname, '..', 'apps', 'patterns');

interface Links {
  id: string;
  statusQueryGetUri: string;
  sendEventPostUri: string;
}
interface Status {
  runtimeStatus: string;
  output: unknown;
  customStatus: unknown;
}

describe('devhost CLI runs the Durable patterns of the official samples (patterns app, Azurite)', function () {
  this.timeout(120_000);
  let dir: string;
  let azurite: AzuriteServers;
  let host: ProcessHost;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'devhost-patterns-'));
    azurite = await startAzurite({ location: path.join(dir, 'azurite') });
    host = await startProcessHost({
      appDir: APP,
      storage: azurite.connectionString,
      env: { DEVHOST_QUIET: '1' },
      activityLeaseSeconds: 5,
    });
  });
  after(async () => {
    await host?.stop();
    await azurite?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(name: string, input?: unknown, id?: string): Promise<Links> {
    const res = await fetch(`${host.url}/api/orchestrators/${name}${id ? `/${id}` : ''}`, {
      method: 'POST',
      body: input === undefined ? '' : JSON.stringify(input),
    });
    expect(res.status, await res.clone().text()).to.equal(202);
    return (await res.json()) as Links;
  }
  /** Follows statusQueryGetUri until the answer is no longer 202 (the mocha timeout bounds the wait). */
  async function finished(links: Links): Promise<Status> {
    for (;;) {
      const res = await fetch(links.statusQueryGetUri);
      if (res.status !== 202) return (await res.json()) as Status;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
    for (;;) {
      const v = await read();
      if (ok(v)) return v;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const counter = async (key: string): Promise<{ entityExists: boolean; entityState?: number }> =>
    (await fetch(`${host.url}/api/counter/${key}`)).json() as Promise<{ entityExists: boolean; entityState?: number }>;

  it('function chaining', async () => {
    expect(await finished(await start('HelloSequence')))
      .to.include({ runtimeStatus: 'Completed' })
      .and.have.deep.property('output', ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
  });

  it('fan-out / fan-in', async () => {
    expect((await finished(await start('FanOutFanIn', 10))).output).to.equal(385);
  });

  it('human interaction: the approval event wins, or the timeout does', async () => {
    const approved = await start('Approval', { timeoutSeconds: 300 });
    await until(
      async () => (await fetch(approved.statusQueryGetUri)).json() as Promise<Status>,
      (s) => s.runtimeStatus === 'Running',
    );
    const raised = await fetch(approved.sendEventPostUri.replace('{eventName}', 'Approval'), {
      method: 'POST',
      body: '"by Ann"',
      headers: { 'content-type': 'application/json' },
    });
    expect(raised.status).to.equal(202);
    expect((await finished(approved)).output).to.deep.equal({ approved: 'by Ann' });
    expect((await finished(await start('Approval', { timeoutSeconds: 1 }))).output).to.deep.equal({
      approved: false,
      reason: 'timed out',
    });
  });

  it('monitor: checks on a timer until the job is done', async () => {
    const status = await finished(await start('Monitor'));
    expect(status.output).to.deep.equal({ checks: 3 });
    expect(status.customStatus).to.deep.equal({ checks: 3, status: 'done' });
  });

  it('sub-orchestrations, with an explicit and a generated instance id', async () => {
    const links = await start('Parent', undefined, 'parent-1');
    expect((await finished(links)).output).to.deep.equal(['Hello Paris!', 'Hello Rome!', 'Hello Oslo!']);
    const child = await fetch(`${host.url}/runtime/webhooks/durabletask/instances/parent-1:a`);
    expect(((await child.json()) as Status).runtimeStatus).to.equal('Completed');
  });

  it('entities: signals and a call from an orchestration, state read through the client', async () => {
    expect((await finished(await start('CounterUser', 'k1'))).output).to.equal(15);
    expect(await counter('k1')).to.deep.equal({ entityExists: true, entityState: 15 });
  });

  it('callHttp follows the 202 Location / Retry-After pattern to the final answer', async () => {
    const status = await finished(await start('HttpPoll', { url: `${host.url}/api/slowjob/job-1` }));
    expect(status).to.include({ runtimeStatus: 'Completed' });
    expect(status.output).to.deep.equal({ statusCode: 200, body: { done: true, polls: 3 } });
  });

  it('callHttp with a managed-identity token source fails the instance, saying why', async () => {
    const status = await finished(await start('HttpWithIdentity', { url: `${host.url}/api/slowjob/job-2` }));
    expect(status.runtimeStatus).to.equal('Failed');
    expect(String(status.output)).to.include(
      "callHttp with a managed-identity token source (resource 'https://management.core.windows.net/.default') is not supported by the devhost",
    );
  });

  it('entity state and a waiting orchestration survive a SIGKILL of the host', async () => {
    expect((await fetch(`${host.url}/api/counter/k2?by=7`, { method: 'POST' })).status).to.equal(202);
    await until(
      () => counter('k2'),
      (c) => c.entityState === 7,
    );
    const waiting = await start('Approval', { timeoutSeconds: 600 }, 'survivor');
    await until(
      async () => (await fetch(waiting.statusQueryGetUri)).json() as Promise<Status>,
      (s) => s.runtimeStatus === 'Running',
    );
    await host.kill();
    await host.restart();
    expect(await counter('k2')).to.deep.equal({ entityExists: true, entityState: 7 });
    expect((await fetch(`${host.url}/api/counter/k2?by=1`, { method: 'POST' })).status).to.equal(202);
    await until(
      () => counter('k2'),
      (c) => c.entityState === 8,
    );
    expect(
      (
        await fetch(waiting.sendEventPostUri.replace('{eventName}', 'Approval'), {
          method: 'POST',
          body: 'true',
          headers: { 'content-type': 'application/json' },
        })
      ).status,
    ).to.equal(202);
    expect((await finished(waiting)).output).to.deep.equal({ approved: true });
  });
});

describe('devhost CLI with an app that asks for HTTP streams', function () {
  this.timeout(60_000);
  let host: ProcessHost;
  after(async () => {
    await host?.stop();
  });

  it('warns at startup and answers 501 naming the feature instead of hanging', async () => {
    host = await startProcessHost({
      appDir: path.join(__dirname, '..', 'apps', 'http-stream'),
      storage: 'memory',
      env: {},
    });
    expect(host.output()).to.include('app.setup({ enableHttpStream: true }) is not supported by the devhost');
    const res = await fetch(`${host.url}/api/Hello`);
    expect(res.status).to.equal(501);
    expect(((await res.json()) as { Message: string }).Message).to.include(
      'the host proxies each HTTP request to the worker as a stream',
    );
  });
});
