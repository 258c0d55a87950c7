import * as chai from 'chai';
import chaiAsPromised from 'chai-as-promised';
import type { Container } from '@azure/cosmos';
import { startCosmos, type CosmosServer } from '@saga/devhost/localstack';
import { createCosmosClient, ensureCosmosResources, CosmosEventStore } from '../../../src/infrastructure/cosmos';
import { ValidationError } from '../../../src/application/errors';
import { eventStoreContract } from '../../contract/eventStore.contract';
import { appendOptions, discovered, prepared, statusChanged } from './fixtures';

chai.use(chaiAsPromised);
const { expect } = chai;

describe('CosmosEventStore against cosmosdb-server', () => {
  let server: CosmosServer;
  let events: Container;
  let store: CosmosEventStore;

  before(async () => {
    server = await startCosmos();
    const client = createCosmosClient({ endpoint: server.endpoint, key: server.key });
    ({ events } = await ensureCosmosResources(client, 'workflow'));
    store = new CosmosEventStore(events);
  });
  after(async () => {
    await server?.stop();
  });

  eventStoreContract(() => store);

  it('stores one document per event, its id the version', async () => {
    const result = await store.appendToStream(
      'req-append',
      [discovered('req-append'), prepared('req-append', 1)],
      appendOptions(0),
    );

    expect(result.nextExpectedVersion).to.equal(2);
    const { resource } = await events.item('2', 'req-append').read<Record<string, unknown>>();
    expect(resource).to.include({
      id: '2',
      aggregateId: 'req-append',
      version: 2,
      type: 'SubmissionPrepared',
      occurredAt: appendOptions(0).occurredAt,
    });
    expect(resource?.metadata).to.deep.equal({ correlationId: 'corr-1', causationId: 'cause-1' });
  });

  it('refuses a batch over the transactional limit', async () => {
    await store.appendToStream('req-next', [discovered('req-next')], appendOptions(0));
    const tooMany = Array.from({ length: 101 }, (_, i) => statusChanged('req-next', i));
    await expect(store.appendToStream('req-next', tooMany, appendOptions(1))).to.be.rejectedWith(
      ValidationError,
      /at most 100 events/,
    );
  });
});
