import * as chai from 'chai';
import chaiAsPromised from 'chai-as-promised';
import type { Container } from '@azure/cosmos';
import { startCosmos, type CosmosServer } from '@saga/devhost/localstack';
import { createCosmosClient, ensureCosmosResources, CosmosEventStore, CosmosRequestProjection } from '../../../src/infrastructure/cosmos';
import type { RequestView } from '../../../src/application/ports';
import type { RequestEvent } from '../../../src/domain/events';
import { appendOptions, completed, discovered, prepared, statusChanged, submitted, terminal } from './fixtures';

chai.use(chaiAsPromised);
const { expect } = chai;

describe('CosmosRequestProjection against cosmosdb-server', () => {
  let server: CosmosServer;
  let store: CosmosEventStore;
  let requests: Container;
  let projection: CosmosRequestProjection;

  before(async () => {
    server = await startCosmos();
    const containers = await ensureCosmosResources(createCosmosClient({ endpoint: server.endpoint, key: server.key }), 'workflow');
    store = new CosmosEventStore(containers.events);
    requests = containers.requests;
    projection = new CosmosRequestProjection(requests);
  });
  after(async () => {
    await server?.stop();
  });

  async function append(id: string, expectedVersion: number, events: RequestEvent[]) {
    return (await store.appendToStream(id, events, appendOptions(expectedVersion))).events;
  }

  it('folds appended events into the view', async () => {
    const stored = await append('req-view', 0, [discovered('req-view'), prepared('req-view', 1), submitted('req-view', 1, 'job-7')]);

    const view = await projection.apply('req-view', stored);

    expect(view).to.deep.include({ id: 'req-view', stage: 'Submitted', attempt: 1, externalJobId: 'job-7', lastExternalStatus: 'Created', version: 3, needsIntervention: false });
    expect(view.intake).to.deep.equal({ partitionKey: 'p1', rowKey: 'req-view' });
    expect(await projection.get('req-view')).to.deep.equal(view);
  });

  it('ignores old and duplicate events (replays are no-ops)', async () => {
    const first = await append('req-guard', 0, [discovered('req-guard'), prepared('req-guard', 1)]);
    const second = await append('req-guard', 2, [submitted('req-guard', 1, 'job-1'), terminal('req-guard', 'Pass')]);
    await projection.apply('req-guard', first);
    const afterSecond = await projection.apply('req-guard', second);
    expect(afterSecond).to.deep.include({ stage: 'Terminal', outcome: 'Pass', version: 4 });

    const replayedOld = await projection.apply('req-guard', first);
    const replayedSame = await projection.apply('req-guard', second);

    expect(replayedOld).to.deep.equal(afterSecond);
    expect(replayedSame).to.deep.equal(afterSecond);
    expect(await projection.get('req-guard')).to.deep.equal(afterSecond);
  });

  it('does not lose an update when two writers race on the same view', async () => {
    // The writer with more events starts first, so without the ETag guard the other one's older
    // view would land last and overwrite it.
    const ids = ['req-race-1', 'req-race-2', 'req-race-3'];
    for (const id of ids) {
      const [d, p, s, c] = await append(id, 0, [discovered(id), prepared(id, 1), submitted(id, 1, 'job-1'), statusChanged(id, 1)]);
      await projection.apply(id, [d]);
      await Promise.all([projection.apply(id, [p, s, c]), projection.apply(id, [p, s])]);
    }

    for (const id of ids) {
      expect(await projection.get(id), id).to.deep.include({ version: 4, stage: 'Polling', lastExternalStatus: 'Inprogress' });
    }
  });

  it('reads events it missed from the stream when an earlier update was lost', async () => {
    const withStore = new CosmosRequestProjection(requests, { events: store });
    const [d] = await append('req-gap', 0, [discovered('req-gap')]);
    await withStore.apply('req-gap', [d]);
    await append('req-gap', 1, [prepared('req-gap', 1), submitted('req-gap', 1, 'job-gap')]);
    const [c] = await append('req-gap', 3, [statusChanged('req-gap', 1)]);

    const view = await withStore.apply('req-gap', [c]);

    expect(view).to.deep.include({ version: 4, stage: 'Polling', attempt: 1, externalJobId: 'job-gap' });
  });

  it('lists views by stage and by outcome, paged', async () => {
    for (const id of ['req-done-1', 'req-done-2', 'req-done-3']) {
      const stored = await append(id, 0, [discovered(id), terminal(id, 'Fail'), completed(id, 'Fail')]);
      await projection.apply(id, stored);
    }
    const all: RequestView[] = [];
    let token: string | undefined;
    do {
      const page = await projection.list({ stage: 'Completed', top: 2, continuationToken: token });
      expect(page.items.length).to.be.at.most(2);
      all.push(...page.items);
      token = page.continuationToken;
    } while (token);
    expect(all.map((v) => v.id).sort()).to.deep.equal(['req-done-1', 'req-done-2', 'req-done-3']);

    const failed = await projection.list({ outcome: 'Fail', top: 100 });
    expect(failed.items.map((v) => v.id).sort()).to.deep.equal(['req-done-1', 'req-done-2', 'req-done-3']);
    const passed = await projection.list({ outcome: 'Pass', top: 100 });
    expect(passed.items.map((v) => v.id)).to.deep.equal(['req-guard']);
    await expect(projection.list({ stage: 'Sleeping' as never })).to.be.rejectedWith(/stage must be one of/);
  });

  it('rebuilds every view from the events container', async () => {
    await requests.item('req-view', 'req-view').delete();
    await requests.item('req-guard', 'req-guard').patch([{ op: 'set', path: '/stage', value: 'New' }]);

    const result = await projection.rebuild(store);

    expect(result.streams).to.equal(9);
    expect(result.events).to.equal(3 + 4 + 3 * 4 + 4 + 3 * 3);
    expect(await projection.get('req-view')).to.deep.include({ stage: 'Submitted', version: 3, externalJobId: 'job-7' });
    expect(await projection.get('req-guard')).to.deep.include({ stage: 'Terminal', outcome: 'Pass', version: 4 });
  });
});
