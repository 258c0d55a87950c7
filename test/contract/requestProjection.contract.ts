/**
 * What every RequestProjection must do, run against the in-memory projection (test/unit/adapters) and the
 * Cosmos projection (test/integration/cosmos). `fresh` gives an empty event store and a projection over it
 * that reads missed events from that store.
 */
import { expect, use } from 'chai';
import chaiAsPromised from 'chai-as-promised';
import type { EventStore, RequestProjection, RequestView } from '../../src/application/ports';
import { ValidationError } from '../../src/application/errors';
import type { RequestEvent, StoredEvent } from '../../src/domain/events';
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

export function requestProjectionContract(
  fresh: () => Promise<{ events: EventStore; projection: RequestProjection }>,
): void {
  describe('RequestProjection contract', () => {
    let events: EventStore;
    let projection: RequestProjection;
    beforeEach(async () => {
      ({ events, projection } = await fresh());
    });
    const append = async (id: string, expectedVersion: number, batch: RequestEvent[]): Promise<StoredEvent[]> =>
      (await events.appendToStream(id, batch, appendOptions(expectedVersion))).events;

    it('folds appended events into the view and keeps the folded state', async () => {
      const stored = await append('v-fold', 0, [
        discovered('v-fold'),
        prepared('v-fold', 1),
        submitted('v-fold', 1, 'job-7'),
      ]);
      const view = await projection.apply('v-fold', stored);
      expect(view).to.deep.include({
        id: 'v-fold',
        stage: 'Submitted',
        attempt: 1,
        externalJobId: 'job-7',
        lastExternalStatus: 'Created',
        version: 3,
        needsIntervention: false,
      });
      expect(view.intake).to.deep.equal({ partitionKey: 'p1', rowKey: 'v-fold' });
      expect(await projection.get('v-fold')).to.deep.equal(view);
      expect((await projection.getState('v-fold'))?.state).to.deep.include({
        version: 3,
        stage: 'Submitted',
        externalJobId: 'job-7',
      });
      expect(await projection.get('v-unknown')).to.equal(undefined);
    });

    it('ignores old and duplicate events (replays are no-ops)', async () => {
      const first = await append('v-guard', 0, [discovered('v-guard'), prepared('v-guard', 1)]);
      const second = await append('v-guard', 2, [submitted('v-guard', 1, 'job-1'), terminal('v-guard', 'Pass')]);
      await projection.apply('v-guard', first);
      const afterSecond = await projection.apply('v-guard', second);
      expect(afterSecond).to.deep.include({ stage: 'Terminal', outcome: 'Pass', version: 4 });
      expect(await projection.apply('v-guard', first)).to.deep.equal(afterSecond);
      expect(await projection.apply('v-guard', second)).to.deep.equal(afterSecond);
      expect(await projection.get('v-guard')).to.deep.equal(afterSecond);
    });

    it('does not lose an update when two writers race on the same view', async () => {
      const stored = await append('v-race', 0, [
        discovered('v-race'),
        prepared('v-race', 1),
        submitted('v-race', 1, 'job-1'),
        statusChanged('v-race', 1),
      ]);
      await projection.apply('v-race', stored.slice(0, 1));
      await Promise.all([
        projection.apply('v-race', stored.slice(1, 4)),
        projection.apply('v-race', stored.slice(1, 3)),
      ]);
      expect(await projection.get('v-race')).to.deep.include({
        version: 4,
        stage: 'Polling',
        lastExternalStatus: 'Inprogress',
      });
    });

    it('reads events it missed from the stream when an earlier update was lost', async () => {
      const discoveredEvent = await append('v-gap', 0, [discovered('v-gap')]);
      await projection.apply('v-gap', discoveredEvent);
      await append('v-gap', 1, [prepared('v-gap', 1), submitted('v-gap', 1, 'job-gap')]);
      const statusEvent = await append('v-gap', 3, [statusChanged('v-gap', 1)]);
      expect(await projection.apply('v-gap', statusEvent)).to.deep.include({
        version: 4,
        stage: 'Polling',
        attempt: 1,
        externalJobId: 'job-gap',
      });
    });

    it('refuses to create a view from no events', async () => {
      await expect(projection.apply('v-none', [])).to.be.rejectedWith(ValidationError, /no events/);
    });

    it('lists views by stage and by outcome, paged, and refuses an unknown stage', async () => {
      for (const [id, outcome] of [
        ['v-done-1', 'Fail'],
        ['v-done-2', 'Fail'],
        ['v-done-3', 'Fail'],
        ['v-done-4', 'Pass'],
      ] as const) {
        await projection.apply(
          id,
          await append(id, 0, [discovered(id), terminal(id, outcome), completed(id, outcome)]),
        );
      }
      await projection.apply('v-open', await append('v-open', 0, [discovered('v-open')]));
      const all: RequestView[] = [];
      let token: string | undefined;
      do {
        const page = await projection.list({ stage: 'Completed', top: 2, continuationToken: token });
        expect(page.items.length).to.be.at.most(2);
        all.push(...page.items);
        token = page.continuationToken;
      } while (token);
      expect(all.map((v) => v.id).sort()).to.deep.equal(['v-done-1', 'v-done-2', 'v-done-3', 'v-done-4']);
      expect((await projection.list({ outcome: 'Fail', top: 100 })).items.map((v) => v.id).sort()).to.deep.equal([
        'v-done-1',
        'v-done-2',
        'v-done-3',
      ]);
      await expect(projection.list({ stage: 'Sleeping' as never })).to.be.rejectedWith(
        ValidationError,
        /stage must be one of/,
      );
    });

    it("counts views by stage and outcome, and filters the dashboard's way (updated range, newest first)", async () => {
      for (const [id, outcome] of [
        ['c-done-1', 'Fail'],
        ['c-done-2', 'Pass'],
      ] as const) {
        await projection.apply(
          id,
          await append(id, 0, [discovered(id), terminal(id, outcome), completed(id, outcome)]),
        );
      }
      await projection.apply('c-open', await append('c-open', 0, [discovered('c-open')]));
      const counts = await projection.counts();
      expect(counts).to.deep.equal({
        total: 3,
        byStage: { Completed: 2, Discovered: 1 },
        byOutcome: { Fail: 1, Pass: 1 },
        needsIntervention: 0,
      });
      const newest = (await projection.list({ newestFirst: true, top: 10 })).items.map((v) => v.updatedAt);
      expect(newest).to.deep.equal([...newest].sort().reverse());
      const after = newest[newest.length - 1] as string;
      expect((await projection.list({ updatedFrom: '2999-01-01T00:00:00.000Z', top: 10 })).items).to.deep.equal([]);
      expect(
        (await projection.list({ updatedTo: after, needsIntervention: false, top: 10 })).items.length,
      ).to.be.at.least(1);
      expect((await projection.list({ needsIntervention: true, top: 10 })).items).to.deep.equal([]);
    });

    it('rebuilds every view from the event store, also for streams it never saw', async () => {
      await projection.apply('v-seen', await append('v-seen', 0, [discovered('v-seen')]));
      await append('v-seen', 1, [prepared('v-seen', 1)]);
      await append('v-unseen', 0, [discovered('v-unseen'), terminal('v-unseen', 'Pass')]);
      expect(await projection.rebuild(events)).to.deep.equal({ streams: 2, events: 4 });
      expect(await projection.get('v-seen')).to.deep.include({ stage: 'Prepared', version: 2 });
      expect(await projection.get('v-unseen')).to.deep.include({ stage: 'Terminal', outcome: 'Pass', version: 2 });
    });
  });
}
