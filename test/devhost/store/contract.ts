/**
 * The behaviour every TaskHubStore must share, written once and run against each implementation.
 */
import { expect } from 'chai';
import {
  EventType,
  historyEvent,
  type HistoryEvent,
  type ActivityMessage,
  type EventMessage,
  type InstanceRecord,
  type Message,
  type TaskHubStore,
} from '@saga/devhost/engine';

const T0 = Date.parse('2030-01-01T00:00:00Z');

export function instance(instanceId: string, fields: Partial<InstanceRecord> = {}): InstanceRecord {
  return {
    instanceId,
    name: 'saga',
    executionId: 'exec-1',
    runtimeStatus: 'Running',
    input: '{"n":1}',
    createdTime: new Date(T0).toISOString(),
    lastUpdatedTime: new Date(T0).toISOString(),
    hiddenIds: [],
    retries: {},
    canceledTimers: [],
    ...fields,
  } as InstanceRecord;
}

export function event(i: number, fields: Record<string, unknown> = {}): HistoryEvent {
  return historyEvent(
    EventType.TaskCompleted,
    new Date(T0 + i),
    { TaskScheduledId: i, Result: JSON.stringify(i), ...fields },
    i,
  );
}

export function eventMessage(
  instanceId: string,
  id: string,
  dueAt: number,
  seq: number,
  executionId: string | null = 'exec-1',
): EventMessage {
  return {
    kind: 'event',
    id,
    instanceId,
    ...(executionId ? { executionId } : {}),
    dueAt,
    seq,
    event: historyEvent(EventType.EventRaised, new Date(dueAt), { Name: id, Input: '"x"' }),
  };
}

export function activityMessage(instanceId: string, id: string, dueAt = T0): ActivityMessage {
  return {
    kind: 'activity',
    id,
    instanceId,
    executionId: 'exec-1',
    taskId: 3,
    name: 'charge',
    input: '{"amount":10}',
    dueAt,
    seq: 1,
  };
}

const withoutEtag = <T extends { etag?: string }>(v: T): Omit<T, 'etag'> => {
  const { etag: _etag, ...rest } = v;
  return rest;
};

async function create(store: TaskHubStore, record: InstanceRecord, messages: Message[] = []): Promise<InstanceRecord> {
  expect(await store.putInstance(record, messages, true)).to.equal(true);
  const stored = await store.getInstance(record.instanceId);
  if (!stored) throw new Error('instance not stored');
  return stored;
}

