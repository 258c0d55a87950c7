import { expect } from 'chai';
import { demoItems, seed, selfCheck } from '../../devhost/demo/demoRun';
import { cancelThroughCrashes, problemsText, size, startRig, waitTerminal, type Rig } from './harness';

/** The external service answers 30% of requests 503 and is slow: retries hide it, outcomes stay right. */
describe('reliability: flaky, slow external service', function () {
  this.timeout(size(600_000, 150_000));
  let rig: Rig | undefined;

  after(async () => rig?.stop());

  it('completes every item with its scenario outcome at 30% 5xx plus latency', async () => {
    rig = await startRig({ stack: { mock: { auth: 'off', faults: { errorRate: 0.3, seed: 7, latencyMs: 50 } } } });
    const r = rig;
    const items = demoItems(size(60, 10, 'ITEMS'), 'flaky');
    await seed(items, r.host.url, r.table);
    const cancelling = cancelThroughCrashes(items, r);
    await waitTerminal(r, items, size(540_000, 120_000));
    await cancelling;
    const check = await selfCheck(items, r.services, r.table, r.stack.topic, r.host.url);
    expect(check.problems, problemsText(check.problems)).to.deep.equal([]);
    expect(r.stack.mock.stats().faulted, 'faults were injected').to.be.greaterThan(0);
  });
});
