import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { demoItems, seed, selfCheck, sleep } from '../../localdev/demo/demoRun';
import { startFaultProxy, type FaultProxy } from '@saga/devhost/localstack';
import { cancelThroughCrashes, problemsText, size, startRig, waitTerminal, type Rig } from './harness';

/**
 * Cosmos throttles the host: every fourth request answers 429 with `x-ms-retry-after-ms`, and every
 * few seconds everything is throttled for half a second, more than the SDK's own retries absorb, so
 * steps fail and Durable retries them. The proxy terminates TLS with the emulator's public development
 * certificate (loopback only) so it can answer per request. Retried steps must not record anything twice.
 */
describe('reliability: Cosmos throttling (429)', function () {
  this.timeout(size(600_000, 150_000));
  let rig: Rig | undefined;
  let proxy: FaultProxy | undefined;

  after(async () => rig?.stop());

  it('finishes every item with each event stored exactly once', async () => {
    const certDir = path.dirname(require.resolve('@vercel/cosmosdb-server/package.json'));
    rig = await startRig({
      // Retried Cosmos calls slow every step down: a deadline that leaves room for the cancel items'
      // cancel to arrive first (a full run once saw the deadline win that race, correctly, as TimedOut).
      settings: { WORKFLOW_DEADLINE_SECONDS: String(size(120, 30)) },
      cosmosRelay: async (endpoint) => {
        proxy = await startFaultProxy(endpoint, {
          tls: { cert: readFileSync(path.join(certDir, 'cert.pem')), key: readFileSync(path.join(certDir, 'key.pem')) },
        });
        return { url: `${proxy.url}/`, stop: () => proxy!.stop() };
      },
    });
    const r = rig;
    const p = proxy!;
    const items = demoItems(size(60, 12, 'ITEMS'), 'throttled');
    await seed(items, r.host.url, r.table);
    const throttled = { status: 429, headers: { 'x-ms-retry-after-ms': '50', 'x-ms-substatus': '3200' } };
    p.failEvery(4, throttled);
    let faulting = true;
    const bursts = (async () => {
      while (faulting) {
        await sleep(3000);
        p.failFor(500, throttled);
      }
    })();
    try {
      const cancelling = cancelThroughCrashes(items, r);
      await waitTerminal(r, items, size(540_000, 120_000));
      await cancelling;
    } finally {
      faulting = false;
      await bursts;
      p.clear();
    }
    const check = await selfCheck(items, r.services, r.table, r.stack.topic, r.host.url);
    expect(check.problems, problemsText(check.problems)).to.deep.equal([]);
    expect(p.stats().failed, 'requests were throttled').to.be.greaterThan(0);
  });
});
