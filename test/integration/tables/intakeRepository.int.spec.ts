import * as chai from 'chai';
import chaiAsPromised from 'chai-as-promised';
import { TableClient } from '@azure/data-tables';
import { type AzuriteServers, startAzurite } from '@saga/devhost/localstack';
import { createIntakeTableClient, TableIntakeRepository } from '../../../src/infrastructure/tables';
import { ValidationError } from '../../../src/application/errors';
import { intakeRepositoryContract } from '../../contract/intakeRepository.contract';
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
    const client = createIntakeTableClient({
      connectionString: azurite.connectionString,
      tableName: `intake${tableNo}`,
    });
    raw = client;
    repo = new TableIntakeRepository(client);
    await repo.ensureTable();
  });

  intakeRepositoryContract(async () => {
    const r = new TableIntakeRepository(
      createIntakeTableClient({ connectionString: azurite.connectionString, tableName: `contract${(tableNo += 1)}` }),
    );
    await r.ensureTable();
    return r;
  });

  it('stores the payload as a JSON string column', async () => {
    await repo.add({ partitionKey: 'batch-1', rowKey: 'req-1' }, { scenario: 'pass', n: 1 });
    const entity = await raw.getEntity<{ Status: string; Payload: string }>('batch-1', 'req-1');
    expect(entity.Status).to.equal('Unprocessed');
    expect(JSON.parse(entity.Payload)).to.deep.equal({ scenario: 'pass', n: 1 });
  });

  it('reports malformed rows with a problem while good rows still list, and quarantines them with the reason', async () => {
    await repo.add({ partitionKey: 'b', rowKey: 'req-good' }, { scenario: 'pass' });
    await raw.createEntity({ partitionKey: 'b', rowKey: 'req-nopayload', Status: 'Unprocessed' });
    await raw.createEntity({ partitionKey: 'b', rowKey: 'req-notjson', Status: 'Unprocessed', Payload: '{oops' });
    await raw.createEntity({ partitionKey: 'b', rowKey: 'req-array', Status: 'Unprocessed', Payload: '[1,2]' });
    await raw.createEntity({ partitionKey: 'b', rowKey: 'bad key with spaces', Status: 'Unprocessed', Payload: '{}' });
    await raw.createEntity({
      partitionKey: 'b',
      rowKey: 'req-numscenario',
      Status: 'Unprocessed',
      Payload: '{"scenario":5}',
    });

    const rows = await repo.listClaimable({ checksDueBy: T_CLAIM, maxCount: 10 });

    const problems = Object.fromEntries(rows.map((r) => [r.ref.rowKey, r.problem]));
    expect(problems).to.have.keys(
      'req-good',
      'req-nopayload',
      'req-notjson',
      'req-array',
      'bad key with spaces',
      'req-numscenario',
    );
    expect(problems['req-good']).to.equal(undefined);
    expect(problems['req-nopayload']).to.match(/Payload is missing/);
    expect(problems['req-notjson']).to.match(/Payload is not valid JSON/);
    expect(problems['req-array']).to.match(/Payload: payload must be a JSON object, got an array/);
    expect(problems['req-numscenario']).to.match(/payload.scenario must be a string, got a number/);
    expect(problems['bad key with spaces']).to.match(/RowKey 'bad key with spaces' is not a valid request id/);

    for (const row of rows.filter((r) => r.problem)) {
      await expect(repo.claim(row, { claimedAt: T_CLAIM, checkAt: T_CLAIM })).to.be.rejectedWith(
        ValidationError,
        /malformed/,
      );
      await repo.quarantine(row, row.problem!);
    }
    const left = await repo.listClaimable({ checksDueBy: T_CLAIM, maxCount: 10 });
    expect(left.map((r) => r.ref.rowKey)).to.deep.equal(['req-good']);
    const quarantined = await raw.getEntity<{ Status: string; QuarantineReason: string }>('b', 'req-notjson');
    expect(quarantined.Status).to.equal('Quarantined');
    expect(quarantined.QuarantineReason).to.match(/Payload is not valid JSON/);
  });

  it('writes the terminal status, its time and reason into their columns', async () => {
    const ref = { partitionKey: 'b', rowKey: 'req-done' };
    await repo.add(ref, {});
    const [row] = await repo.listClaimable({ checksDueBy: T_CLAIM, maxCount: 1 });
    chai.assert.exists(row, 'the added row is claimable');
    await repo.claim(row, { claimedAt: T_CLAIM, checkAt: T_CLAIM });

    await repo.complete(ref, 'Fail', { reason: 'external job failed', completedAt: T_LATER });

    const entity = await raw.getEntity<{ Status: string; CompletedAt: string; Reason: string }>('b', 'req-done');
    expect(entity).to.include({ Status: 'Fail', CompletedAt: T_LATER, Reason: 'external job failed' });
  });

  describe('discovery over it', () => {
    /** The runtime as discovery sees it: which instances exist, and what was started. */
    function runtimeWith(running: string[]): WorkflowRuntime & { started: string[]; statusChecks: number } {
      const known = new Map<string, InstanceInfo>(
        running.map((id) => [id, { instanceId: id, runtimeStatus: 'Running' }]),
      );
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

    it('starts new work before re-examining long-running claims, and defers a live claim so the next runs skip it', async () => {
      const stale = ['a-1', 'a-2', 'a-3'];
      for (const rowKey of stale) {
        const row = await repo.add({ partitionKey: 'b', rowKey }, { scenario: 'pass' });
        await repo.claim(row, { claimedAt: T_CLAIM, checkAt: '2026-11-22T08:05:00.000Z' });
      }
      await repo.add({ partitionKey: 'b', rowKey: 'z-new' }, { scenario: 'pass' });
      const runtime = runtimeWith(stale.map((k) => requestIdFromIntakeRow('b', k)));
      const now = new Date(T_LATER);
      const deps = {
        intake: repo,
        runtime,
        policy: { ...DEFAULT_WORKFLOW_POLICY },
        batchSize: 2,
        staleClaimSeconds: 300,
        now: () => now,
        concurrency: 1,
      };

      const first = await discoverRequests(deps);

      expect(first.started, 'the new row, although three claims due for a check sort before it').to.deep.equal([
        requestIdFromIntakeRow('b', 'z-new'),
      ]);
      expect(first.alreadyRunning).to.have.length(1);
      expect(
        await repo.get({ partitionKey: 'b', rowKey: 'a-1' }),
        'checked again after as long as it lasted',
      ).to.include({ claimedAt: T_CLAIM, claimCheckAt: '2026-11-22T08:20:00.000Z' });

      const second = await discoverRequests(deps);
      expect(second.alreadyRunning.map((id) => id).sort(), 'the other two claims, not the deferred one').to.deep.equal(
        ['a-2', 'a-3'].map((k) => requestIdFromIntakeRow('b', k)).sort(),
      );
      const third = await discoverRequests(deps);
      expect(third.examined, 'every live claim deferred: nothing left to look at').to.equal(0);
    });

    it('looks at an item that runs for two hours 5 times, not once per stale-claim period', async () => {
      const row = await repo.add({ partitionKey: 'b', rowKey: 'long-job' }, { scenario: 'pass' });
      const runtime = runtimeWith([]);
      let now = new Date(T_CLAIM);
      const deps = {
        intake: repo,
        runtime,
        policy: { ...DEFAULT_WORKFLOW_POLICY },
        batchSize: 10,
        staleClaimSeconds: 300,
        now: () => now,
      };
      const examined: string[] = [];
      // Discovery every minute for two hours, as DISCOVERY_SCHEDULE does by default.
      for (let minute = 0; minute < 120; minute++) {
        now = new Date(Date.parse(T_CLAIM) + minute * 60_000);
        if ((await discoverRequests(deps)).examined > 0) examined.push(now.toISOString().slice(11, 16));
      }
      expect(runtime.started).to.deep.equal([requestIdFromIntakeRow('b', row.ref.rowKey)]);
      expect(examined, 'claimed at 08:00, then checked 5, 10, 20, 40 and 80 minutes later').to.deep.equal([
        '08:00',
        '08:05',
        '08:10',
        '08:20',
        '08:40',
        '09:20',
      ]);
      expect(runtime.statusChecks, 'one at the start, one per check').to.equal(6);
    });
  });
});
