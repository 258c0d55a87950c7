import { expect } from 'chai';
import path from 'node:path';
import { createTestHost, type TestHost } from '@saga/devhost/testkit';
import { EventType, ActionType } from '@saga/devhost/engine';
import { applyActions } from '@saga/devhost/internals';

const APP = path.join(__dirname, '../apps/engine-sample/index.ts');

describe('durable engine: entities through the real durable-functions SDK', () => {
  let host: TestHost;
  before(async () => {
    host = await createTestHost({ app: APP });
  });
  after(async () => {
    await host.close();
  });
  const entities = () => host.engine.entities!;

  it('runs signals and calls in the order they were sent; a failed operation fails only its call', async () => {
    const r = await host.run('TallyUp', 'a');
    expect(r.status).to.equal('Completed');
    expect(r.output).to.deep.equal({ afterCall: 7, failure: 'caught', got: 7 });
    const sent = r.history.filter((e) => e.EventType === EventType.EventSent);
    expect(sent.map((e) => [e.EventId, e.InstanceId])).to.deep.equal([
      [0, '@tally@a'],
      [1, '@tally@a'],
      [2, '@tally@a'],
      [3, '@tally@a'],
    ]);
    expect(await entities().readEntityState({ name: 'tally', key: 'a' })).to.deep.equal({ exists: true, state: 7 });
  });

  it('runs the operations on one entity one at a time: 20 concurrent calls see 1..20', async () => {
    const r = await host.run('TallyFanIn', 'fan');
    expect(r.status).to.equal('Completed');
    expect([...(r.output as number[])].sort((x, y) => x - y)).to.deep.equal(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    expect((await entities().readEntityState({ name: 'Tally', key: 'fan' })).state).to.equal(20);
  });

  it('signals from the client, from an entity to another, and lists entities with their state', async () => {
    await entities().signalEntity({ name: 'Tally', key: 'src' }, 'add', 3);
    await entities().signalEntity({ name: 'Tally', key: 'src' }, 'forward', 'dst');
    await host.engine.whenIdle();
    expect(await entities().readEntityState({ name: 'tally', key: 'dst' })).to.deep.equal({ exists: true, state: 3 });
    const listed = await entities().listEntities({ name: 'Tally', fetchState: true });
    expect(listed.items.map((e) => [e.entityId.key, e.state])).to.deep.include.members([
      ['dst', 3],
      ['src', 3],
    ]);
    expect(listed.items.every((e) => e.entityId.name === 'tally')).to.equal(true);

    await entities().signalEntity({ name: 'Tally', key: 'dst' }, 'reset', undefined);
    await host.engine.whenIdle();
    expect(await entities().readEntityState({ name: 'tally', key: 'dst' })).to.deep.equal({ exists: false });
    expect(
      (await entities().listEntities({ name: 'tally', fetchState: false })).items.map((e) => e.entityId.key),
    ).to.not.include('dst');
    expect((await host.engine.list({})).items.some((i) => i.instanceId.startsWith('@'))).to.equal(false);
  });

  it('fails an orchestration that calls an entity the app does not register, naming it', async () => {
    const r = await host.run('CallsMissingEntity');
    expect(r.status).to.equal('Failed');
    expect(r.output).to.equal(
      "Orchestrator function 'CallsMissingEntity' failed: The function 'nosuchentity' doesn't exist, is disabled, or is not an entity function. Additional info: The following are the known entity functions: 'Tally'.",
    );
    let error: unknown;
    await entities()
      .signalEntity({ name: 'NoSuchEntity', key: 'k' }, 'x', 1)
      .catch((e: unknown) => {
        error = e;
      });
    expect(String(error)).to.include("The function 'NoSuchEntity' doesn't exist");
  });

  it('fails an orchestration that takes entity locks, as Azure does, instead of hanging', async () => {
    const r = await host.run('Locker');
    expect(r.status).to.equal('Failed');
    // As in Azure: the extension offers schema V3 at most, so the SDK itself refuses.
    expect(String(r.output)).to.include('lock requires a Durable Functions extension that supports OOProc schema V4');
  });
});

describe('durable engine: scheduled entity signals (action 10, which the extension accepts)', () => {
  it('delivers the signal at fireAt', () => {
    const now = new Date('2030-01-01T00:00:00Z');
    const record = {
      instanceId: 'o-1',
      name: 'O',
      executionId: 'x-1',
      runtimeStatus: 'Running' as const,
      input: 'null',
      createdTime: now.toISOString(),
      lastUpdatedTime: now.toISOString(),
      hiddenIds: [],
      retries: {},
      canceledTimers: [],
    };
    const fireAt = '2030-01-01T01:00:00.000Z';
    const work = applyActions({
      record,
      index: { scheduled: new Map(), completed: new Set() },
      allocating: [],
      threw: false,
      now,
      seq: () => 1,
      actions: [
        {
          actionType: ActionType.ScheduledSignalEntity,
          instanceId: '@tally@later',
          operation: 'add',
          input: 1,
          fireAt,
        },
      ],
    });
    expect(work.failure).to.equal(undefined);
    expect(work.events.map((e) => [e.EventType, e.EventId, e.InstanceId])).to.deep.equal([
      [EventType.EventSent, 0, '@tally@later'],
    ]);
    expect(work.send.map((m) => [m.instanceId, m.dueAt])).to.deep.equal([['@tally@later', Date.parse(fireAt)]]);
  });
});
