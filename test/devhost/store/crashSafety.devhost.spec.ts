import { expect, use } from 'chai';
import chaiAsPromised from 'chai-as-promised';
import { TableTaskHubStore, type EpisodeCommit, type InstanceRecord } from '@saga/devhost/engine';
import { type AzuriteServers, startAzurite } from '@saga/devhost/localstack';
import { activityMessage, event, eventMessage, instance } from './contract';
import { startCutProxy, type CutProxy } from './cutProxy';

use(chaiAsPromised);
const T0 = Date.parse('2030-01-01T00:00:00Z');

/**
 * A commit too big for one transaction (300 events, 150 consumed messages, 120 sent activities)
 * goes out as a chain: two history/outbox transactions, the record transaction, then the deletion
 * of the acknowledgements that did not fit. Each test kills the writer at one point of that chain.
 */
describe('TableTaskHubStore crash safety of large commits', () => {
  let azurite: AzuriteServers;
  let proxy: CutProxy;
  let hubs = 0;
  before(async () => {
    azurite = await startAzurite();
  });
  after(async () => {
    await azurite?.stop();
  });
  afterEach(async () => {
    await proxy?.stop();
  });

  const inbox = Array.from({ length: 150 }, (_, i) => eventMessage('big', `in-${i}`, T0, i));
  const events = Array.from({ length: 300 }, (_, i) => event(10 + i));
  const outbox = Array.from({ length: 120 }, (_, i) => activityMessage('big', `act-${i}`, T0 + 1000));
  const bigCommit = (record: InstanceRecord): EpisodeCommit => ({
    instance: { ...record, customStatus: '"after"' },
    append: events,
    consumed: inbox.map((m) => m.id),
    send: outbox,
  });

  async function setUp(): Promise<{ direct: TableTaskHubStore; dying: TableTaskHubStore; record: InstanceRecord }> {
    const taskHubName = `crash${++hubs}`;
    const direct = await TableTaskHubStore.create({ connectionString: azurite.connectionString, taskHubName });
    expect(await direct.putInstance(instance('big', { customStatus: '"before"' }), inbox, true)).to.equal(true);
    const created = (await direct.getInstance('big'))!;
    expect(
      await direct.commitEpisode({ instance: created, append: [event(0), event(1)], consumed: [], send: [] }),
    ).to.equal(true);
    proxy = await startCutProxy(azurite.connectionString);
    const dying = await TableTaskHubStore.create({ connectionString: proxy.connectionString, taskHubName });
    return { direct, dying, record: (await direct.getInstance('big'))! };
  }

  it('leaves the instance as it was when the writer dies inside the chain, and the retried commit lands once', async () => {
    const { direct, dying, record } = await setUp();
    proxy.cutAfterTransactions(1);
    await expect(dying.commitEpisode(bigCommit(record))).to.be.rejected;

    const fresh = await TableTaskHubStore.create({
      connectionString: azurite.connectionString,
      taskHubName: `crash${hubs}`,
    });
    const seen = (await fresh.getInstance('big'))!;
    expect(seen.customStatus).to.equal('"before"');
    expect(await fresh.loadHistory('big', 'exec-1')).to.deep.equal([event(0), event(1)]);
    expect((await fresh.dueMessages(T0)).map((m) => m.id).sort()).to.deep.equal(inbox.map((m) => m.id).sort());

    expect(await direct.commitEpisode(bigCommit(record))).to.equal(false);
    expect(await fresh.commitEpisode(bigCommit(seen))).to.equal(true);
    expect(await fresh.loadHistory('big', 'exec-1')).to.deep.equal([event(0), event(1), ...events]);
    expect(await fresh.dueMessages(T0)).to.deep.equal([]);
    expect(await fresh.dueMessages(T0 + 1000)).to.have.length(120);
  });

  it('never redelivers consumed messages when the writer dies after the record transaction', async () => {
    const { dying, record } = await setUp();
    proxy.cutAfterTransactions(3);
    await expect(dying.commitEpisode(bigCommit(record))).to.be.rejected;

    const fresh = await TableTaskHubStore.create({
      connectionString: azurite.connectionString,
      taskHubName: `crash${hubs}`,
    });
    const seen = (await fresh.getInstance('big'))!;
    expect(seen.customStatus).to.equal('"after"');
    expect(await fresh.loadHistory('big', 'exec-1')).to.have.length(302);
    expect(await fresh.dueMessages(T0)).to.deep.equal([]);
    expect(await fresh.nextDueAt(T0 - 1)).to.equal(T0 + 1000);

    await fresh.putMessages([eventMessage('big', 'later', T0, 1)]);
    expect(await fresh.commitEpisode({ instance: seen, append: [event(999)], consumed: ['later'], send: [] })).to.equal(
      true,
    );
    expect(await fresh.dueMessages(T0)).to.deep.equal([]);
    expect(await fresh.loadHistory('big', 'exec-1')).to.have.length(303);
  });

  it('lets exactly one of two episodes from the same state commit a large chain', async () => {
    const { direct, record } = await setUp();
    const other = [event(500), event(501)];
    const results = await Promise.all([
      direct.commitEpisode(bigCommit(record)),
      direct.commitEpisode({
        instance: { ...record, customStatus: '"other"' },
        append: other,
        consumed: inbox.slice(0, 120).map((m) => m.id),
        send: [],
      }),
    ]);
    expect(results.filter(Boolean)).to.have.length(1);
    const history = await direct.loadHistory('big', 'exec-1');
    expect(history).to.deep.equal(results[0] ? [event(0), event(1), ...events] : [event(0), event(1), ...other]);
  });
});
