import { expect } from 'chai';
import { startCosmosProcess, type CosmosServer } from '../../../devhost/localstack/cosmos';
import { createCosmosClient, ensureCosmosResources, CosmosEventStore } from '../../../src/infrastructure/cosmos';
import { appendOptions, discovered } from '../cosmos/fixtures';

describe('startCosmosProcess', () => {
  let server: CosmosServer | undefined;
  after(async () => {
    await server?.stop();
  });

  it('serves Cosmos from a child process over HTTPS on loopback and stops it', async () => {
    server = await startCosmosProcess();
    expect(server.endpoint).to.match(/^https:\/\/127\.0\.0\.1:\d+\/$/);
    expect(server.pid).to.be.a('number').and.not.equal(process.pid);

    const client = createCosmosClient({ endpoint: server.endpoint, key: server.key });
    const { events, requests, idempotency } = await ensureCosmosResources(client, 'workflow');
    // The same partition key definition as infra/modules/cosmos.bicep, version 2 included.
    for (const container of [events, requests, idempotency]) {
      expect((await container.read()).resource?.partitionKey?.version, container.id).to.equal(2);
    }
    const store = new CosmosEventStore(events);
    await store.appendToStream('req-proc', [discovered('req-proc')], appendOptions(0));
    expect((await store.readStream('req-proc')).items.map((e) => e.type)).to.deep.equal(['RequestDiscovered']);
    client.dispose();

    const pid = server.pid!;
    await server.stop();
    server = undefined;
    expect(() => process.kill(pid, 0)).to.throw();
  });
});
