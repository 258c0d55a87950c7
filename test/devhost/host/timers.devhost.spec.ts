import * as chai from 'chai';
import { eventually, startSampleHost, type SampleHost } from './sampleHost';

const { expect } = chai;

interface Runs {
  tick: {
    timer: {
      schedule: unknown;
      scheduleStatus: { last: string; next: string; lastUpdated: string } | null;
      isPastDue: boolean;
    };
    functionName: string;
  }[];
  slow: { start: number; end: number }[];
}
const runs = (): Runs => (globalThis as unknown as { __hostSampleTimerRuns: Runs }).__hostSampleTimerRuns;

describe('devhost timer triggers (host-sample app)', () => {
  let s: SampleHost;

  before(async () => {
    // The runs log is per process: forget the runs of hosts that earlier spec files started.
    const previous = (globalThis as unknown as { __hostSampleTimerRuns?: Runs }).__hostSampleTimerRuns;
    if (previous) {
      previous.tick.length = 0;
      previous.slow.length = 0;
    }
    s = await startSampleHost();
  });
  after(async () => {
    await s?.host.stop();
  });

  it('refuses to start when a %SETTING% schedule is not set, naming the setting (the host has no default)', async () => {
    const saved = process.env.HOST_SAMPLE_SLOW_SCHEDULE;
    delete process.env.HOST_SAMPLE_SLOW_SCHEDULE;
    try {
      let error: unknown;
      await startSampleHost().catch((e: unknown) => {
        error = e;
      });
      expect(String(error)).to.include(
        'Timer function "SlowTick": schedule refers to the app setting %HOST_SAMPLE_SLOW_SCHEDULE%, which is not set',
      );
    } finally {
      process.env.HOST_SAMPLE_SLOW_SCHEDULE = saved;
    }
  });

  it('resolves %SETTING% schedules and lists each timer with its next occurrence', () => {
    const slow = s.host.timers.find((t) => t.functionName === 'SlowTick');
    expect(slow?.schedule).to.equal('*/1 * * * * *');
    expect(s.host.timers.find((t) => t.functionName === 'Tick')?.next).to.be.instanceOf(Date);
  });

  it('runs on startup, then on its schedule, with the camelCased timer payload', async () => {
    const tick = await eventually(() => runs().tick.length >= 3 && runs().tick, 'three Tick runs');
    const [first, , third] = tick;
    chai.assert.exists(first, 'the startup run');
    chai.assert.exists(third, 'the third run');
    expect(first.functionName).to.equal('Tick');
    expect(first.timer.schedule).to.deep.equal({ adjustForDST: true });
    expect(first.timer.scheduleStatus?.last).to.equal('0001-01-01T00:00:00');
    expect(first.timer.isPastDue).to.equal(false);
    // Later runs report the previous occurrence as `last` and the following one as `next`.
    const later = third.timer.scheduleStatus;
    expect(Date.parse(later?.next ?? '')).to.be.greaterThan(Date.parse(later?.last ?? ''));
  });

  it('never overlaps a slow run with itself, skipping occurrences and saying so', async () => {
    await eventually(() => runs().slow.filter((r) => r.end > 0).length >= 2, 'two finished SlowTick runs');
    const slow = runs().slow;
    for (const [i, run] of slow.entries()) {
      const previous = slow[i - 1];
      if (previous) expect(run.start, `run ${i} started before run ${i - 1} ended`).to.be.at.least(previous.end);
    }
    expect(
      s.logs.some((l) => l.level === 'warning' && /Timer 'SlowTick': skipped the occurrence/.test(l.message)),
    ).to.equal(true);
  });

  it('stops firing once the host stops', async () => {
    await s.host.stop();
    const count = runs().tick.length;
    await new Promise((r) => setTimeout(r, 1500));
    expect(runs().tick.length).to.equal(count);
  });
});
