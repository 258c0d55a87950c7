import { expect } from 'chai';
import { loadTest } from '../../bench/load';

/**
 * The short form of `npm run load`: a few clients for a few seconds against the devhost and the real
 * local servers. What a user checks: no 5xx, every kind of request answered, and every accepted add
 * reaches the end of its workflow. Speed is not asserted (that is the full run's job, in PERFORMANCE.md).
 */
describe('request API under load (short form of npm run load)', function () {
  this.timeout(600_000);

  it('answers adds, reads and lists from 10 clients without a 5xx, and loses no accepted add', async () => {
    const r = await loadTest(
      { connections: 10, seconds: 5, drainMinutes: 8, addShare: 0.2, readShare: 0.5 },
      () => undefined,
    );
    const fiveXx = Object.values(r.byKind)
      .flatMap((statuses) => Object.keys(statuses))
      .filter((s) => s.startsWith('5'));
    expect(fiveXx, JSON.stringify(r.byKind)).to.deep.equal([]);
    for (const kind of ['add', 'read', 'list'] as const) {
      const ok = Object.entries(r.byKind[kind])
        .filter(([s]) => s.startsWith('2'))
        .reduce((n, [, v]) => n + v, 0);
      expect(ok, `${kind} requests answered 2xx`).to.be.greaterThan(0);
    }
    expect(r.accepted).to.be.greaterThan(0);
    expect(r.lost, 'accepted adds whose workflow never ended').to.deep.equal([]);
    expect(r.terminal).to.equal(r.accepted);
    expect(r.passed).to.equal(true);
  });
});
