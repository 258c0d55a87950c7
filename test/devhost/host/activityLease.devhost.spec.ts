import * as chai from 'chai';
import { runCli } from '../../../devhost/cli';
import { silentLog } from '../../../devhost/host/log';
import { engineTaskHub } from '../../../devhost/host/taskHubFactory';
import { SAMPLE_APP } from './sampleHost';

const { expect } = chai;

type Running = Awaited<ReturnType<typeof runCli>>;

/** runCli with its banner captured instead of printed. */
async function startCli(extra: string[]): Promise<{ running: Running; banner: string }> {
  const printed: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => { printed.push(args.map(String).join(' ')); };
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
