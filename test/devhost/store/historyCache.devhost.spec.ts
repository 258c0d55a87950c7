import { expect } from 'chai';
import { TableTaskHubStore, type InstanceRecord } from '@saga/devhost/engine';
import { type AzuriteServers, startAzurite } from '@saga/devhost/localstack';
import { event, instance } from './contract';

/**
 * The table store keeps each instance's committed history in memory so an episode skips the
 * partition query. Two stores on one task hub (two hosts, or a host and a tool) must still see each
 * other's commits and restarts.
 */
describe('TableTaskHubStore history cache with two writers', () => {
  let azurite: AzuriteServers;
  let a: TableTaskHubStore;
  let b: TableTaskHubStore;
  before(async () => {
    azurite = await startAzurite();
    a = await TableTaskHubStore.create({ connectionString: azurite.connectionString, taskHubName: 'cachehub' });
    b = await TableTaskHubStore.create({ connectionString: azurite.connectionString, taskHubName: 'cachehub' });
  });
  after(async () => {
    await azurite?.stop();
  });

  async function commit(
    store: TableTaskHubStore,
    ids: number[],
    fields: Partial<InstanceRecord> = {},
    replaceHistory = false,
  ): Promise<void> {
    const record = (await store.getInstance('i'))!;
    expect(
      await store.commitEpisode({
        instance: { ...record, ...fields },
        append: ids.map((n) => event(n)),
        consumed: [],
        send: [],
        replaceHistory,
      }),
    ).to.equal(true);
  }

  it('serves each writer the history the other one committed, and a restarted history', async () => {
    expect(await a.putInstance(instance('i'), [], true)).to.equal(true);
    await commit(a, [0, 1]);
    expect(await a.loadHistory('i', 'exec-1')).to.deep.equal([event(0), event(1)]);

    await commit(b, [2, 3]);
    expect(await a.loadHistory('i', 'exec-1'), 'a sees b’s commit').to.deep.equal([0, 1, 2, 3].map((n) => event(n)));

    await commit(a, [4]);
    const seenByA = await a.loadHistory('i', 'exec-1');
    seenByA.pop();
    expect(await a.loadHistory('i', 'exec-1'), 'a caller changing its copy changes nothing').to.deep.equal(
      [0, 1, 2, 3, 4].map((n) => event(n)),
    );
    expect(await b.loadHistory('i', 'exec-1'), 'b sees a’s commit').to.deep.equal([0, 1, 2, 3, 4].map((n) => event(n)));

    await commit(b, [9], { executionId: 'exec-2' }, true);
    expect(await a.loadHistory('i', 'exec-2'), 'a sees the continued-as-new history').to.deep.equal([event(9)]);
    expect(await a.loadHistory('i', 'exec-1')).to.deep.equal([]);
  });
});
