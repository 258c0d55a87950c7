import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TableClient, TableServiceClient } from '@azure/data-tables';
import { expect } from 'chai';
import { TableTaskHubStore } from '@saga/devhost/engine';
import { type AzuriteServers, startAzurite } from '@saga/devhost/localstack';
import { instance } from './contract';

describe('TableTaskHubStore next to the real Azure Storage provider in one Azurite', () => {
  let folder: string;
  let azurite: AzuriteServers;
  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'taskhub-names-'));
    azurite = await startAzurite({ location: folder });
  });
  after(async () => {
    await azurite?.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  it("keeps its instances in <hub>DevHost and leaves the provider's <hub>Instances and <hub>History alone", async () => {
    const options = { allowInsecureConnection: true };
    // What a real host (func start, DurableTask.AzureStorage) would have written for the same hub.
    for (const name of ['SharedHubInstances', 'SharedHubHistory']) {
      const table = TableClient.fromConnectionString(azurite.connectionString, name, options);
      await table.createTable();
      await table.createEntity({ partitionKey: 'real-instance', rowKey: '', RuntimeStatus: 'Running' });
    }
    const store = await TableTaskHubStore.create({
      connectionString: azurite.connectionString,
      taskHubName: 'SharedHub',
    });
    expect(await store.putInstance(instance('devhost-instance'), [], true)).to.equal(true);

    const service = TableServiceClient.fromConnectionString(azurite.connectionString, options);
    const names: string[] = [];
    for await (const t of service.listTables()) names.push(String(t.name));
    expect(names.sort()).to.deep.equal(['SharedHubDevHost', 'SharedHubHistory', 'SharedHubInstances']);
    expect((await store.listInstances()).map((r) => r.instanceId)).to.deep.equal(['devhost-instance']);
    for (const name of ['SharedHubInstances', 'SharedHubHistory']) {
      const rows: unknown[] = [];
      for await (const row of TableClient.fromConnectionString(azurite.connectionString, name, options).listEntities())
        rows.push(row.partitionKey);
      expect(rows).to.deep.equal(['real-instance']);
    }
  });
});
