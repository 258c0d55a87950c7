import * as chai from 'chai';
import { runCli, silentLog, engineTaskHub } from '@saga/devhost';
import {
  createDurableEngine,
  createMemoryStore,
  realClock,
  type DurableEngine,
  type ActivityMessage,
} from '@saga/devhost/engine';
import { loadApp } from '@saga/devhost/internals';
import { SAMPLE_APP } from './sampleHost';

const { expect } = chai;

type Running = Awaited<ReturnType<typeof runCli>>;

/** runCli with its banner captured instead of printed. */
async function startCli(extra: string[]): Promise<{ running: Running; banner: string }> {
  const printed: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => {
    printed.push(args.map(String).join(' '));
  };
  try {
    const running = await runCli(['--app', SAMPLE_APP, '--port', '0', '--storage', 'memory', ...extra]);
    return { running, banner: printed.join('\n') };
  } finally {
    console.log = original;
  }
}

describe('devhost activity lease (--activity-lease-seconds, host.json workItemQueueVisibilityTimeout)', function () {
  this.timeout(60_000);
  const started: Running[] = [];
  after(async () => {
    for (const r of started) await r.stop();
  });

  it('renews the lease while the activity runs, so a second host never starts it again', async () => {
    // The app's registrations without a host, so no timer of the sample app runs meanwhile.
    const app = await loadApp(SAMPLE_APP, { warn: () => undefined });
    const store = createMemoryStore();
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    let entered = false;
    let secondRan = false;
    const engine = (
      name: string,
      override: NonNullable<Parameters<typeof createDurableEngine>[0]['activityOverride']>,
    ): DurableEngine =>
      createDurableEngine({
        registrations: app.registrations,
        store,
        clock: realClock(),
        taskHubName: name,
        activityLeaseMs: 1000,
        pollIntervalMs: 50,
        log: () => undefined,
        activityOverride: override,
      });
    const first = engine('LeaseA', async () => {
      entered = true;
      await held;
      return 'from A';
    });
    const second = engine('LeaseB', async () => {
      secondRan = true;
      return 'from B';
    });
    await first.start();
    try {
      await first.startNew('Quick', { instanceId: 'lease-1', input: 1 });
      const leaseOf = async (): Promise<number> =>
        ((await store.dueMessages(Date.now())).find((m) => m.kind === 'activity') as ActivityMessage | undefined)
          ?.leaseUntil ?? 0;
      while (!entered) await new Promise((r) => setTimeout(r, 20));
      await second.start();
      // Three renewals: the first lease has long run out, yet the second host has not taken the activity.
      let last = await leaseOf();
      let renewals = 0;
      for (const giveUp = Date.now() + 15_000; renewals < 3 && Date.now() < giveUp;) {
        await new Promise((r) => setTimeout(r, 50));
        const now = await leaseOf();
        if (now > last) renewals++;
        last = now;
      }
      expect(renewals).to.equal(3);
      expect(secondRan).to.equal(false);
      release();
      expect((await first.waitForInstance('lease-1')).output).to.equal('from A');
    } finally {
      release();
      await second.stop();
      await first.stop();
    }
  });

  it('hands --activity-lease-seconds to the engine and names it in the banner', async () => {
    const { running, banner } = await startCli(['--activity-lease-seconds', '5']);
    started.push(running);
    expect(running.host.taskHub.activityLeaseMs).to.equal(5000);
    expect(banner).to.match(/^Activity lease: +5 s /m);
  });

  it('keeps the 60 s default and says nothing about it when neither the flag nor host.json sets it', async () => {
    const { running, banner } = await startCli([]);
    started.push(running);
    expect(running.host.taskHub.activityLeaseMs).to.equal(60_000);
    expect(banner).to.include('Host started.');
    expect(banner).not.to.include('Activity lease');
  });

  it('takes host.json workItemQueueVisibilityTimeout unless the flag overrides it', async () => {
    const { running } = await startCli([]);
    started.push(running);
    const app = { ...running.host.app, config: { ...running.host.app.config, activityLeaseMs: 300_000 } };
    const fromHostJson = await engineTaskHub({ kind: 'memory' }, silentLog)(app);
    const fromFlag = await engineTaskHub({ kind: 'memory' }, silentLog, { activityLeaseMs: 5000 })(app);
    expect(fromHostJson.activityLeaseMs).to.equal(300_000);
    expect(fromFlag.activityLeaseMs).to.equal(5000);
  });
});
