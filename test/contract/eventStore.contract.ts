/**
 * What every EventStore must do, written once (after emmett's emmett-tests eventStore features) and
 * run against the in-memory store (test/unit/adapters) and the Cosmos store (test/integration/cosmos).
 * Stream ids carry a per-run prefix, so one store may serve the whole suite.
 */
import { expect, use } from 'chai';
import chaiAsPromised from 'chai-as-promised';
import type { EventStore } from '../../src/application/ports';
import { ConcurrencyError } from '../../src/application/errors';
import type { StoredEvent } from '../../src/domain/events';
import { eventIdFor } from '../../src/domain/ids';
import {
  appendOptions,
  completed,
  discovered,
  prepared,
  statusChanged,
  submitted,
  terminal,
} from '../integration/cosmos/fixtures';

use(chaiAsPromised);

export function eventStoreContract(store: () => EventStore): void {
  describe('EventStore contract', () => {
    it('appends a new stream with versions from 1 and ids derived from (stream, version)', async () => {
      const result = await store().appendToStream(
        'c-append',
        [discovered('c-append'), prepared('c-append', 1)],
        appendOptions(0),
      );
      expect(result.nextExpectedVersion).to.equal(2);
      expect(result.events.map((e) => [e.streamId, e.version, e.eventId, e.type, e.occurredAt])).to.deep.equal([
        ['c-append', 1, eventIdFor('c-append', 1), 'RequestDiscovered', appendOptions(0).occurredAt],
        ['c-append', 2, eventIdFor('c-append', 2), 'SubmissionPrepared', appendOptions(0).occurredAt],
      ]);
      expect(result.events[1]?.metadata).to.deep.equal({ correlationId: 'corr-1', causationId: 'cause-1' });
      expect(await store().readEvent('c-append', 2)).to.deep.equal(result.events[1]);
      expect(await store().readEvent('c-append', 3)).to.equal(undefined);
    });

    it('treats a retry of the same events at the same expected version as done', async () => {
      const batch = [discovered('c-retry'), prepared('c-retry', 1)];
      const first = await store().appendToStream('c-retry', batch, appendOptions(0));
      const retry = await store().appendToStream('c-retry', batch, appendOptions(0));
      expect(retry).to.deep.equal(first);
      expect((await store().readStream('c-retry')).items).to.have.length(2);
    });

    it('rejects a different event at a taken version with a ConcurrencyError and keeps the stored one', async () => {
      await store().appendToStream(
        'c-conflict',
        [discovered('c-conflict'), prepared('c-conflict', 1)],
        appendOptions(0),
      );
      const attempt = store().appendToStream('c-conflict', [submitted('c-conflict', 1, 'job-other')], appendOptions(1));
      await expect(attempt).to.be.rejectedWith(
        ConcurrencyError,
        /version 2 is taken by a different SubmissionPrepared event/,
      );
      expect((await store().readStream('c-conflict')).items.map((e) => e.type)).to.deep.equal([
        'RequestDiscovered',
        'SubmissionPrepared',
      ]);
    });

    it('appends after the last version', async () => {
      await store().appendToStream('c-next', [discovered('c-next')], appendOptions(0));
      const next = await store().appendToStream(
        'c-next',
        [prepared('c-next', 1), submitted('c-next', 1, 'job-1')],
        appendOptions(1),
      );
      expect(next.nextExpectedVersion).to.equal(3);
      expect(next.events.map((e) => e.version)).to.deep.equal([2, 3]);
    });

    it('reads a 250-event stream in order, page by page, and from a version on', async () => {
      const id = 'c-long';
      await store().appendToStream(id, [discovered(id)], appendOptions(0));
      for (let version = 1; version < 250;) {
        const count = Math.min(100, 250 - version);
        version = (
          await store().appendToStream(
            id,
            Array.from({ length: count }, (_, i) => statusChanged(id, version + i)),
            appendOptions(version),
          )
        ).nextExpectedVersion;
      }
      const seen: StoredEvent[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const page = await store().readStream(id, { maxCount: 60, continuationToken: token });
        expect(page.items.length).to.be.at.most(60);
        seen.push(...page.items);
        token = page.continuationToken;
        pages += 1;
      } while (token);
      expect(pages).to.be.at.least(5);
      expect(seen.map((e) => e.version)).to.deep.equal(Array.from({ length: 250 }, (_, i) => i + 1));
      expect((await store().readStream(id, { fromVersion: 248 })).items.map((e) => e.version)).to.deep.equal([
        248, 249, 250,
      ]);
    });

    it('lists every stream once, paged', async () => {
      for (const id of ['c-list-a', 'c-list-b', 'c-list-c']) {
        await store().appendToStream(
          id,
          [discovered(id), terminal(id, 'Pass'), completed(id, 'Pass')],
          appendOptions(0),
        );
      }
      const ids: string[] = [];
      let token: string | undefined;
      do {
        const page = await store().listStreams({ maxCount: 2, continuationToken: token });
        expect(page.items.length).to.be.at.most(2);
        ids.push(...page.items);
        token = page.continuationToken;
      } while (token);
      expect(ids).to.include.members(['c-list-a', 'c-list-b', 'c-list-c']);
      expect(new Set(ids).size).to.equal(ids.length);
    });
  });
}
