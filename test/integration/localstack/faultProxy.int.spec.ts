import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as chai from 'chai';
import chaiAsPromised from 'chai-as-promised';
import {
  type AzuriteServers,
  azuriteConnectionString,
  startAzurite,
  startCosmos,
  type CosmosServer,
  startFaultProxy,
  type FaultProxy,
} from '@saga/devhost/localstack';
import { createIntakeTableClient, TableIntakeRepository } from '../../../src/infrastructure/tables';
import { createCosmosClient, CosmosEventStore, ensureCosmosResources } from '../../../src/infrastructure/cosmos';
import { TransientError, isRetriable } from '../../../src/application/errors';
import { appendOptions, discovered } from '../cosmos/fixtures';

chai.use(chaiAsPromised);
const { expect } = chai;

const REF = { partitionKey: 'b', rowKey: 'req-proxy' };

describe('fault proxy', () => {
  describe('in front of Azurite tables (http: per-request faults)', () => {
    let azurite: AzuriteServers;
    let proxy: FaultProxy;
    let repo: TableIntakeRepository;

    before(async () => {
      azurite = await startAzurite();
      proxy = await startFaultProxy(azurite.tableUrl);
      const connectionString = azuriteConnectionString({
        blob: azurite.blobUrl,
        queue: azurite.queueUrl,
        table: proxy.url,
      });
      // No SDK retries, so the adapter sees the injected fault itself.
      repo = new TableIntakeRepository(
        createIntakeTableClient({ connectionString, tableName: 'intake', maxRetries: 0 }),
      );
      await repo.ensureTable();
      await repo.add(REF, { scenario: 'pass' });
    });
    after(async () => {
      await proxy?.stop();
      await azurite?.stop();
    });
    afterEach(() => proxy.clear());

    it('forwards requests untouched when no fault is set', async () => {
      expect(await repo.get(REF)).to.deep.include({ status: 'Unprocessed', payload: { scenario: 'pass' } });
      expect(proxy.stats().forwarded).to.be.above(0);
    });

    it('turns an injected 503 into a retriable TransientError, then recovers', async () => {
      proxy.failNext(1, { status: 503 });

      const failure = await repo.get(REF).then(
        () => undefined,
        (e: unknown) => e,
      );

      expect(failure).to.be.instanceOf(TransientError);
      expect(isRetriable(failure)).to.equal(true);
      expect((failure as Error).message).to.match(/503/);
      expect(await repo.get(REF)).to.deep.include({ status: 'Unprocessed' });
      expect(proxy.stats().failed).to.equal(1);
    });

    it('classifies 429 and a connection reset as transient too', async () => {
      proxy.failNext(1, { status: 429 });
      await expect(repo.listClaimable({ checksDueBy: '2026-01-01T00:00:00.000Z', maxCount: 5 })).to.be.rejectedWith(
        TransientError,
        /429/,
      );
      proxy.failNext(1, { reset: true });
      await expect(repo.get(REF)).to.be.rejectedWith(TransientError);
    });

    it('fails everything during a window and adds latency on request', async () => {
      proxy.failFor(60_000, { status: 500 });
      await expect(repo.get(REF)).to.be.rejectedWith(TransientError);
      await expect(repo.get(REF)).to.be.rejectedWith(TransientError);
      proxy.clear();
      proxy.addLatency(50);
      expect(await repo.get(REF)).to.deep.include({ status: 'Unprocessed' });
    });
  });

  describe('in front of cosmosdb-server (https: TCP pass-through)', () => {
    let cosmos: CosmosServer;
    let proxy: FaultProxy;

    before(async () => {
      cosmos = await startCosmos();
      proxy = await startFaultProxy(cosmos.endpoint);
    });
    after(async () => {
      await proxy?.stop();
      await cosmos?.stop();
    });

    it('passes TLS through, and refuses status faults it cannot inject', async () => {
      const client = createCosmosClient({ endpoint: `${proxy.url}/`, key: cosmos.key });
      const { events } = await ensureCosmosResources(client, 'workflow');
      const store = new CosmosEventStore(events);
      await store.appendToStream('req-tls', [discovered('req-tls')], appendOptions(0));
      expect((await store.readStream('req-tls')).items).to.have.length(1);
      expect(proxy.stats().forwarded).to.be.above(0);
      expect(() => proxy.failNext(1, { status: 503 })).to.throw(/only `reset`/);
      client.dispose();
    });

    it('turns a connection reset during an append into a TransientError', async () => {
      const client = createCosmosClient({ endpoint: `${proxy.url}/`, key: cosmos.key });
      const store = new CosmosEventStore(client.database('workflow').container('events'));
      // The SDK retries reads on a reset (10 times, 1 s apart) but never writes, so an append surfaces it at once.
      proxy.failNext(1000, { reset: true });
      try {
        await expect(store.appendToStream('req-reset', [discovered('req-reset')], appendOptions(0))).to.be.rejectedWith(
          TransientError,
        );
      } finally {
        proxy.clear();
        client.dispose();
      }
    });
  });
  describe('in front of the Cosmos emulator, terminating TLS with its development certificate (per-request faults)', () => {
    let cosmos: CosmosServer;
    let proxy: FaultProxy;
    before(async () => {
      cosmos = await startCosmos();
      const dir = path.dirname(require.resolve('@vercel/cosmosdb-server/package.json'));
      proxy = await startFaultProxy(cosmos.endpoint, {
        tls: { cert: readFileSync(path.join(dir, 'cert.pem')), key: readFileSync(path.join(dir, 'key.pem')) },
      });
    });
    after(async () => {
      await proxy?.stop();
      await cosmos?.stop();
    });

    it('refuses a target off loopback, so its relaxed upstream TLS check can only ever meet a local emulator', async () => {
      const tls = { cert: 'x', key: 'y' };
      for (const target of ['https://example.com/', 'https://10.0.0.5:8081/', 'http://cosmos.internal:8081/']) {
        await expect(startFaultProxy(target, { tls }), target).to.be.rejectedWith(/must be on loopback/);
      }
    });

    it('answers 429 with x-ms-retry-after-ms, which the Cosmos SDK waits out and retries', async () => {
      const client = createCosmosClient({ endpoint: `${proxy.url}/`, key: cosmos.key });
      try {
        const { events } = await ensureCosmosResources(client, 'workflow');
        const store = new CosmosEventStore(events);
        const before = proxy.stats().failed;
        proxy.failNext(2, { status: 429, headers: { 'x-ms-retry-after-ms': '20', 'x-ms-substatus': '3200' } });
        await store.appendToStream('req-429', [discovered('req-429')], appendOptions(0));
        expect(proxy.stats().failed - before, 'both throttled answers were seen').to.equal(2);
        expect(
          (await store.readStream('req-429')).items.map((e) => e.version),
          'appended once',
        ).to.deep.equal([1]);
      } finally {
        client.dispose();
      }
    });

    it('throttles every n-th request when asked, and stops when cleared', async () => {
      const client = createCosmosClient({ endpoint: `${proxy.url}/`, key: cosmos.key });
      try {
        const store = new CosmosEventStore(client.database('workflow').container('events'));
        await store.appendToStream('req-every', [discovered('req-every')], appendOptions(0));
        proxy.failEvery(3, { status: 429, headers: { 'x-ms-retry-after-ms': '5' } });
        const failedBefore = proxy.stats().failed;
        for (let i = 0; i < 6; i++)
          expect((await store.readEvent('req-every', 1))?.version, 'every read still succeeds').to.equal(1);
        expect(proxy.stats().failed - failedBefore, 'some answers were throttled').to.be.at.least(2);
        proxy.clear();
        const failed = proxy.stats().failed;
        await store.readEvent('req-every', 1);
        expect(proxy.stats().failed, 'no throttling after clear').to.equal(failed);
      } finally {
        client.dispose();
      }
    });
  });
});
