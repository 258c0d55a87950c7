import { expect } from 'chai';
import { TableTaskHubStore, type ActivityMessage } from '@saga/devhost/engine';
import { activityMessage, event, eventMessage, instance } from './contract';
import { proxiedAzurite } from './cutProxy';

const T0 = Date.parse('2030-01-01T00:00:00Z');

/**
 * The table store avoids reads an episode does not need: the record it was handed, a lease taken
 * with the ETag of the scan that found the message, messages this store deleted while a scan ran.
 * Counted at the HTTP layer (a proxy in front of Azurite), against the same store reading everything.
 */
describe('TableTaskHubStore reads per episode', () => {
  const servers = proxiedAzurite();
  let hub = 0;

  const open = (reuseReads = true): Promise<TableTaskHubStore> =>
    TableTaskHubStore.create({
      connectionString: servers.proxy.connectionString,
      taskHubName: `reuse${++hub}`,
      reuseReads,
    });

  /** One episode as the engine runs it: read the record, load its history with it, commit with it. */
  async function episode(store: TableTaskHubStore, n: number): Promise<{ reads: number; writes: number }> {
    servers.proxy.takeCounts();
    const record = (await store.getInstance('i'))!;
    const history = await store.loadHistory('i', record.executionId, record);
    expect(history).to.have.length(n);
    expect(
      await store.commitEpisode({
        instance: { ...record, customStatus: String(n) },
        append: [event(n)],
        consumed: [],
        send: [],
      }),
    ).to.equal(true);
    return servers.proxy.takeCounts();
  }

  it('reads the record once per episode, where reading before every use takes three', async () => {
    const store = await open();
    const before = await open(false);
    for (const s of [store, before]) expect(await s.putInstance(instance('i'), [], true)).to.equal(true);
    await episode(store, 0);
    await episode(before, 0);
    expect(await episode(store, 1)).to.deep.equal({ reads: 1, writes: 1 });
    expect(await episode(before, 1)).to.deep.equal({ reads: 3, writes: 1 });
    expect(await store.loadHistory('i', 'exec-1')).to.deep.equal([event(0), event(1)]);
  });

  it('still refuses a commit after another writer committed, and serves the history of the record held', async () => {
    const a = await open();
    const b = await TableTaskHubStore.create({
      connectionString: servers.proxy.connectionString,
      taskHubName: `reuse${hub}`,
    });
    expect(await a.putInstance(instance('i'), [], true)).to.equal(true);
    const held = (await a.getInstance('i'))!;
    expect(await a.commitEpisode({ instance: held, append: [event(0)], consumed: [], send: [] })).to.equal(true);
    const seenByA = (await a.getInstance('i'))!;

    const seenByB = (await b.getInstance('i'))!;
    expect(await b.commitEpisode({ instance: seenByB, append: [event(1)], consumed: [], send: [] })).to.equal(true);

    expect(await a.loadHistory('i', 'exec-1', seenByA), 'the history that goes with the record a holds').to.deep.equal([
      event(0),
    ]);
    expect(
      await a.commitEpisode({ instance: seenByA, append: [event(9)], consumed: [], send: [] }),
      'b committed meanwhile',
    ).to.equal(false);
    const fresh = (await a.getInstance('i'))!;
    expect(await a.loadHistory('i', 'exec-1', fresh)).to.deep.equal([event(0), event(1)]);
    expect(await a.commitEpisode({ instance: fresh, append: [event(2)], consumed: [], send: [] })).to.equal(true);
    expect(await b.loadHistory('i', 'exec-1')).to.deep.equal([event(0), event(1), event(2)]);
  });

  it('leases a scanned activity without reading it, and a second owner still loses', async () => {
    const store = await open();
    expect(await store.putInstance(instance('i'), [activityMessage('i', 'act')], true)).to.equal(true);
    const [act] = (await store.dueMessages(T0)).filter((m): m is ActivityMessage => m.kind === 'activity');
    servers.proxy.takeCounts();
    expect(await store.leaseActivity(act!, 'owner-1', Date.now() + 60_000)).to.equal(true);
    expect(servers.proxy.takeCounts()).to.deep.equal({ reads: 0, writes: 1 });
    expect(
      await store.leaseActivity(act!, 'owner-2', Date.now() + 60_000),
      'the row changed since the scan: read, then refuse',
    ).to.equal(false);
  });

  for (const reuseReads of [true, false]) {
    it(`${reuseReads ? 'drops' : 'without reuse, still hands out'} a message its own commit consumed while a scan was under way`, async () => {
      const store = await open(reuseReads);
      expect(await store.putInstance(instance('i'), [eventMessage('i', 'm1', T0, 1)], true)).to.equal(true);
      const record = (await store.getInstance('i'))!;
      const scan = servers.proxy.holdNext('due le');
      const scanning = store.dueMessages(T0);
      await scan.held;
      expect(await store.commitEpisode({ instance: record, append: [event(0)], consumed: ['m1'], send: [] })).to.equal(
        true,
      );
      scan.release();
      expect((await scanning).map((m) => m.id)).to.deep.equal(reuseReads ? [] : ['m1']);
      expect(await store.dueMessages(T0)).to.deep.equal([]);
    });
  }
});
