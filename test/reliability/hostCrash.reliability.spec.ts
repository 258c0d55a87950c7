import { expect } from 'chai';
import { demoItems, seed, selfCheck } from '../../devhost/demo/demoRun';
import { FULL, cancelThroughCrashes, problemsText, size, startRig, waitTerminal, type Rig } from './harness';

/**
 * The host process dies with SIGKILL at several points of a run and is started again on the same
 * stores. Afterwards the result must be as if nothing had happened: every item terminal, every
 * stream exactly its expected events, every stored event on the topic, intake rows and projection
 * in agreement.
 */
describe('reliability: host crash (SIGKILL) and restart', function () {
  const count = size(200, 20, 'ITEMS');
  const kills = size(5, 2, 'KILLS');
  this.timeout(size(1_200_000, 170_000));
  let rig: Rig | undefined;

  after(async () => rig?.stop());

  it(`finishes ${count} items correctly across ${kills} host kills`, async () => {
    // An activity leased by a killed host runs again when its lease ends: 5 s here (60 s by default),
    // the same recovery delay host.json's workItemQueueVisibilityTimeout sets in Azure. The deadline
    // must outlast lease + restart; the short form leaves out the wait-for-deadline scenario.
    rig = await startRig({ settings: { WORKFLOW_DEADLINE_SECONDS: '150' }, activityLeaseSeconds: 5 });
    const r = rig;
    const items = demoItems(count, 'crash').filter((i) => FULL || i.scenario !== 'never' || i.cancel);
    await seed(items, r.host.url, r.table);
    const cancelling = cancelThroughCrashes(items, r);

    // Kill points spread over the run: right after seeding, then as items finish.
    const points = Array.from({ length: kills }, (_, i) => Math.floor((i * items.length) / (kills + 1)));
    let done = 0;
    const crash = async (): Promise<void> => {
      await r.host.kill();
      await r.host.restart();
      done++;
    };
    await waitTerminal(r, items, size(1_100_000, 150_000), async (terminal) => {
      const point = points[done];
      if (point !== undefined && terminal >= point) await crash();
    });
    while (done < kills) await crash();
    await cancelling;
    await waitTerminal(r, items, 60_000);

    const check = await selfCheck(items, r.services, r.table, r.stack.topic, r.host.url);
    expect(check.problems, problemsText(check.problems)).to.deep.equal([]);
    expect(done).to.equal(kills);
    expect(check.streams).to.equal(items.filter((i) => !i.malformed).length);
  });
});
