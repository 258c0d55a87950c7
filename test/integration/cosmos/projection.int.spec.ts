import * as chai from 'chai';
import chaiAsPromised from 'chai-as-promised';
import type { CosmosClient } from '@azure/cosmos';
import { startCosmos, type CosmosServer } from '@saga/devhost/localstack';
import {
  createCosmosClient,
  ensureCosmosResources,
  CosmosEventStore,
  CosmosRequestProjection,
} from '../../../src/infrastructure/cosmos';
import { requestProjectionContract } from '../../contract/requestProjection.contract';
import { appendOptions, discovered, prepared, terminal } from './fixtures';

chai.use(chaiAsPromised);
const { expect } = chai;

describe('CosmosRequestProjection against cosmosdb-server', () => {
  let server: CosmosServer;
  let client: CosmosClient;
  let databases = 0;

  before(async () => {
    server = await startCosmos();
    client = createCosmosClient({ endpoint: server.endpoint, key: server.key });
  });
  after(async () => {
    await server?.stop();
  });

  /** A database of its own per test, so list and rebuild see only that test's requests. */
  async function fresh() {
    const containers = await ensureCosmosResources(client, `projection${(databases += 1)}`);
    const events = new CosmosEventStore(containers.events);
    return { containers, events, projection: new CosmosRequestProjection(containers.requests, { events }) };
  }

  requestProjectionContract(fresh);

  it('rebuild rewrites a damaged or deleted view document', async () => {
    const { containers, events, projection } = await fresh();
    for (const id of ['r-deleted', 'r-damaged']) {
      const stored = (
        await events.appendToStream(id, [discovered(id), prepared(id, 1), terminal(id, 'Pass')], appendOptions(0))
      ).events;
      await projection.apply(id, stored);
    }
    await containers.requests.item('r-deleted', 'r-deleted').delete();
    await containers.requests.item('r-damaged', 'r-damaged').patch([{ op: 'set', path: '/stage', value: 'New' }]);

    expect(await projection.rebuild(events)).to.deep.equal({ streams: 2, events: 6 });
    for (const id of ['r-deleted', 'r-damaged']) {
      const { resource } = await containers.requests.item(id, id).read<{ stage: string; version: number }>();
      expect(resource, id).to.deep.include({ stage: 'Terminal', version: 3 });
    }
  });
});