export function taskHubStoreContract(makeStore: () => Promise<TaskHubStore>): void {
  let store: TaskHubStore;
  beforeEach(async () => {
    store = await makeStore();
  });

  it('creates an instance once, returns it with an etag and lists it', async () => {
    const record = instance('order/42#a', { input: JSON.stringify({ text: 'héllo ✓' }) });
    const stored = await create(store, record);
    expect(withoutEtag(stored)).to.deep.equal(record);
    expect(stored.etag).to.be.a('string');
    expect(await store.putInstance(record, [], true)).to.equal(false);
    expect((await store.listInstances()).map((r) => r.instanceId)).to.deep.equal(['order/42#a']);
    expect(await store.getInstance('missing')).to.equal(undefined);
  });

  it('replaces an instance only with the etag it read', async () => {
    const stored = await create(store, instance('a'));
    expect(await store.putInstance({ ...stored, runtimeStatus: 'Pending', etag: 'W/"stale"' }, [], true)).to.equal(
      false,
    );
    expect(await store.putInstance({ ...stored, runtimeStatus: 'Pending' }, [], true)).to.equal(true);
    expect((await store.getInstance('a'))?.runtimeStatus).to.equal('Pending');
    expect(await store.putInstance({ ...stored, runtimeStatus: 'Completed' }, [], true)).to.equal(false);
  });

  it('refuses a commit with a stale etag and leaves history and messages as they were', async () => {
    const first = await create(store, instance('a'), [eventMessage('a', 'm1', T0, 1)]);
    expect(await store.commitEpisode({ instance: first, append: [event(0)], consumed: ['m1'], send: [] })).to.equal(
      true,
    );
    expect(
      await store.commitEpisode({
        instance: { ...first, runtimeStatus: 'Failed' },
        append: [event(1)],
        consumed: [],
        send: [eventMessage('a', 'm2', T0, 2)],
      }),
    ).to.equal(false);
    expect(
      await store.commitEpisode({
        instance: instance('nobody', { etag: first.etag }),
        append: [],
        consumed: [],
        send: [],
      }),
    ).to.equal(false);

    expect((await store.getInstance('a'))?.runtimeStatus).to.equal('Running');
    expect(await store.loadHistory('a', 'exec-1')).to.deep.equal([event(0)]);
    expect(await store.dueMessages(T0)).to.deep.equal([]);
  });

  it('appends history in order across commits and acknowledges consumed messages with it', async () => {
    let record = await create(store, instance('a'), [eventMessage('a', 'm1', T0, 1), eventMessage('a', 'm2', T0, 2)]);
    for (let i = 0; i < 3; i++) {
      const consumed = i === 0 ? ['m1', 'm2'] : [];
      expect(
        await store.commitEpisode({
          instance: { ...record, customStatus: `"step ${i}"` },
          append: [event(2 * i), event(2 * i + 1)],
          consumed,
          send: [],
        }),
      ).to.equal(true);
      record = (await store.getInstance('a'))!;
    }
    expect(record.customStatus).to.equal('"step 2"');
    expect(await store.loadHistory('a', 'exec-1')).to.deep.equal([0, 1, 2, 3, 4, 5].map((i) => event(i)));
    expect(await store.loadHistory('a', 'exec-0')).to.deep.equal([]);
    expect(await store.dueMessages(T0)).to.deep.equal([]);
  });

  it('round-trips an event, an input and a message larger than the 64 KB property limit', async () => {
    const big = 'x'.repeat(70_000) + 'é'.repeat(70_000);
    const record = await create(store, instance('big', { input: JSON.stringify(big) }));
    const large = event(0, { Result: JSON.stringify(big) });
    const message = eventMessage('big', 'm-big', T0, 1);
    message.event.Input = JSON.stringify(big);
    expect(await store.commitEpisode({ instance: record, append: [large], consumed: [], send: [message] })).to.equal(
      true,
    );
    expect((await store.getInstance('big'))?.input).to.equal(JSON.stringify(big));
    expect(await store.loadHistory('big', 'exec-1')).to.deep.equal([large]);
    expect(await store.dueMessages(T0)).to.deep.equal([message]);
  });

  it('keeps a 300-event history, written in one commit that consumes 150 messages, in order', async () => {
    const inbox = Array.from({ length: 150 }, (_, i) => eventMessage('long', `in-${i}`, T0, i));
    const record = await create(store, instance('long'), inbox);
    const events = Array.from({ length: 300 }, (_, i) => event(i, { Result: JSON.stringify('r'.repeat(500)) }));
    const outbox = Array.from({ length: 120 }, (_, i) => activityMessage('long', `act-${i}`, T0 + 1000));
    expect(
      await store.commitEpisode({ instance: record, append: events, consumed: inbox.map((m) => m.id), send: outbox }),
    ).to.equal(true);

    expect(await store.loadHistory('long', 'exec-1')).to.deep.equal(events);
    expect(await store.dueMessages(T0)).to.deep.equal([]);
    expect((await store.dueMessages(T0 + 1000)).map((m) => m.id).sort()).to.deep.equal(outbox.map((m) => m.id).sort());

    const next = (await store.getInstance('long'))!;
    expect(await store.commitEpisode({ instance: next, append: [event(300)], consumed: [], send: [] })).to.equal(true);
    expect(await store.loadHistory('long', 'exec-1')).to.have.length(301);
  });

  it('starts the history afresh on replaceHistory (continue-as-new)', async () => {
    const record = await create(store, instance('a'));
    expect(
      await store.commitEpisode({ instance: record, append: [event(0), event(1)], consumed: [], send: [] }),
    ).to.equal(true);
    const current = (await store.getInstance('a'))!;
    expect(
      await store.commitEpisode({
        instance: { ...current, executionId: 'exec-2' },
        append: [event(7)],
        replaceHistory: true,
        consumed: [],
        send: [],
      }),
    ).to.equal(true);
    expect(await store.loadHistory('a', 'exec-2')).to.deep.equal([event(7)]);
    expect(await store.loadHistory('a', 'exec-1')).to.deep.equal([]);
  });

  it('delivers due messages ordered by dueAt then seq, and tells when the next one is due', async () => {
    await create(store, instance('a'));
    await create(store, instance('b'));
    await store.putMessages([
      eventMessage('a', 'late', T0 + 5000, 1),
      eventMessage('b', 'second', T0 + 10, 2),
      eventMessage('a', 'first', T0 + 10, 1),
      eventMessage('b', 'zeroth', T0, 9),
      eventMessage('a', 'later', T0 + 9000, 0),
      eventMessage('ghost', 'lost', T0, 0),
    ]);
    expect((await store.dueMessages(T0 + 10)).map((m) => m.id)).to.deep.equal(['zeroth', 'first', 'second']);
    expect((await store.dueMessages(T0 + 10, 2)).map((m) => m.id)).to.deep.equal(['zeroth', 'first']);
    expect(await store.nextDueAt(T0 + 10)).to.equal(T0 + 5000);
    expect(await store.nextDueAt(T0 + 5000)).to.equal(T0 + 9000);
    expect(await store.nextDueAt(T0 + 9000)).to.equal(undefined);

    await store.deleteMessage('b', 'zeroth');
    await store.putMessages([eventMessage('a', 'first', T0 + 20, 1)]);
    expect((await store.dueMessages(T0 + 20)).map((m) => m.id)).to.deep.equal(['second', 'first']);
  });

  it('moves a replaced message to its new due time and forgets a deleted one, whatever order times are asked in', async () => {
    await create(store, instance('a'), [eventMessage('a', 'x', T0, 1), eventMessage('a', 'y', T0 + 50, 2)]);
    expect((await store.dueMessages(T0 + 100)).map((m) => m.id)).to.deep.equal(['x', 'y']);
    await store.putMessages([eventMessage('a', 'x', T0 + 1000, 3)]);
    expect(
      (await store.dueMessages(T0 + 100)).map((m) => m.id),
      'x now falls due later',
    ).to.deep.equal(['y']);
    expect(
      (await store.dueMessages(T0 + 10)).map((m) => m.id),
      'an earlier look',
    ).to.deep.equal([]);
    expect(await store.nextDueAt(T0 + 10)).to.equal(T0 + 50);
    expect(await store.nextDueAt(T0 + 100)).to.equal(T0 + 1000);
    await store.deleteMessage('a', 'x');
    expect(await store.nextDueAt(T0 + 100)).to.equal(undefined);
    expect((await store.dueMessages(T0 + 2000)).map((m) => m.id)).to.deep.equal(['y']);
  });

  it('leases an activity to one owner at a time until the lease runs out', async () => {
    await create(store, instance('a'), [activityMessage('a', 'act'), eventMessage('a', 'ev', T0, 2)]);
    const [act] = (await store.dueMessages(T0)).filter((m): m is ActivityMessage => m.kind === 'activity');
    const until = Date.now() + 60_000;
    expect(await store.leaseActivity(act!, 'owner-1', until)).to.equal(true);
    expect(await store.leaseActivity(act!, 'owner-2', until)).to.equal(false);
    expect(await store.leaseActivity(act!, 'owner-1', until + 1)).to.equal(true);
    const leased = (await store.dueMessages(T0)).find((m) => m.id === 'act') as ActivityMessage;
    expect([leased.leaseOwner, leased.leaseUntil]).to.deep.equal(['owner-1', until + 1]);

    expect(await store.leaseActivity(act!, 'owner-1', Date.now() - 1)).to.equal(true);
    expect(await store.leaseActivity(act!, 'owner-2', until)).to.equal(true);
    expect(await store.leaseActivity(activityMessage('a', 'ev'), 'owner-2', until)).to.equal(false);
    expect(await store.leaseActivity(activityMessage('a', 'gone'), 'owner-2', until)).to.equal(false);
  });

  it('lets exactly one of two concurrent owners take a free activity', async () => {
    await create(store, instance('a'), [activityMessage('a', 'act')]);
    const results = await Promise.all(
      ['x', 'y', 'z'].map((owner) => store.leaseActivity(activityMessage('a', 'act'), owner, Date.now() + 60_000)),
    );
    expect(results.filter(Boolean)).to.have.length(1);
  });

  it('purges an instance with its history and messages', async () => {
    const record = await create(store, instance('a'), [eventMessage('a', 'm1', T0, 1)]);
    await create(store, instance('b'), [eventMessage('b', 'keep', T0, 1)]);
    expect(await store.commitEpisode({ instance: record, append: [event(0)], consumed: [], send: [] })).to.equal(true);

    expect(await store.purge('a')).to.equal(true);
    expect(await store.purge('a')).to.equal(false);
    expect(await store.getInstance('a')).to.equal(undefined);
    expect(await store.loadHistory('a', 'exec-1')).to.deep.equal([]);
    await store.putMessages([eventMessage('a', 'after', T0, 2)]);
    expect((await store.dueMessages(T0)).map((m) => m.id)).to.deep.equal(['keep']);

    await create(store, instance('a'));
    expect(await store.loadHistory('a', 'exec-1')).to.deep.equal([]);
  });

  it('drops pending messages, keeping those of the given execution and execution-less ones', async () => {
    await create(store, instance('a', { executionId: 'exec-2' }), [
      eventMessage('a', 'old', T0, 1, 'exec-1'),
      eventMessage('a', 'current', T0, 2, 'exec-2'),
      eventMessage('a', 'raised', T0, 3, null),
    ]);
    await store.dropMessages('a', 'exec-2');
    expect((await store.dueMessages(T0)).map((m) => m.id)).to.deep.equal(['current', 'raised']);
    await store.dropMessages('a');
    expect(await store.dueMessages(T0)).to.deep.equal([]);
  });
}
