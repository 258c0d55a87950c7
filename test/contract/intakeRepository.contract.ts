/**
 * What every IntakeRepository must do, run against the in-memory repository (test/unit/adapters) and
 * the Table repository on Azurite (test/integration/tables). `fresh` gives an empty repository per test.
 */
import { assert, expect, use } from 'chai';
import chaiAsPromised from 'chai-as-promised';
import type { IntakeRepository } from '../../src/application/ports';
import { ConflictError, ValidationError } from '../../src/application/errors';

use(chaiAsPromised);

const T_CLAIM = '2026-11-22T08:00:00.000Z';
const T_CHECK = '2026-11-22T08:05:00.000Z';
const T_LATER = '2026-11-22T08:10:00.000Z';
/** A claim taken at T_CLAIM, first checked at T_CHECK. */
const CLAIM = { claimedAt: T_CLAIM, checkAt: T_CHECK };

export function intakeRepositoryContract(fresh: () => Promise<IntakeRepository>): void {
  describe('IntakeRepository contract', () => {
    let repo: IntakeRepository;
    beforeEach(async () => {
      repo = await fresh();
    });

    it('adds an Unprocessed row with its payload and refuses a duplicate or an invalid request id', async () => {
      const added = await repo.add({ partitionKey: 'batch-1', rowKey: 'req-1' }, { scenario: 'pass', n: 1 });
      expect(added).to.deep.include({ status: 'Unprocessed', payload: { scenario: 'pass', n: 1 } });
      expect(await repo.get(added.ref)).to.deep.include({ status: 'Unprocessed', payload: { scenario: 'pass', n: 1 } });
      await expect(repo.add({ partitionKey: 'batch-1', rowKey: 'req-1' }, {})).to.be.rejectedWith(
        ConflictError,
        /already exists/,
      );
      await expect(repo.add({ partitionKey: 'batch-1', rowKey: 'bad key!' }, {})).to.be.rejectedWith(
        ValidationError,
        /RowKey/,
      );
    });

    it('lets exactly one of two racing claims win', async () => {
      await repo.add({ partitionKey: 'b', rowKey: 'req-race' }, { scenario: 'pass' });
      const [row] = await repo.listClaimable({ checksDueBy: T_CLAIM, maxCount: 10 });
      assert.exists(row, 'the added row is claimable');
      const results = await Promise.all([repo.claim(row, CLAIM), repo.claim({ ...row }, CLAIM)]);
      expect(results.filter((r) => r !== undefined)).to.have.length(1);
      const winner = results.find((r) => r !== undefined)!;
      expect(winner).to.deep.include({ status: 'Claimed', claimedAt: T_CLAIM, claimCheckAt: T_CHECK });
      expect(await repo.get(row.ref)).to.deep.include({
        status: 'Claimed',
        claimedAt: T_CLAIM,
        claimCheckAt: T_CHECK,
        etag: winner.etag,
      });
      expect(await repo.listClaimable({ checksDueBy: T_CLAIM, maxCount: 10 })).to.deep.equal([]);
    });

    it('lists new work before claims whose check is due, and not a claim checked later', async () => {
      for (const rowKey of ['req-due', 'req-later', 'req-new']) await repo.add({ partitionKey: 'b', rowKey }, {});
      for (const row of await repo.listClaimable({ checksDueBy: T_CLAIM, maxCount: 10 })) {
        if (row.ref.rowKey !== 'req-new')
          await repo.claim(row, row.ref.rowKey === 'req-due' ? CLAIM : { claimedAt: T_CLAIM, checkAt: T_LATER });
      }
      const claimable = await repo.listClaimable({ checksDueBy: T_CHECK, maxCount: 10 });
      expect(claimable.map((r) => r.ref.rowKey)).to.deep.equal(['req-new', 'req-due']);
      const [, due] = claimable;
      assert.exists(due, 'the claim whose check is due is listed');
      expect(await repo.claim(due, { claimedAt: T_LATER, checkAt: T_LATER })).to.deep.include({
        status: 'Claimed',
        claimedAt: T_LATER,
      });
    });

    it('defers a claim check, keeping the claim time, unless the row changed since it was listed', async () => {
      await repo.add({ partitionKey: 'b', rowKey: 'req-defer' }, {});
      const [row] = await repo.listClaimable({ checksDueBy: T_CLAIM, maxCount: 1 });
      assert.exists(row, 'the added row is claimable');
      const claimed = await repo.claim(row, CLAIM);
      assert.exists(claimed, 'claimed');
      expect(await repo.deferClaimCheck(claimed, T_LATER)).to.equal(true);
      expect(await repo.get(row.ref)).to.deep.include({ status: 'Claimed', claimedAt: T_CLAIM, claimCheckAt: T_LATER });
      expect(await repo.listClaimable({ checksDueBy: T_CHECK, maxCount: 10 }), 'not due before T_LATER').to.deep.equal(
        [],
      );
      expect(await repo.deferClaimCheck(claimed, T_CHECK), 'the ETag it listed is stale').to.equal(false);
      expect(await repo.get(row.ref)).to.deep.include({ claimCheckAt: T_LATER });
    });

    it('stops listing at maxCount', async () => {
      for (let i = 0; i < 5; i++) await repo.add({ partitionKey: 'b', rowKey: `req-max-${i}` }, {});
      expect(await repo.listClaimable({ checksDueBy: T_CLAIM, maxCount: 3 })).to.have.length(3);
    });

    it('writes the terminal status once, idempotently, and refuses a different outcome', async () => {
      const ref = { partitionKey: 'b', rowKey: 'req-done' };
      await repo.add(ref, {});
      const [row] = await repo.listClaimable({ checksDueBy: T_CLAIM, maxCount: 1 });
      assert.exists(row, 'the added row is claimable');
      await repo.claim(row, CLAIM);
      await repo.complete(ref, 'Fail', { reason: 'external job failed', completedAt: T_LATER });
      await repo.complete(ref, 'Fail', { reason: 'external job failed', completedAt: T_LATER });
      expect(await repo.get(ref)).to.deep.include({ status: 'Fail' });
      await expect(repo.complete(ref, 'Pass', { completedAt: T_LATER })).to.be.rejectedWith(
        ConflictError,
        /already Fail/,
      );
      expect(await repo.listClaimable({ checksDueBy: T_LATER, maxCount: 10 })).to.deep.equal([]);
    });

    it('quarantines a row with a reason, so it is no longer listed', async () => {
      const row = await repo.add({ partitionKey: 'b', rowKey: 'req-q' }, {});
      await expect(repo.quarantine(row, ' ')).to.be.rejectedWith(ValidationError, /reason/);
      await repo.quarantine(row, 'operator says so');
      expect(await repo.get(row.ref)).to.deep.include({ status: 'Quarantined' });
      expect(await repo.listClaimable({ checksDueBy: T_LATER, maxCount: 10 })).to.deep.equal([]);
    });
  });
}
