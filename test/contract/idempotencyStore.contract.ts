/**
 * What every IdempotencyStore must do, run against the in-memory store (test/unit/adapters) and the
 * Cosmos store (test/integration/cosmos). `create` builds a store whose clock the suite moves.
 */
import { expect, use } from 'chai';
import chaiAsPromised from 'chai-as-promised';
import type { IdempotencyStore } from '../../src/application/ports';

use(chaiAsPromised);

export function idempotencyStoreContract(
  create: (options: { ttlSeconds: number; now: () => Date }) => IdempotencyStore,
): void {
  describe('IdempotencyStore contract', () => {
    let clock: number;
    let store: IdempotencyStore;
    beforeEach(() => {
      clock = Date.now();
      store = create({ ttlSeconds: 60, now: () => new Date(clock) });
    });

    it('returns what was recorded under a key, and nothing for an unknown key', async () => {
      await store.record('job:c-1:1', { externalJobId: 'job-42' });
      const found = await store.lookup<{ externalJobId: string }>('job:c-1:1');
      expect(found?.key).to.equal('job:c-1:1');
      expect(found?.value).to.deep.equal({ externalJobId: 'job-42' });
      expect(Number.isNaN(Date.parse(found!.recordedAt))).to.equal(false);
      expect(await store.lookup('job:c-unknown:1')).to.equal(undefined);
    });

    it('keeps the last value recorded under a key', async () => {
      await store.record('job:c-2:1', 'first');
      await store.record('job:c-2:1', 'second');
      expect((await store.lookup('job:c-2:1'))?.value).to.equal('second');
    });

    it('treats a record past its TTL as absent', async () => {
      await store.record('job:c-old:1', 'x');
      clock += 61_000;
      expect(await store.lookup('job:c-old:1')).to.equal(undefined);
    });

    it('refuses a key with a character a Cosmos id cannot hold', async () => {
      await expect(store.record('job/c-3', 'x')).to.be.rejectedWith(/idempotency key/);
    });
  });
}
