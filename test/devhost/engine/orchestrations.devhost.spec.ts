import { assert, expect } from 'chai';
import path from 'node:path';
import { createTestHost, type TestHost } from '@saga/devhost/testkit';
import { EventType } from '@saga/devhost/engine';

const APP = path.join(__dirname, '../apps/engine-sample/index.ts');

describe('durable engine: orchestrations through the real durable-functions SDK', () => {
  let host: TestHost;
  before(async () => {
    host = await createTestHost({ app: APP });
  });
  after(async () => {
    await host.close();
  });

  it('runs a chain of activities in order and returns their results', async () => {
    const r = await host.run('Chain');
    expect(r.status).to.equal('Completed');
    expect(r.output).to.deep.equal(['Hello Tokyo', 'Hello Seattle', 'Hello London']);
    expect(r.activityCalls.map((c) => c.input)).to.deep.equal(['Tokyo', 'Seattle', 'London']);
  });

  it('retries a failing activity on the DTFx timeline and succeeds on the third attempt', async () => {
    const r = await host.run('RetryThenSucceed');
    expect(r.status).to.equal('Completed');
    const [firstCall] = r.activityCalls;
    assert.exists(firstCall, 'the activity was called');
    const start = firstCall.at.getTime();
    expect(r.activityCalls.map((c) => c.at.getTime() - start)).to.deep.equal([0, 1000, 3000]);
    expect(r.output).to.deep.include({ result: { attempts: 3 } });
    const failures = r.history.filter((e) => e.EventType === EventType.TaskFailed);
    expect(failures).to.have.length(2);
    expect(failures[0]?.Reason).to.equal("Activity function 'Flaky' failed: flaky failure #1");
  });

  it('surfaces an exhausted retry only after the final immediate timer, 500 ms after the first failure', async () => {
    const r = await host.run('RetryExhaust');
    expect(r.status).to.equal('Completed');
    const out = r.output as { error: string; startedAt: string; caughtAt: string };
    expect(out.error).to.contain("Activity function 'Flaky' failed: flaky failure #2");
    expect(Date.parse(out.caughtAt) - Date.parse(out.startedAt)).to.equal(500);
    expect(r.activityCalls).to.have.length(2);
    const timers = r.history.filter((e) => e.EventType === EventType.TimerCreated);
    expect(timers).to.have.length(2);
  });

  it('lets an external event win the race against a timer', async () => {
    const started = host.clock.now().getTime();
    const r = await host.run('Race', undefined, { events: [{ at: 10 * 60_000, name: 'Approval', data: 'alice' }] });
    expect(r.output).to.deep.equal({
      outcome: 'approved',
      by: 'alice',
      at: new Date(started + 10 * 60_000).toISOString(),
    });
    // The canceled one-hour timer was dropped, so virtual time did not jump to it.
    expect(host.clock.now().getTime() - started).to.equal(10 * 60_000);
  });

  it('lets the timer win when the event comes too late, at exactly the deadline', async () => {
    const started = host.clock.now().getTime();
    const r = await host.run('Race', undefined, { events: [{ at: 2 * 3600_000, name: 'Approval', data: 'bob' }] });
    const out = r.output as { outcome: string; at: string };
    expect(out.outcome).to.equal('timeout');
    expect(Date.parse(out.at) - started).to.equal(3600_000);
  });

  it('delivers an event raised before the code waits for it', async () => {
    const r = await host.run('EarlyEvent', undefined, { events: [{ at: 0, name: 'Go', data: { early: true } }] });
    expect(r.status).to.equal('Completed');
    expect(r.output).to.deep.equal({ greeting: 'Hello early', go: { early: true } });
  });

  it('fans out 50 activities with Task.all', async () => {
    const r = await host.run('FanOut', 50);
    expect(r.status).to.equal('Completed');
    expect(r.output).to.equal((49 * 50) / 2);
    expect(r.activityCalls).to.have.length(50);
  });

  it('continues as new 100 times with a fresh history each generation', async () => {
    const r = await host.run('Counter', { count: 0, until: 100 });
    expect(r.status).to.equal('Completed');
    expect(r.output).to.deep.equal({ count: 100 });
    expect(r.activityCalls).to.have.length(100);
    const started = r.history.filter((e) => e.EventType === EventType.ExecutionStarted);
    expect(started).to.have.length(1);
    expect(r.history.filter((e) => e.EventType === EventType.TaskScheduled)).to.have.length(0);
  });

  it('runs a sub-orchestration and hands its output to the parent', async () => {
    const r = await host.run('Parent', undefined, { instanceId: 'family' });
    expect(r.status).to.equal('Completed');
    expect(r.output).to.deep.equal({ child: 'Hello Paris' });
    const child = await host.status('family-child');
    expect(child?.runtimeStatus).to.equal('Completed');
    expect(child?.input).to.deep.equal({ city: 'Paris' });
  });

  it('reports custom status while waiting and after finishing', async () => {
    const waiting = await host.run('Staged', undefined, { instanceId: 'staged-1' });
    expect(waiting.status).to.equal('Running');
    expect(waiting.customStatus).to.deep.equal({ stage: 'waiting' });
    await host.engine.raiseEvent('staged-1', 'Go', 42);
    await host.engine.whenIdle();
    const done = await host.status('staged-1');
    expect(done).to.deep.include({ runtimeStatus: 'Completed', output: 42, customStatus: { stage: 'done' } });
  });

  it("fails an instance whose custom status is over the extension's 16 KB, and keeps one just under it", async () => {
    // 8,701 characters of JSON (the string plus its quotes) are 17,402 UTF-16 bytes: 16 whole KB.
    const fits = await host.run('BigStatus', 8699);
    expect(fits.status).to.equal('Completed');
    const tooBig = await host.run('BigStatus', 8704);
    expect(tooBig.status).to.equal('Failed');
    expect(tooBig.output).to.equal(
      "Orchestrator function 'BigStatus' failed: The UTF-16 size of the JSON-serialized payload must not exceed 16 KB. The current payload size is 17 KB.",
    );
  });

  it('fails the instance with the extension wording when the orchestrator throws', async () => {
    const r = await host.run('Boom');
    expect(r.status).to.equal('Failed');
    expect(r.output).to.equal("Orchestrator function 'Boom' failed: boom in orchestrator");
  });

  it('finishes a workflow that waits 7 days instantly under the virtual clock', async () => {
    const r = await host.run('SevenDays');
    const out = r.output as { startedAt: string; finishedAt: string; greeting: string };
    expect(r.status).to.equal('Completed');
    expect(out.greeting).to.equal('Hello next week');
    expect(Date.parse(out.finishedAt) - Date.parse(out.startedAt)).to.equal(7 * 24 * 3600_000);
  });

  it('uses scripted activities when the host is given some', async () => {
    const scriptedHost = await createTestHost({
      app: APP,
      activities: { Hello: [{ throw: 'down' }, { return: 'hi' }] },
    });
    try {
      const r = await scriptedHost.run('EarlyEvent', undefined, { events: [{ at: 5, name: 'Go', data: 1 }] });
      expect(r.status).to.equal('Failed');
      expect(r.output).to.contain("Activity function 'Hello' failed: down");
    } finally {
      await scriptedHost.close();
    }
  });
});
