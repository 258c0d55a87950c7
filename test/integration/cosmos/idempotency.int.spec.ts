import * as chai from 'chai';
import chaiAsPromised from 'chai-as-promised';
import type { Container } from '@azure/cosmos';
import { startCosmos, type CosmosServer } from '@saga/devhost/localstack';
import { createCosmosClient, ensureCosmosResources, CosmosIdempotencyStore } from '../../../src/infrastructure/cosmos';

chai.use(chaiAsPromised);
const { expect } = chai;

describe('CosmosIdempotencyStore against cosmosdb-server', () => {
  let server: CosmosServer;
  let container: Container;

  before(async () => {
    server = await startCosmos();
    ({ idempotency: container } = await ensureCosmosResources(createCosmosClient({ endpoint: server.endpoint, key: server.key }), 'workflow'));
  });
  after(async () => {
    await server?.stop();
  });

  it('returns what was recorded under a key, and nothing for an unknown key', async () => {
    const store = new CosmosIdempotencyStore(container, { ttlSeconds: 3600 });
    await store.record('job:req-1:1', { jobId: 'job-42' });

    const found = await store.lookup<{ jobId: string }>('job:req-1:1');

    expect(found?.key).to.equal('job:req-1:1');
    expect(found?.value).to.deep.equal({ jobId: 'job-42' });
    expect(Number.isNaN(Date.parse(found!.recordedAt))).to.equal(false);
    expect(await store.lookup('job:req-unknown:1')).to.equal(undefined);
  });

  it('stores the configured TTL on the item so Cosmos expires it', async () => {
    const store = new CosmosIdempotencyStore(container, { ttlSeconds: 120 });
    await store.record('job:req-ttl:1', 'x');
    const { resource } = await container.item('job:req-ttl:1', 'job:req-ttl:1').read<{ ttl: number }>();
    expect(resource?.ttl).to.equal(120);
  });

  it('treats a record past its TTL as absent', async () => {
    const store = new CosmosIdempotencyStore(container, { ttlSeconds: 60 });
    await store.record('job:req-old:1', 'x');
    const later = new CosmosIdempotencyStore(container, { ttlSeconds: 60, now: () => new Date(Date.now() + 61_000) });
    expect(await later.lookup('job:req-old:1')).to.equal(undefined);
    expect(await store.lookup('job:req-old:1')).to.not.equal(undefined);
  });

  it('refuses keys Cosmos cannot store and a TTL that is not a positive integer', async () => {
    const store = new CosmosIdempotencyStore(container, { ttlSeconds: 60 });
    await expect(store.record('job/req-1', 'x')).to.be.rejectedWith(/idempotency key/);
    expect(() => new CosmosIdempotencyStore(container, { ttlSeconds: 0 })).to.throw(/IDEMPOTENCY_TTL_SECONDS/);
  });
});
