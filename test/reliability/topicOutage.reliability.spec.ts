import { expect } from 'chai';
import { demoItems, seed, selfCheck, sleep } from '../../devhost/demo/demoRun';
import { FULL, cancelThroughCrashes, problemsText, size, startRig, waitTerminal, type Rig } from './harness';

/**
 * Event Grid answers 503 to every publish for a while in the middle of a run. Publishing retries
 * (short retry settings here), so afterwards every stored event has reached the topic.
 */
describe('reliability: Event Grid outage', function () {
  const outageMs = size(60_000, 10_000, 'OUTAGE_MS');
  const deadlineSeconds = size(120, 60);
  // Items that wait for their deadline finish after it, compensation and completion included.
  const finishMs = deadlineSeconds * 1000 + outageMs + size(120_000, 60_000);
  this.timeout(finishMs + 120_000);
  let rig: Rig | undefined;

  after(async () => rig?.stop());

  it(`publishes every event after a ${outageMs / 1000} s outage`, async () => {
    // Publishing during the outage happens in the background of poll waits and is carried across
    // continueAsNew, so the outage costs no saga time; only each item's final flush waits for the topic.
    // The short form leaves out the wait-for-deadline items, which would otherwise idle for 60 s.
    rig = await startRig({ settings: { WORKFLOW_DEADLINE_SECONDS: String(deadlineSeconds) } });
    const r = rig;
    const items = demoItems(size(40, 10, 'ITEMS'), 'outage').filter((i) => FULL || i.scenario !== 'never' || i.cancel);
    await seed(items, r.host.url, r.table);
    const cancelling = cancelThroughCrashes(items, r);
    await sleep(1500);
    const before = r.stack.topic.stats().rejected;
    r.stack.topic.failFor(outageMs, 503);
    await waitTerminal(r, items, finishMs);
    await cancelling;
    // Terminal items may still have publishes waiting for their next retry.
    let check = await selfCheck(items, r.services, r.table, r.stack.topic, r.host.url);
    for (let i = 0; i < 60 && !check.ok; i++) {
      await sleep(1000);
      check = await selfCheck(items, r.services, r.table, r.stack.topic, r.host.url);
    }
    expect(check.problems, problemsText(check.problems)).to.deep.equal([]);
    expect(r.stack.topic.stats().rejected, 'the outage was observed').to.be.greaterThan(before);
  });
});
