import * as chai from 'chai';
import chaiAsPromised from 'chai-as-promised';
import type { Container } from '@azure/cosmos';
import { startCosmos, type CosmosServer } from '@saga/devhost/localstack';
import { idempotencyStoreContract } from '../../contract/idempotencyStore.contract';
import { createCosmosClient, ensureCosmosResources, CosmosIdempotencyStore } from '../../../src/infrastructure/cosmos';

chai.use(chaiAsPromised);
const { expect } = chai;

describe('CosmosIdempotencyStore against cosmosdb-server', () => {
  let server: CosmosServer;
  let container: Container;

  before(async () => {
    server = await startCosmos();
    ({ idempotency: container } = await ensureCosmosResources(
      createCosmosClient({ endpoint: server.endpoint, key: server.key }),
      'workflow',
    ));
  });
  after(async () => {
    await server?.stop();
  });

  idempotencyStoreContract((options) => new CosmosIdempotencyStore(container, options));

  it('stores the configured TTL on the item so Cosmos expires it', async () => {
    const store = new CosmosIdempotencyStore(container, { ttlSeconds: 120 });
    await store.record('job:req-ttl:1', 'x');
    const { resource } = await container.item('job:req-ttl:1', 'job:req-ttl:1').read<{ ttl: number }>();
    expect(resource?.ttl).to.equal(120);
  });

  it('refuses a TTL that is not a positive integer', () => {
    expect(() => new CosmosIdempotencyStore(container, { ttlSeconds: 0 })).to.throw(/IDEMPOTENCY_TTL_SECONDS/);
  });
});
