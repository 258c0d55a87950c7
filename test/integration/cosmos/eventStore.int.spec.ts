import * as chai from 'chai';
import chaiAsPromised from 'chai-as-promised';
import type { Container } from '@azure/cosmos';
import { startCosmos, type CosmosServer } from '@saga/devhost/localstack';
import { createCosmosClient, ensureCosmosResources, CosmosEventStore } from '../../../src/infrastructure/cosmos';
import { ConcurrencyError, ValidationError } from '../../../src/application/errors';
import type { StoredEvent } from '../../../src/domain/events';
import { eventIdFor } from '../../../src/domain/ids';
import { appendOptions, completed, discovered, prepared, statusChanged, submitted, terminal } from './fixtures';

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

  it('appends a new stream and stores one document per event with deterministic ids', async () => {
    const result = await store.appendToStream('req-append', [discovered('req-append'), prepared('req-append', 1)], appendOptions(0));

    expect(result.nextExpectedVersion).to.equal(2);
    expect(result.events.map((e) => [e.version, e.eventId, e.type])).to.deep.equal([
      [1, eventIdFor('req-append', 1), 'RequestDiscovered'],
      [2, eventIdFor('req-append', 2), 'SubmissionPrepared'],
    ]);
    const { resource } = await events.item('2', 'req-append').read<Record<string, unknown>>();
    expect(resource).to.include({ id: '2', aggregateId: 'req-append', version: 2, type: 'SubmissionPrepared', occurredAt: appendOptions(0).occurredAt });
    expect(resource?.metadata).to.deep.equal({ correlationId: 'corr-1', causationId: 'cause-1' });
  });

  it('treats a retry of the same events at the same expected version as done', async () => {
    const batch = [discovered('req-retry'), prepared('req-retry', 1)];
    const first = await store.appendToStream('req-retry', batch, appendOptions(0));
    const retry = await store.appendToStream('req-retry', batch, appendOptions(0));

    expect(retry).to.deep.equal(first);
    const page = await store.readStream('req-retry');
    expect(page.items).to.have.length(2);
  });

  it('rejects a different event at a taken version with a ConcurrencyError and keeps the stored one', async () => {
    await store.appendToStream('req-conflict', [discovered('req-conflict'), prepared('req-conflict', 1)], appendOptions(0));

    const attempt = store.appendToStream('req-conflict', [submitted('req-conflict', 1, 'job-other')], appendOptions(1));

    await expect(attempt).to.be.rejectedWith(ConcurrencyError, /version 2 is taken by a different SubmissionPrepared event/);
    const page = await store.readStream('req-conflict');
    expect(page.items.map((e) => e.type)).to.deep.equal(['RequestDiscovered', 'SubmissionPrepared']);
  });

  it('appends after the last version and refuses a batch over the transactional limit', async () => {
    await store.appendToStream('req-next', [discovered('req-next')], appendOptions(0));
    const next = await store.appendToStream('req-next', [prepared('req-next', 1), submitted('req-next', 1, 'job-1')], appendOptions(1));
    expect(next.nextExpectedVersion).to.equal(3);

    const tooMany = Array.from({ length: 101 }, (_, i) => statusChanged('req-next', i));
    await expect(store.appendToStream('req-next', tooMany, appendOptions(3))).to.be.rejectedWith(ValidationError, /at most 100 events/);
  });

  it('reads a 250-event stream in order, page by page', async () => {
    const id = 'req-long';
    await store.appendToStream(id, [discovered(id)], appendOptions(0));
    let version = 1;
    while (version < 250) {
      const count = Math.min(100, 250 - version);
      const result = await store.appendToStream(id, Array.from({ length: count }, (_, i) => statusChanged(id, version + i)), appendOptions(version));
      version = result.nextExpectedVersion;
    }

    const seen: StoredEvent[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await store.readStream(id, { maxCount: 60, continuationToken: token });
      expect(page.items.length).to.be.at.most(60);
      seen.push(...page.items);
      token = page.continuationToken;
      pages += 1;
    } while (token);

    expect(pages).to.be.at.least(5);
    expect(seen.map((e) => e.version)).to.deep.equal(Array.from({ length: 250 }, (_, i) => i + 1));
    const tail = await store.readStream(id, { fromVersion: 248 });
    expect(tail.items.map((e) => e.version)).to.deep.equal([248, 249, 250]);
  });

  it('lists every stream once, paged', async () => {
    for (const id of ['req-list-a', 'req-list-b', 'req-list-c']) {
      await store.appendToStream(id, [discovered(id), terminal(id, 'Pass'), completed(id, 'Pass')], appendOptions(0));
    }
    const ids: string[] = [];
    let token: string | undefined;
    do {
      const page = await store.listStreams({ maxCount: 2, continuationToken: token });
      expect(page.items.length).to.be.at.most(2);
      ids.push(...page.items);
      token = page.continuationToken;
    } while (token);

    expect(ids).to.include.members(['req-list-a', 'req-list-b', 'req-list-c', 'req-long', 'req-retry']);
    expect(new Set(ids).size).to.equal(ids.length);
  });
});
