import { expect, use } from 'chai';
import chaiAsPromised from 'chai-as-promised';
import path from 'node:path';
import { createTestHost, type TestHost } from '@saga/devhost/testkit';
import { InstanceExistsError } from '@saga/devhost/engine';

use(chaiAsPromised);
const APP = path.join(__dirname, '../apps/engine-sample/index.ts');
// Loaded through the kit (after the @azure/functions-core stand-in is installed), never imported statically.
const setVariant = (v: 'A' | 'B'): void => (require(APP) as { setVariant(v: 'A' | 'B'): void }).setVariant(v);

describe('durable engine: instance management', () => {
  let host: TestHost;
  before(async () => {
    host = await createTestHost({ app: APP });
  });
  after(async () => {
    setVariant('A');
    await host.close();
  });

  it('terminates a waiting instance with the reason as output, and refuses a second terminate', async () => {
    await host.run('Staged', undefined, { instanceId: 'term-1' });
    expect(await host.engine.terminate('term-1', 'no longer needed')).to.equal('accepted');
    await host.engine.whenIdle();
    expect(await host.status('term-1')).to.deep.include({ runtimeStatus: 'Terminated', output: 'no longer needed' });
    expect(await host.engine.terminate('term-1', 'again')).to.equal('gone');
    expect(await host.engine.terminate('nobody', 'x')).to.equal('notFound');
  });

  it('holds events while suspended and processes them after resume', async () => {
    await host.run('Staged', undefined, { instanceId: 'susp-1' });
    await host.engine.suspend('susp-1', 'maintenance');
    await host.engine.whenIdle();
    await host.engine.raiseEvent('susp-1', 'Go', 'later');
    await host.engine.whenIdle();
    expect((await host.status('susp-1'))?.runtimeStatus).to.equal('Suspended');
    await host.engine.resume('susp-1', 'done');
    await host.engine.whenIdle();
    expect(await host.status('susp-1')).to.deep.include({ runtimeStatus: 'Completed', output: 'later' });
  });

  it('rejects startNew for a running id and restarts a completed one as a new execution', async () => {
    await host.run('Staged', undefined, { instanceId: 'dup-1' });
    await expect(host.engine.startNew('Staged', { instanceId: 'dup-1' })).to.be.rejectedWith(InstanceExistsError);
    const first = await host.run('Chain', undefined, { instanceId: 'again-1' });
    expect(first.status).to.equal('Completed');
    const second = await host.run('EarlyEvent', undefined, {
      instanceId: 'again-1',
      events: [{ at: 0, name: 'Go', data: 2 }],
    });
    expect(second.status).to.equal('Completed');
    expect(second.output).to.deep.equal({ greeting: 'Hello early', go: 2 });
  });

  it('rejects an unknown orchestrator name', async () => {
    await expect(host.engine.startNew('NoSuchThing', {})).to.be.rejectedWith(/NoSuchThing/);
  });

  it('answers raiseEvent for unknown and finished instances', async () => {
    expect(await host.engine.raiseEvent('ghost', 'Go', 1)).to.equal('notFound');
    await host.run('Chain', undefined, { instanceId: 'finished-1' });
    expect(await host.engine.raiseEvent('finished-1', 'Go', 1)).to.equal('gone');
  });

  it('shows history in the extension shape when asked', async () => {
    await host.run('Chain', undefined, { instanceId: 'hist-1' });
    const status = await host.engine.getStatus('hist-1', { showHistory: true, showHistoryOutput: true });
    const types = status?.historyEvents?.map((e) => e.EventType);
    expect(types).to.deep.equal([
      'ExecutionStarted',
      'TaskCompleted',
      'TaskCompleted',
      'TaskCompleted',
      'ExecutionCompleted',
    ]);
    expect(status?.historyEvents?.[1]).to.deep.include({ FunctionName: 'Hello', Result: 'Hello Tokyo' });
    expect(status?.historyEvents?.[0]).to.have.property('FunctionName', 'Chain');
  });

  it('lists instances with filters, top and continuation', async () => {
    const { items } = await host.engine.list({ instanceIdPrefix: 'list-' });
    expect(items).to.have.length(0);
    for (const id of ['list-a', 'list-b', 'list-c']) await host.run('Chain', undefined, { instanceId: id });
    const page1 = await host.engine.list({ instanceIdPrefix: 'list-', top: 2 });
    expect(page1.items.map((i) => i.instanceId)).to.deep.equal(['list-a', 'list-b']);
    const page2 = await host.engine.list({
      instanceIdPrefix: 'list-',
      top: 2,
      continuationToken: page1.continuationToken,
    });
    expect(page2.items.map((i) => i.instanceId)).to.deep.equal(['list-c']);
    expect(page2.continuationToken).to.equal(undefined);
    const running = await host.engine.list({ instanceIdPrefix: 'list-', runtimeStatus: ['Running'] });
    expect(running.items).to.have.length(0);
  });

  it('purges one instance and many by filter', async () => {
    await host.run('Chain', undefined, { instanceId: 'purge-1' });
    expect(await host.engine.purge('purge-1')).to.equal(1);
    expect(await host.status('purge-1')).to.equal(undefined);
    expect(await host.engine.purge('purge-1')).to.equal(0);
    await host.run('Chain', undefined, { instanceId: 'purge-2' });
    await host.run('Chain', undefined, { instanceId: 'purge-3' });
    const from = new Date(0).toISOString();
    const n = await host.engine.purgeBy({ createdTimeFrom: from, runtimeStatus: ['Completed'] });
    expect(n).to.be.greaterThanOrEqual(2);
    expect(await host.status('purge-3')).to.equal(undefined);
  });

  it("fails an instance whose code changed in a non-deterministic way with DTFx's message, naming both tasks", async () => {
    setVariant('A');
    await host.run('Versioned', undefined, { instanceId: 'nondet-1' });
    setVariant('B');
    await host.engine.raiseEvent('nondet-1', 'Go', 1);
    await host.engine.whenIdle();
    const status = await host.status('nondet-1');
    expect(status?.runtimeStatus).to.equal('Failed');
    expect(status?.output).to.equal(
      'Non-Deterministic workflow detected: A previous execution of this orchestration scheduled an activity task with sequence number 0 named ' +
        "'Hello', but the current orchestration replay instead scheduled an activity task named 'Echo' with this sequence number.  Was a change made to the " +
        'orchestrator code after this instance had already started running?',
    );
  });

  it('rewinds an instance that failed in an activity and completes it', async () => {
    const r = await host.run('FailingStep', 'rewind-key', { instanceId: 'rewind-1' });
    expect(r.status).to.equal('Failed');
    expect(await host.engine.rewind('rewind-1', 'fixed')).to.equal('accepted');
    await host.engine.whenIdle();
    expect(await host.status('rewind-1')).to.deep.include({ runtimeStatus: 'Completed', output: { attempts: 2 } });
  });

  it('declines to rewind a failure raised by the orchestrator code itself', async () => {
    await host.run('Boom', undefined, { instanceId: 'rewind-2' });
    expect(await host.engine.rewind('rewind-2')).to.equal('notSupported');
  });
});
