import { expect } from 'chai';
import { TableTaskHubStore, type ActivityMessage } from '@saga/devhost/engine';
import { activityMessage, event, eventMessage, instance } from './contract';
import { proxiedAzurite } from './cutProxy';

const T0 = Date.parse('2030-01-01T00:00:00Z');

/**
 * The table store's in-process wake: what it wrote, answered without a request, and only a hint.
 * An episode reads its messages from the table and an activity is leased with the ETag of the
 * write, so a message another store on the hub consumed or leased is never handed out again.
 */
describe('TableTaskHubStore in-process wake', () => {
  const servers = proxiedAzurite();
  let hub = 0;

  const open = (name: string, wake = true): Promise<TableTaskHubStore> =>
    TableTaskHubStore.create({ connectionString: servers.proxy.connectionString, taskHubName: name, wake });

  it('remembers the messages it wrote until it consumes them, and when the next one falls due', async () => {
    const store = await open(`written${++hub}`);
    const messages = [
      eventMessage('i', 'm1', T0, 1),
      eventMessage('i', 'later', T0 + 5000, 2),
      activityMessage('i', 'act'),
    ];
    expect(await store.putInstance(instance('i'), messages, true)).to.equal(true);

    servers.proxy.takeCounts();
    const written = store.writtenWork(T0)!;
    expect(servers.proxy.takeCounts(), 'answered from memory').to.deep.equal({ reads: 0, writes: 0 });
    expect([...written.instances]).to.deep.equal([['i', ['m1']]]);
    expect(written.activities.map((m) => m.id)).to.deep.equal(['act']);
    expect(written.nextDueAt).to.equal(T0 + 5000);

    const work = await store.readInstanceWork('i', T0);
    expect(work.record?.instanceId).to.equal('i');
    expect(
      work.messages.map((m) => m.id),
      'due events only, read from the table',
    ).to.deep.equal(['m1']);
    expect(
      await store.commitEpisode({ instance: work.record!, append: [event(0)], consumed: ['m1'], send: [] }),
    ).to.equal(true);
    expect([...store.writtenWork(T0)!.instances]).to.deep.equal([]);

    await store.putMessages([eventMessage('i', 'm2', T0, 3)]);
    expect([...store.writtenWork(T0 + 5000)!.instances]).to.deep.equal([['i', ['m2', 'later']]]);
    await store.deleteMessage('i', 'later');
    expect([...store.writtenWork(T0 + 5000)!.instances]).to.deep.equal([['i', ['m2']]]);

    const off = await open(`written${++hub}`, false);
    expect(await off.putInstance(instance('i'), messages, true)).to.equal(true);
    expect(off.writtenWork(T0), 'wake off: the scheduler scans').to.equal(undefined);
  });

  it('reads an instance with its due messages in one request and leases an activity it wrote without a read', async () => {
    const store = await open(`written${++hub}`);
    expect(
      await store.putInstance(instance('i'), [eventMessage('i', 'm1', T0, 1), activityMessage('i', 'act')], true),
    ).to.equal(true);
    servers.proxy.takeCounts();
    expect((await store.readInstanceWork('i', T0)).messages.map((m) => m.id)).to.deep.equal(['m1']);
    expect(servers.proxy.takeCounts()).to.deep.equal({ reads: 1, writes: 0 });
    const [act] = store.writtenWork(T0)!.activities;
    expect(await store.leaseActivity(act!, 'owner-1', Date.now() + 60_000)).to.equal(true);
    expect(servers.proxy.takeCounts(), 'leased with the ETag of the write').to.deep.equal({ reads: 0, writes: 1 });
  });

  it('never hands out again a message that another store on the hub consumed or leased, and forgets it', async () => {
    const name = `written${++hub}`;
    const a = await open(name);
    const b = await open(name);
    expect(
      await a.putInstance(instance('i'), [eventMessage('i', 'm1', T0, 1), activityMessage('i', 'act')], true),
    ).to.equal(true);
    const seenByB = (await b.getInstance('i'))!;
    expect(await b.commitEpisode({ instance: seenByB, append: [event(0)], consumed: ['m1'], send: [] })).to.equal(true);
    const [scanned] = (await b.dueMessages(T0)).filter((m): m is ActivityMessage => m.kind === 'activity');
    expect(await b.leaseActivity(scanned!, 'owner-b', Date.now() + 60_000)).to.equal(true);

    const hint = a.writtenWork(T0)!;
    expect([...hint.instances], 'a still remembers writing them').to.deep.equal([['i', ['m1']]]);
    const work = await a.readInstanceWork('i', T0);
    expect(work.messages, 'b consumed m1').to.deep.equal([]);
    expect(work.record?.etag, 'the record as b committed it').to.equal((await b.getInstance('i'))?.etag);
    expect(await a.leaseActivity(hint.activities[0]!, 'owner-a', Date.now() + 60_000), 'b holds it').to.equal(false);

    const after = a.writtenWork(T0)!;
    expect([...after.instances]).to.deep.equal([]);
    expect(after.activities).to.deep.equal([]);
    expect(
      (await a.dueMessages(T0)).map((m) => m.id),
      'the scan still sees the leased activity',
    ).to.deep.equal(['act']);
  });
});
