// The test kit must load before any app code: it installs the functions-core stand-in.
import { createTestHost, type RunResult, type TestHost } from '../../devhost/testkit';
import { expect } from 'chai';
import type { WorkflowOutput, WorkflowCustomStatus } from '../../src/application/workflow/contracts';
import { ACTIVITY, ORCHESTRATOR } from '../../src/application/workflow/contracts';
import type { WorkflowPolicy } from '../../src/domain/policies';
import { APP, input, START } from './sagaInputs';
import { fakeSteps, type Fake, type FakeOptions } from './fakeSteps';

/**
 * The saga orchestrator under the devhost's in-memory engine with a virtual clock: real
 * durable-functions replay, scripted steps. Each scenario checks what an operator would see (outcome,
 * reason, needs-intervention, custom status) and the exact steps the saga took, in order.
 */
describe('requestWorkflow saga (replay under the devhost engine, virtual clock)', function () {
  this.timeout(120_000);
  let host: TestHost | undefined;
  let fake: Fake;
  afterEach(async () => host?.close());

  async function run(id: string, options: FakeOptions, extra: { events?: { at: number; name: string; data?: unknown }[]; policy?: Partial<WorkflowPolicy> } = {}): Promise<RunResult & { out: WorkflowOutput; names: string[] }> {
    fake = fakeSteps(options);
    host = await createTestHost({ app: APP, activities: fake.activities, start: START });
    const r = await host.run(ORCHESTRATOR, input(id, extra.policy), { instanceId: id, events: extra.events });
    expect(r.status, JSON.stringify(r.output)).to.equal('Completed');
    return { ...r, out: r.output as WorkflowOutput, names: r.activityCalls.map((c) => c.name) };
  }
  const secondsAfterStart = (d: Date): number => (d.getTime() - START.getTime()) / 1000;

  it('happy path: admit, prepare, submit, poll with backoff until Pass, complete', async () => {
    const r = await run('happy', { polls: { 1: ['Inprogress', 'Inprogress', 'Pass'] } });
    expect(r.names).to.deep.equal([ACTIVITY.admit, ACTIVITY.prepare, ACTIVITY.submit, ACTIVITY.poll, ACTIVITY.poll, ACTIVITY.poll, ACTIVITY.complete]);
    expect(r.out).to.include({ outcome: 'Pass', attempts: 1, needsIntervention: false, version: fake.version(), externalJobId: 'job-1' });
    // Backoff: 15 s, then doubling (30 s, 60 s) from each previous poll.
    expect(r.activityCalls.filter((c) => c.name === ACTIVITY.poll).map((c) => secondsAfterStart(c.at))).to.deep.equal([15, 45, 105]);
    const complete = r.activityCalls.find((c) => c.name === ACTIVITY.complete)?.input as { outcome: string; expectedVersion: number };
    expect(complete).to.include({ outcome: 'Pass', expectedVersion: 5 });
    expect(r.customStatus).to.include({ stage: 'completed', attempt: 1, version: 6 });
  });

  it('caps the poll interval at the configured maximum', async () => {
    const r = await run('capped', { polls: { 1: ['Inprogress', 'Inprogress', 'Inprogress', 'Inprogress', 'Inprogress', 'Pass'] } }, { policy: { pollMaxIntervalSeconds: 40 } });
    const times = r.activityCalls.filter((c) => c.name === ACTIVITY.poll).map((c) => secondsAfterStart(c.at));
    expect(times.slice(1).map((t, i) => t - times[i])).to.deep.equal([30, 40, 40, 40, 40]);
  });

  it('FailCanRetry then Pass: prepares and submits attempt 2 in a fresh execution', async () => {
    const r = await run('retry', { polls: { 1: ['Inprogress', 'FailCanRetry'], 2: ['Inprogress', 'Pass'] } });
    expect(r.names).to.deep.equal([
      ACTIVITY.admit, ACTIVITY.prepare, ACTIVITY.submit, ACTIVITY.poll, ACTIVITY.poll,
      ACTIVITY.prepare, ACTIVITY.submit, ACTIVITY.poll, ACTIVITY.poll, ACTIVITY.complete,
    ]);
    const attempts = r.activityCalls.filter((c) => c.name === ACTIVITY.submit).map((c) => (c.input as { attempt: number }).attempt);
    expect(attempts).to.deep.equal([1, 2]);
    expect(r.out).to.include({ outcome: 'Pass', attempts: 2, externalJobId: 'job-2', needsIntervention: false });
  });

  it('attempts exhausted: FailCanRetry on every attempt ends as Fail after the last one, with no compensation', async () => {
    const r = await run('exhausted', { polls: { 1: ['FailCanRetry'], 2: ['FailCanRetry'], 3: ['FailCanRetry'] } });
    expect(r.names.filter((n) => n === ACTIVITY.submit)).to.have.length(3);
    expect(r.names).to.not.include(ACTIVITY.cancelJob);
    expect(r.out).to.include({ outcome: 'Fail', attempts: 3, needsIntervention: false });
  });

  it('deadline: a job that never finishes is cancelled and the request completes TimedOut, a day of polling in milliseconds', async () => {
    const started = Date.now();
    const r = await run('deadline', { polls: { 1: ['Inprogress'] } });
    expect(r.names.slice(-2)).to.deep.equal([ACTIVITY.cancelJob, ACTIVITY.complete]);
    expect(r.out).to.include({ outcome: 'TimedOut', needsIntervention: false });
    expect(r.out.reason).to.match(/deadline 2024-01-02T00:00:00.000Z passed/);
    const cancel = r.activityCalls.find((c) => c.name === ACTIVITY.cancelJob);
    expect(secondsAfterStart(cancel?.at as Date)).to.equal(86_400);
    // Polls were capped at 5 minutes: roughly 24 h / 5 min of them.
    expect(r.names.filter((n) => n === ACTIVITY.poll).length).to.be.within(280, 300);
    expect(Date.now() - started, 'virtual time, not real time').to.be.below(60_000);
  });

  it('operator cancel mid-poll acts at once, not at the next poll, and compensates', async () => {
    const r = await run('cancel', { polls: { 1: ['Inprogress'] } }, { events: [{ at: 50_000, name: 'cancel', data: { reason: 'operator says stop' } }] });
    const polls = r.activityCalls.filter((c) => c.name === ACTIVITY.poll).map((c) => secondsAfterStart(c.at));
    expect(polls).to.deep.equal([15, 45]); // the next poll would have been at 105 s
    const cancel = r.activityCalls.find((c) => c.name === ACTIVITY.cancelJob);
    expect(secondsAfterStart(cancel?.at as Date)).to.equal(50);
    expect(cancel?.input).to.include({ externalJobId: 'job-1', reason: 'operator says stop' });
    expect(r.out).to.include({ outcome: 'Cancelled', reason: 'operator says stop' });
  });

  it('a cancel raised while submitting is not lost across continueAsNew, and the just-created job is cancelled', async () => {
    const r = await run('early-cancel', { polls: { 1: ['Inprogress'] } }, { events: [{ at: 0, name: 'cancel', data: { reason: 'changed my mind' } }] });
    expect(r.names).to.deep.equal([ACTIVITY.admit, ACTIVITY.prepare, ACTIVITY.submit, ACTIVITY.cancelJob, ACTIVITY.complete]);
    expect(r.out).to.include({ outcome: 'Cancelled', reason: 'changed my mind' });
  });

  it('a non-retriable submit failure completes the request as Fail, with nothing to undo', async () => {
    const r = await run('refused', { polls: {}, submit: 'refused' });
    expect(r.names).to.deep.equal([ACTIVITY.admit, ACTIVITY.prepare, ACTIVITY.submit, ACTIVITY.complete]);
    expect(r.out).to.include({ outcome: 'Fail', needsIntervention: false });
    expect(r.out.reason).to.match(/^submit failed: .*payload rejected/);
  });

  it('a failing compensation is recorded and leaves the request needing manual intervention', async () => {
    const r = await run('stuck', { polls: { 1: ['Inprogress'] }, cancel: 'refused' }, { events: [{ at: 20_000, name: 'cancel', data: { reason: 'stop' } }] });
    expect(r.names.slice(-2)).to.deep.equal([ACTIVITY.cancelJob, ACTIVITY.recordCompensationFailure]);
    expect(r.names).to.not.include(ACTIVITY.complete);
    expect(r.activityCalls.at(-1)?.input).to.include({ step: 'cancelJob' });
    expect(r.out).to.include({ outcome: 'Cancelled', needsIntervention: true });
    expect((r.customStatus as WorkflowCustomStatus).stage).to.equal('needsIntervention');
  });

  it('a transient step failure is retried after the retry interval and changes nothing else', async () => {
    const r = await run('transient', { polls: { 1: ['Inprogress', 'Inprogress', 'Pass'] }, failOnce: [ACTIVITY.poll] });
    expect(fake.calls[ACTIVITY.poll]).to.equal(4);
    const polls = r.activityCalls.filter((c) => c.name === ACTIVITY.poll).map((c) => secondsAfterStart(c.at));
    expect(polls.slice(0, 2)).to.deep.equal([15, 16]); // retried 1 s later (stepFirstRetryMs)
    expect(r.out).to.include({ outcome: 'Pass', attempts: 1, version: 6 });
  });

  it('events the fast path could not publish are handed to publishEvents before the execution continues', async () => {
    const r = await run('unpublished', { polls: { 1: ['Pass'] }, unpublishedOnAdmit: true });
    const i = r.names.indexOf(ACTIVITY.publish);
    expect(r.names.slice(0, i + 1)).to.deep.equal([ACTIVITY.admit, ACTIVITY.prepare, ACTIVITY.submit, ACTIVITY.publish]);
    expect(r.activityCalls[i].input).to.deep.equal({ requestId: 'unpublished', versions: [1] });
    expect(r.out).to.include({ outcome: 'Pass', needsIntervention: false });
  });

  it('an Event Grid outage longer than the publish retries flags the request but keeps its outcome', async () => {
    const r = await run('eg-down', { polls: { 1: ['Pass'] }, unpublishedOnAdmit: true, publish: 'down' });
    // Retried at each flush (3 attempts before continueAsNew, carried over, 3 more before completing).
    expect(fake.calls[ACTIVITY.publish]).to.equal(6);
    expect(r.out).to.include({ outcome: 'Pass', needsIntervention: true });
    expect(r.out.unpublishedVersions).to.deep.equal([1]);
    expect(r.names).to.include(ACTIVITY.complete);
  });

  it('continueAsNew keeps every execution\'s history bounded while a 1,000-poll workflow completes', async () => {
    const polls = [...Array<'Inprogress'>(999).fill('Inprogress'), 'Pass' as const];
    fake = fakeSteps({ polls: { 1: polls } });
    host = await createTestHost({ app: APP, activities: fake.activities, start: START });
    const before = host.engine.stats();
    const r = await host.run(ORCHESTRATOR, input('long', { pollInitialDelaySeconds: 1, pollMaxIntervalSeconds: 1, deadlineSeconds: 10_000_000 }), { instanceId: 'long' });
    const after = host.engine.stats();
    expect((r.output as WorkflowOutput).outcome).to.equal('Pass');
    expect(r.activityCalls.filter((c) => c.name === ACTIVITY.poll)).to.have.length(1000);
    // One poll adds 8 history events (timer created/fired, task scheduled/completed, 2 episode
    // boundaries each); 20 polls per execution plus the start and checkpoint events stay under 200.
    const BOUND = 200;
    expect(r.history.length).to.be.below(BOUND);
    const episodes = after.episodes - before.episodes;
    const replayed = after.historyEventsReplayed - before.historyEventsReplayed;
    expect(replayed / episodes, `${replayed} events replayed over ${episodes} episodes`).to.be.below(BOUND);
  });
});
