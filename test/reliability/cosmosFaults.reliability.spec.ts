import { expect } from 'chai';
import { demoItems, seed, selfCheck, sleep } from '../../devhost/demo/demoRun';
import { startConnectionChaos, type ConnectionChaos } from './connectionChaos';
import { cancelThroughCrashes, problemsText, size, startRig, waitTerminal, type Rig } from './harness';

/**
 * The host's connections to Cosmos are reset mid-request again and again, new ones are refused for
 * a moment each time, and every connection is slow to open. A write whose answer is lost may have been
 * applied: retries must neither lose events nor record them twice.
 */
describe('reliability: Cosmos connection resets and latency', function () {
  this.timeout(size(600_000, 150_000));
  let rig: Rig | undefined;
  let chaos: ConnectionChaos | undefined;

  after(async () => rig?.stop());

  it('finishes every item with each event stored exactly once', async () => {
    rig = await startRig({
      // Retried Cosmos calls slow every step down: a deadline that leaves room for the cancel items'
      // cancel to arrive first (a full run once saw the deadline win that race, correctly, as TimedOut)
      // and for a FailCanRetry item's three attempts on shared cores (30 s was not enough for them).
      settings: { WORKFLOW_DEADLINE_SECONDS: String(size(120, 60)) },
      cosmosRelay: async (endpoint) => {
        chaos = await startConnectionChaos(endpoint);
        return chaos;
      },
    });
    const r = rig;
    const c = chaos!;
    const items = demoItems(size(60, 12, 'ITEMS'), 'cosmos');
    // Seeding goes first: an API call that meets a reset answers 503, which is the client's to retry.
    await seed(items, r.host.url, r.table);
    c.setLatency(30);
    let faulting = true;
    const faults = (async () => {
      while (faulting) {
        await sleep(1500);
        c.cutAll();
        c.refuseFor(300);
      }
    })();
    try {
      const cancelling = cancelThroughCrashes(items, r);
      await waitTerminal(r, items, size(540_000, 120_000));
      await cancelling;
    } finally {
      faulting = false;
      await faults;
    }
    const check = await selfCheck(items, r.services, r.table, r.stack.topic, r.host.url);
    expect(check.problems, problemsText(check.problems)).to.deep.equal([]);
    expect(c.stats().cut, 'open connections were reset').to.be.greaterThan(0);
  });
});
