import { expect, use } from 'chai';
import chaiAsPromised from 'chai-as-promised';
import { createMemoryStore, TableTaskHubStore } from '@saga/devhost/engine';
import { type AzuriteServers, startAzurite } from '@saga/devhost/localstack';
import { taskHubStoreContract } from './contract';

use(chaiAsPromised);

describe('TaskHubStore contract', () => {
  describe('in memory', () => {
    taskHubStoreContract(async () => createMemoryStore());
  });

  describe('on Azure Table Storage (Azurite)', () => {
    let azurite: AzuriteServers;
    let hubs = 0;
    before(async () => {
      azurite = await startAzurite();
    });
    after(async () => {
      await azurite?.stop();
    });

    // A task hub (table) per test keeps the tests independent.
    taskHubStoreContract(() =>
      TableTaskHubStore.create({ connectionString: azurite.connectionString, taskHubName: `hub${++hubs}` }),
    );

    it('names the bad setting when the task hub name or endpoint is unusable', async () => {
      await expect(
        TableTaskHubStore.create({ connectionString: azurite.connectionString, taskHubName: 'my-hub' }),
      ).to.be.rejectedWith(/taskHubName/);
      const remote = azurite.connectionString.replace(
        /TableEndpoint=[^;]+/,
        'TableEndpoint=http://example.com/devstoreaccount1',
      );
      await expect(TableTaskHubStore.create({ connectionString: remote, taskHubName: 'hub' })).to.be.rejectedWith(
        /plain http to a non-loopback/,
      );
    });
  });
});
