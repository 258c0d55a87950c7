import * as chai from 'chai';
import chaiAsPromised from 'chai-as-promised';
import { TableClient } from '@azure/data-tables';
import type { AzuriteServers } from '../../../devhost/localstack';
import { startAzurite } from '../../../devhost/localstack/azurite';
import { createIntakeTableClient, TableIntakeRepository } from '../../../src/infrastructure/tables';
import { ConflictError, ValidationError } from '../../../src/application/errors';
import { discoverRequests } from '../../../src/application/requests/discoverRequests';
import type { InstanceInfo, WorkflowRuntime } from '../../../src/application/requests/workflowRuntime';
import { requestIdFromIntakeRow } from '../../../src/domain/ids';
import { DEFAULT_WORKFLOW_POLICY } from '../../../src/domain/policies';

chai.use(chaiAsPromised);
const { expect } = chai;

const T_CLAIM = '2026-11-22T08:00:00.000Z';
const T_LATER = '2026-11-22T08:10:00.000Z';

describe('TableIntakeRepository against Azurite', () => {
  let azurite: AzuriteServers;
  let tableNo = 0;
  let raw: TableClient;
  let repo: TableIntakeRepository;

  before(async () => {
    azurite = await startAzurite();
  });
  after(async () => {
    await azurite?.stop();
  });
  // A fresh table per test keeps listClaimable assertions independent.
  beforeEach(async () => {
    tableNo += 1;
    const client = createIntakeTableClient({ connectionString: azurite.connectionString, tableName: `intake${tableNo}` });
    raw = client;
    repo = new TableIntakeRepository(client);
    await repo.ensureTable();
  });

  it('adds an Unprocessed row with its JSON payload and refuses a duplicate', async () => {
    const added = await repo.add({ partitionKey: 'batch-1', rowKey: 'req-1' }, { scenario: 'pass', n: 1 });

    expect(added).to.deep.include({ status: 'Unprocessed', payload: { scenario: 'pass', n: 1 } });
    const entity = await raw.getEntity<{ Status: string; Payload: string }>('batch-1', 'req-1');
    expect(entity.Status).to.equal('Unprocessed');
    expect(JSON.parse(entity.Payload)).to.deep.equal({ scenario: 'pass', n: 1 });
    await expect(repo.add({ partitionKey: 'batch-1', rowKey: 'req-1' }, {})).to.be.rejectedWith(ConflictError, /already exists/);
    await expect(repo.add({ partitionKey: 'batch-1', rowKey: 'bad key!' }, {})).to.be.rejectedWith(ValidationError, /RowKey/);
  });

  it('lets exactly one of two racing claims win', async () => {
    await repo.add({ partitionKey: 'b', rowKey: 'req-race' }, { scenario: 'pass' });
    const [row] = await repo.listClaimable({ staleClaimBefore: T_CLAIM, maxCount: 10 });

    const results = await Promise.all([repo.claim(row, T_CLAIM), repo.claim({ ...row }, T_CLAIM)]);

    expect(results.filter((r) => r !== undefined)).to.have.length(1);
    const winner = results.find((r) => r !== undefined)!;
    expect(winner).to.deep.include({ status: 'Claimed', claimedAt: T_CLAIM });
    expect(await repo.get(row.ref)).to.deep.include({ status: 'Claimed', claimedAt: T_CLAIM, etag: winner.etag });
    expect(await repo.listClaimable({ staleClaimBefore: T_CLAIM, maxCount: 10 })).to.deep.equal([]);
  });

  it('picks up a claim older than staleClaimBefore again, but not a fresh one', async () => {
    await repo.add({ partitionKey: 'b', rowKey: 'req-stale' }, {});
    await repo.add({ partitionKey: 'b', rowKey: 'req-fresh' }, {});
    for (const row of await repo.listClaimable({ staleClaimBefore: T_CLAIM, maxCount: 10 })) {
      await repo.claim(row, row.ref.rowKey === 'req-stale' ? T_CLAIM : T_LATER);
    }

    const claimable = await repo.listClaimable({ staleClaimBefore: '2026-11-22T08:05:00.000Z', maxCount: 10 });

    expect(claimable.map((r) => r.ref.rowKey)).to.deep.equal(['req-stale']);
    const reclaimed = await repo.claim(claimable[0], T_LATER);
    expect(reclaimed).to.deep.include({ status: 'Claimed', claimedAt: T_LATER });
  });

  it('reports malformed rows with a problem while good rows still list, and quarantines them with the reason', async () => {
    await repo.add({ partitionKey: 'b', rowKey: 'req-good' }, { scenario: 'pass' });
    await raw.createEntity({ partitionKey: 'b', rowKey: 'req-nopayload', Status: 'Unprocessed' });
    await raw.createEntity({ partitionKey: 'b', rowKey: 'req-notjson', Status: 'Unprocessed', Payload: '{oops' });
    await raw.createEntity({ partitionKey: 'b', rowKey: 'req-array', Status: 'Unprocessed', Payload: '[1,2]' });
    await raw.createEntity({ partitionKey: 'b', rowKey: 'bad key with spaces', Status: 'Unprocessed', Payload: '{}' });
    await raw.createEntity({ partitionKey: 'b', rowKey: 'req-numscenario', Status: 'Unprocessed', Payload: '{"scenario":5}' });

    const rows = await repo.listClaimable({ staleClaimBefore: T_CLAIM, maxCount: 10 });

    const problems = Object.fromEntries(rows.map((r) => [r.ref.rowKey, r.problem]));
    expect(problems).to.have.keys('req-good', 'req-nopayload', 'req-notjson', 'req-array', 'bad key with spaces', 'req-numscenario');
    expect(problems['req-good']).to.equal(undefined);
    expect(problems['req-nopayload']).to.match(/Payload is missing/);
    expect(problems['req-notjson']).to.match(/Payload is not valid JSON/);
    expect(problems['req-array']).to.match(/Payload: payload must be a JSON object, got an array/);
    expect(problems['req-numscenario']).to.match(/payload.scenario must be a string, got a number/);
    expect(problems['bad key with spaces']).to.match(/RowKey 'bad key with spaces' is not a valid request id/);

    for (const row of rows.filter((r) => r.problem)) {
      await expect(repo.claim(row, T_CLAIM)).to.be.rejectedWith(ValidationError, /malformed/);
      await repo.quarantine(row, row.problem!);
    }
    const left = await repo.listClaimable({ staleClaimBefore: T_CLAIM, maxCount: 10 });
    expect(left.map((r) => r.ref.rowKey)).to.deep.equal(['req-good']);
    const quarantined = await raw.getEntity<{ Status: string; QuarantineReason: string }>('b', 'req-notjson');
    expect(quarantined.Status).to.equal('Quarantined');
    expect(quarantined.QuarantineReason).to.match(/Payload is not valid JSON/);
  });

  it('stops listing at maxCount', async () => {
    for (let i = 0; i < 5; i++) await repo.add({ partitionKey: 'b', rowKey: `req-max-${i}` }, {});
    expect(await repo.listClaimable({ staleClaimBefore: T_CLAIM, maxCount: 3 })).to.have.length(3);
  });

  it('writes the terminal status once, idempotently, and refuses a different outcome', async () => {
    const ref = { partitionKey: 'b', rowKey: 'req-done' };
    await repo.add(ref, {});
    const [row] = await repo.listClaimable({ staleClaimBefore: T_CLAIM, maxCount: 1 });
    await repo.claim(row, T_CLAIM);

    await repo.complete(ref, 'Fail', { reason: 'external job failed', completedAt: T_LATER });
    await repo.complete(ref, 'Fail', { reason: 'external job failed', completedAt: T_LATER });

    const entity = await raw.getEntity<{ Status: string; CompletedAt: string; Reason: string }>('b', 'req-done');
    expect(entity).to.include({ Status: 'Fail', CompletedAt: T_LATER, Reason: 'external job failed' });
    await expect(repo.complete(ref, 'Pass', { completedAt: T_LATER })).to.be.rejectedWith(ConflictError, /already Fail/);
    expect(await repo.listClaimable({ staleClaimBefore: T_LATER, maxCount: 10 })).to.deep.equal([]);
  });

  describe('discovery over it', () => {
    /** The runtime as discovery sees it: which instances exist, and what was started. */
    function runtimeWith(running: string[]): WorkflowRuntime & { started: string[]; statusChecks: number } {
      const known = new Map<string, InstanceInfo>(running.map((id) => [id, { instanceId: id, runtimeStatus: 'Running' }]));
      const rt = {
        started: [] as string[],
        statusChecks: 0,
        status: (id: string) => {
          rt.statusChecks++;
          return Promise.resolve(known.get(id));
        },
        start: (id: string) => {
          rt.started.push(id);
          known.set(id, { instanceId: id, runtimeStatus: 'Pending' });
          return Promise.resolve();
        },
        raiseCancel: () => Promise.resolve(),
        managementLinks: () => ({}),
      };
      return rt;
    }

    it('starts new work before re-examining long-running claims, and renews a live claim so the next runs skip it', async () => {
      const stale = ['a-1', 'a-2', 'a-3'];
      for (const rowKey of stale) {
        const row = await repo.add({ partitionKey: 'b', rowKey }, { scenario: 'pass' });
        await repo.claim(row, T_CLAIM);
      }
      await repo.add({ partitionKey: 'b', rowKey: 'z-new' }, { scenario: 'pass' });
      const runtime = runtimeWith(stale.map((k) => requestIdFromIntakeRow('b', k)));
      const now = new Date(T_LATER);
      const deps = { intake: repo, runtime, policy: { ...DEFAULT_WORKFLOW_POLICY }, batchSize: 2, staleClaimSeconds: 300, now: () => now, concurrency: 1 };

      const first = await discoverRequests(deps);

      expect(first.started, 'the new row, although three stale claims sort before it').to.deep.equal([requestIdFromIntakeRow('b', 'z-new')]);
      expect(first.alreadyRunning).to.have.length(1);
      expect((await repo.get({ partitionKey: 'b', rowKey: 'a-1' }))?.claimedAt, 'live claim renewed').to.equal(T_LATER);

      const second = await discoverRequests(deps);
      expect(second.alreadyRunning.map((id) => id).sort(), 'the other two stale claims, not the renewed one').to.deep.equal(['a-2', 'a-3'].map((k) => requestIdFromIntakeRow('b', k)).sort());
      const third = await discoverRequests(deps);
      expect(third.examined, 'every live claim renewed: nothing left to look at').to.equal(0);
    });
  });
});
