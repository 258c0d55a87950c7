// Outcomes Azure decides in the extension's out-of-process shim on DTFx, through the engine's replay model.
import { expect } from 'chai';
import path from 'node:path';
import { createTestHost, type TestHost } from '@saga/devhost/testkit';
import { EventType } from '@saga/devhost/engine';

const APP = path.join(__dirname, '../apps/dtfx-sample/index.ts');
const HOUR = 3600_000;
const DAY = 24 * HOUR;

describe('durable engine: outcomes as the Durable extension and DTFx decide them', () => {
  let host: TestHost;
  afterEach(async () => host?.close());
  const startHost = async (activities = {}): Promise<TestHost> =>
    (host = await createTestHost({ app: APP, activities }));
  const completedAfter = (r: { history: { EventType: number; Timestamp: string }[] }, startedAt: number): number => {
    const end = r.history.find((e) => e.EventType === EventType.ExecutionCompleted);
    return Date.parse(String(end?.Timestamp)) - startedAt;
  };

  it("fails with DTFx's NonDeterministicOrchestrationException when a retrying task wins a race whose timer is then cancelled", async () => {
    await startHost({ Publish: [{ throw: 'topic answered 503' }, { return: 'published' }] });
    const r = await host.run('RetryWinsCancelledRace');
    expect(r.status).to.equal('Failed');
    expect(r.output).to.equal(
      'Non-Deterministic workflow detected: A previous execution of this orchestration scheduled a timer task with sequence number 2 named ' +
        'but the current orchestration replay instead produced a ScheduleTaskOrchestratorAction action with this sequence number. ' +
        'Was a change made to the orchestrator code after this instance had already started running?',
    );
  });

  it('completes the same race when the retrying task succeeds at once (no retry id was taken)', async () => {
    await startHost();
    const r = await host.run('RetryWinsCancelledRace');
    expect(r.status).to.equal('Completed');
    expect(r.output).to.equal('after the race');
  });

  it('completes the race with a plain activity that fails: its one id was taken when it was created', async () => {
    await startHost({ Publish: [{ throw: 'topic answered 503' }] });
    const r = await host.run('PlainWinsCancelledRace');
    expect(r.status).to.equal('Completed');
    expect(r.output).to.equal('after the race');
  });

  it('completes an orchestration that returned with a timer still pending only when that timer fires', async () => {
    await startHost();
    const started = host.clock.now().getTime();
    const r = await host.run('ReturnsWithOpenTimer');
    expect(r.status).to.equal('Completed');
    expect(r.output).to.equal('returned');
    expect(completedAfter(r, started)).to.equal(HOUR);
  });

  it('fails an orchestration that threw with a timer still pending only when that timer fires', async () => {
    await startHost();
    const started = host.clock.now().getTime();
    const r = await host.run('ThrowsWithOpenTimer');
    expect(r.status).to.equal('Failed');
    expect(r.output).to.equal("Orchestrator function 'ThrowsWithOpenTimer' failed: gave up");
    expect(completedAfter(r, started)).to.equal(HOUR);
  });

  it('continues as new only when the pending timer fires, carrying an event raised meanwhile into the next execution', async () => {
    await startHost();
    const started = host.clock.now().getTime();
    const r = await host.run('ContinuesWithOpenTimer', 0, {
      events: [{ at: 10 * 60_000, name: 'Next', data: 'carried' }],
    });
    expect(r.status).to.equal('Completed');
    expect(r.output).to.deep.equal({ generation: 1, next: 'carried', at: new Date(started + HOUR).toISOString() });
  });

  it('leaves an orchestration that threw a non-Error Running, as the extension does (its state carries no error)', async () => {
    await startHost();
    const r = await host.run('ThrowsString');
    expect(r.status).to.equal('Running');
    expect(r.history.some((e) => e.EventType === EventType.ExecutionCompleted)).to.equal(false);
  });

  it('splits a 10-day timer as the extension does for Azure Storage (3-day parts, then the remainder) and fires it on time', async () => {
    await startHost();
    const started = host.clock.now().getTime();
    const r = await host.run('TenDays');
    expect(r.status).to.equal('Completed');
    expect(Date.parse(String(r.output)) - started).to.equal(10 * DAY);
    const parts = r.history
      .filter((e) => e.EventType === EventType.TimerCreated)
      .map((e) => (Date.parse(String(e.FireAt)) - started) / DAY);
    expect(parts).to.deep.equal([3, 6, 9, 10]);
  });
});
