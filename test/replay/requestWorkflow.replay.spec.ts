// The test kit must load before any app code: it installs the functions-core stand-in.
import { createTestHost, type ActivityCall, type RunResult, type TestHost } from '@saga/devhost/testkit';
import { expect } from 'chai';
import type { WorkflowCustomStatus, WorkflowOutput } from '../../src/application/workflow/contracts';
import { ORCHESTRATOR } from '../../src/application/workflow/contracts';
import type { WorkflowPolicy } from '../../src/domain/policies';
import type { ResumePoint } from '../../src/domain/resume';
import { DEMO_TIMINGS } from '../../localdev/demo/localStack';
import { APP, input, POLICY, START } from './sagaInputs';
import { activitiesOf, fakeSteps, type Fake, type FakeOptions } from './fakeSteps';

/**
 * The saga orchestrator under the devhost's in-memory engine with a virtual clock: real
 * durable-functions replay, scripted steps that keep a stream version like the real ones. Each
 * scenario checks what an operator would see (outcome, attempts, reason, needs-intervention, custom
 * status) and the exact steps the saga took, in order, with the attempt and stream version each saw.
 */
describe('requestWorkflow saga (replay under the devhost engine, virtual clock)', function () {
  this.timeout(120_000);
  let host: TestHost | undefined;
  let fake: Fake;
  afterEach(async () => {
    await host?.close();
    host = undefined;
  });

  type Run = RunResult & { out: WorkflowOutput; view: WorkflowCustomStatus; steps: string[] };
  async function run(
    id: string,
    options: FakeOptions,
    extra: { events?: { at: number; name: string; data?: unknown }[]; policy?: Partial<WorkflowPolicy> } = {},
  ): Promise<Run> {
    fake = fakeSteps(options);
    host = await createTestHost({ app: APP, activities: fake.activities, start: START });
    const r = await host.run(ORCHESTRATOR, input(id, extra.policy), { instanceId: id, events: extra.events });
    expect(r.status, JSON.stringify(r.output)).to.equal('Completed');
    return {
      ...r,
      out: r.output as WorkflowOutput,
      view: r.customStatus as WorkflowCustomStatus,
      steps: r.activityCalls.map(stepOf),
    };
  }

  /** One call as `name#attempt@vN` (attempt and expected stream version when the step takes them). */
  function stepOf(c: ActivityCall): string {
    const i = c.input as { attempt?: number; expectedVersion?: number };
    return `${c.name}${i.attempt === undefined ? '' : `#${String(i.attempt)}`}${i.expectedVersion === undefined ? '' : `@v${String(i.expectedVersion)}`}`;
  }
  const secondsAfterStart = (d: Date): number => (d.getTime() - START.getTime()) / 1000;
  const callsTo = (r: Run, name: string): ActivityCall[] => r.activityCalls.filter((c) => c.name === name);
  const firstCallTo = (r: Run, name: string): ActivityCall => {
    const [call] = callsTo(r, name);
    if (!call) throw new Error(`no call to ${name}`);
    return call;
  };
  const pollTimes = (r: Run): number[] => callsTo(r, 'pollJob').map((c) => secondsAfterStart(c.at));

  it('happy path: admit, prepare, submit, poll with backoff until Pass, complete', async () => {
    const r = await run('happy', { polls: { 1: ['Inprogress', 'Inprogress', 'Pass'] } });
    expect(r.steps).to.deep.equal([
      'admitRequest@v0',
      'prepareSubmission#1@v1',
      'submitJob#1@v2',
      'pollJob#1@v3',
      'pollJob#1@v4',
      'pollJob#1@v4', // the second Inprogress appends nothing
      'completeRequest@v5',
    ]);
    expect(r.out).to.deep.equal({
      requestId: 'happy',
      outcome: 'Pass',
      attempts: 1,
      externalJobId: 'job-1',
      version: 6,
      needsIntervention: false,
    });
    expect(fake.version()).to.equal(6);
    // 15 s initial delay, then each wait doubles: 15, +30, +60.
    expect(pollTimes(r)).to.deep.equal([15, 45, 105]);
    expect(firstCallTo(r, 'pollJob').input).to.include({
      externalJobId: 'job-1',
      lastStatus: 'Created',
      maxAttempts: 3,
    });
    expect(firstCallTo(r, 'completeRequest').input).to.include({ outcome: 'Pass' });
    expect(r.view).to.include({ stage: 'completed', attempt: 1, version: 6, pendingPublications: 0 });
  });

  it('caps the poll interval at the configured maximum', async () => {
    const r = await run(
      'capped',
      { polls: { 1: ['Inprogress', 'Inprogress', 'Inprogress', 'Inprogress', 'Inprogress', 'Pass'] } },
      { policy: { pollInitialDelaySeconds: 10, pollBackoffFactor: 3, pollMaxIntervalSeconds: 100 } },
    );
    const t = pollTimes(r);
    expect(t[0]).to.equal(10);
    expect(t.slice(1).map((x, i) => x - t[i]!)).to.deep.equal([30, 90, 100, 100, 100]);
  });

  it('FailCanRetry then Pass: prepares and submits attempt 2 in a fresh execution', async () => {
    const r = await run('retry', { polls: { 1: ['Inprogress', 'FailCanRetry'], 2: ['Inprogress', 'Pass'] } });
    expect(r.steps).to.deep.equal([
      'admitRequest@v0',
      'prepareSubmission#1@v1',
      'submitJob#1@v2',
      'pollJob#1@v3',
      'pollJob#1@v4',
      'prepareSubmission#2@v5',
      'submitJob#2@v6',
      'pollJob#2@v7',
      'pollJob#2@v8',
      'completeRequest@v9',
    ]);
    expect(callsTo(r, 'pollJob').map((c) => (c.input as { externalJobId: string }).externalJobId)).to.deep.equal([
      'job-1',
      'job-1',
      'job-2',
      'job-2',
    ]);
    // Attempt 2 starts its backoff afresh: 15 s after its submission (at 45 s), then 30 s later.
    expect(pollTimes(r)).to.deep.equal([15, 45, 60, 90]);
    expect(r.out).to.include({
      outcome: 'Pass',
      attempts: 2,
      externalJobId: 'job-2',
      needsIntervention: false,
      version: 10,
    });
    expect(r.view).to.include({ stage: 'completed', attempt: 2 });
  });

  it('attempts exhausted: FailCanRetry on the last attempt is final, Fail with no compensation', async () => {
    const r = await run('exhausted', { polls: { 1: ['FailCanRetry'], 2: ['FailCanRetry'], 3: ['FailCanRetry'] } });
    expect(r.steps).to.deep.equal([
      'admitRequest@v0',
      'prepareSubmission#1@v1',
      'submitJob#1@v2',
      'pollJob#1@v3',
      'prepareSubmission#2@v4',
      'submitJob#2@v5',
      'pollJob#2@v6',
      'prepareSubmission#3@v7',
      'submitJob#3@v8',
      'pollJob#3@v9',
      'completeRequest@v10',
    ]);
    expect(callsTo(r, 'pollJob').at(-1)?.input).to.include({ attempt: 3, maxAttempts: 3 });
    expect(firstCallTo(r, 'completeRequest').input).to.include({ outcome: 'Fail' });
    expect(r.out).to.include({ outcome: 'Fail', attempts: 3, needsIntervention: false, externalJobId: 'job-3' });
    expect(r.out).to.not.have.property('reason');
  });

  describe('at the demo and reliability-rig timings (localdev/demo/localStack.ts DEMO_TIMINGS)', () => {
    const timing = (name: string): number => Number(DEMO_TIMINGS[name]);
    const demoPolicy: Partial<WorkflowPolicy> = {
      pollInitialDelaySeconds: timing('WORKFLOW_POLL_INITIAL_DELAY_SECONDS'),
      pollBackoffFactor: timing('WORKFLOW_POLL_BACKOFF_FACTOR'),
      pollMaxIntervalSeconds: timing('WORKFLOW_POLL_MAX_INTERVAL_SECONDS'),
      deadlineSeconds: timing('WORKFLOW_DEADLINE_SECONDS'),
      pollsPerExecution: timing('WORKFLOW_POLLS_PER_EXECUTION'),
    };
    const failCanRetryThrice = {
      1: ['Inprogress', 'FailCanRetry'],
      2: ['Inprogress', 'FailCanRetry'],
      3: ['Inprogress', 'FailCanRetry'],
    } satisfies FakeOptions['polls'];
    const threeAttempts = [
      'admitRequest@v0',
      'prepareSubmission#1@v1',
      'submitJob#1@v2',
      'pollJob#1@v3',
      'pollJob#1@v4',
      'prepareSubmission#2@v5',
      'submitJob#2@v6',
      'pollJob#2@v7',
      'pollJob#2@v8',
      'prepareSubmission#3@v9',
      'submitJob#3@v10',
      'pollJob#3@v11',
      'pollJob#3@v12',
      'completeRequest@v13',
    ];

    // The saga's own share of a FailCanRetry item's deadline in the reliability runs: everything beyond
    // it is real activity and episode latency. Each attempt restarts the backoff (1 s, then 1.5 s) in a
    // fresh execution, and every step gets the stream version the previous one left.
    it('a FailCanRetry item spends 7.5 virtual seconds of its 20 s deadline waiting over three attempts, and ends Fail', async () => {
      const r = await run('demo-fcr', { polls: failCanRetryThrice }, { policy: demoPolicy });
      expect(r.steps).to.deep.equal(threeAttempts);
      expect(pollTimes(r)).to.deep.equal([1, 2.5, 3.5, 5, 6, 7.5]);
      expect(secondsAfterStart(firstCallTo(r, 'completeRequest').at)).to.equal(7.5);
      expect(r.out).to.include({ outcome: 'Fail', attempts: 3, needsIntervention: false });
    });

    it('a transient failure of each step adds only its retry delay: no stale version, no extra wait', async () => {
      const r = await run(
        'demo-fcr-transient',
        { polls: failCanRetryThrice, failOnce: ['prepareSubmission', 'submitJob', 'pollJob'] },
        { policy: demoPolicy },
      );
      // Each failed try is repeated once, at the same stream version (stepFirstRetryMs = 1 s later).
      expect(r.steps).to.deep.equal([
        'admitRequest@v0',
        'prepareSubmission#1@v1',
        'prepareSubmission#1@v1',
        'submitJob#1@v2',
        'submitJob#1@v2',
        'pollJob#1@v3',
        'pollJob#1@v3',
        ...threeAttempts.slice(4),
      ]);
      expect(pollTimes(r)).to.deep.equal([3, 4, 5.5, 6.5, 8, 9, 10.5]);
      expect(r.out).to.include({ outcome: 'Fail', attempts: 3, needsIntervention: false });
    });
  });

  it('deadline: a job that never finishes is cancelled and the request completes TimedOut after 24 virtual hours', async () => {
    const r = await run('deadline', { polls: { 1: ['Inprogress'] } });
    expect(r.steps.slice(-2)).to.deep.equal([`cancelJob#1@v4`, 'completeRequest@v5']);
    expect(r.out).to.include({
      outcome: 'TimedOut',
      attempts: 1,
      needsIntervention: false,
      reason: 'deadline 2024-01-02T00:00:00.000Z passed',
    });
    const cancel = firstCallTo(r, 'cancelJob');
    expect(cancel.input).to.include({ externalJobId: 'job-1', reason: 'deadline 2024-01-02T00:00:00.000Z passed' });
    // The clock is virtual: the last wait was cut short to land exactly on the deadline.
    expect(secondsAfterStart(cancel.at)).to.equal(POLICY.deadlineSeconds);
    expect(host?.clock.now().toISOString()).to.equal('2024-01-02T00:00:00.000Z');
    expect(pollTimes(r).at(-1)).to.be.below(POLICY.deadlineSeconds);
    // 15+30+...+240 s ramp, then a poll every 300 s until the deadline.
    expect(callsTo(r, 'pollJob')).to.have.length(5 + Math.floor((86_400 - 465) / 300));
    expect(firstCallTo(r, 'completeRequest').input).to.include({ outcome: 'TimedOut' });
  });

  it('operator cancel mid-poll acts at once, not at the next poll, and compensates', async () => {
    const r = await run(
      'cancel',
      { polls: { 1: ['Inprogress'] } },
      { events: [{ at: 50_000, name: 'cancel', data: { reason: 'operator says stop' } }] },
    );
    expect(r.steps).to.deep.equal([
      'admitRequest@v0',
      'prepareSubmission#1@v1',
      'submitJob#1@v2',
      'pollJob#1@v3',
      'pollJob#1@v4',
      'cancelJob#1@v4',
      'completeRequest@v5',
    ]);
    expect(pollTimes(r)).to.deep.equal([15, 45]); // the next poll was due at 105 s
    const cancel = firstCallTo(r, 'cancelJob');
    expect(secondsAfterStart(cancel.at)).to.equal(50);
    expect(cancel.input).to.include({ externalJobId: 'job-1', reason: 'operator says stop' });
    expect(firstCallTo(r, 'completeRequest').input).to.include({ outcome: 'Cancelled', reason: 'operator says stop' });
    expect(r.out).to.include({ outcome: 'Cancelled', reason: 'operator says stop', needsIntervention: false });
    expect(r.view).to.include({ stage: 'completed', reason: 'operator says stop' });
  });

  for (const [when, policy] of [
    ['before the next poll wait', {}],
    ['before a continueAsNew', { pollsPerExecution: 1 }],
  ] as const) {
    it(`a cancel raised while a poll activity runs is acted on right after that poll (${when}), not lost`, async () => {
      // The SDK completes the waiter while the orchestrator waits on the activity; a Task.any built
      // afterwards never hears of it (a WhenAny ignores children already complete), so the saga checks first.
      fake = fakeSteps({ polls: { 1: ['Inprogress'] } });
      const poll = fake.steps.pollJob;
      let raised = false;
      const activities = activitiesOf({
        ...fake.steps,
        pollJob: async (input) => {
          if (!raised) {
            raised = true;
            await host!.engine.raiseEvent('cancel-in-poll', 'cancel', { reason: 'while polling' });
          }
          return poll(input);
        },
      });
      host = await createTestHost({ app: APP, activities, start: START });
      const r = await host.run(ORCHESTRATOR, input('cancel-in-poll', policy), { instanceId: 'cancel-in-poll' });
      expect(r.status, JSON.stringify(r.output)).to.equal('Completed');
      expect(r.activityCalls.map(stepOf)).to.deep.equal([
        'admitRequest@v0',
        'prepareSubmission#1@v1',
        'submitJob#1@v2',
        'pollJob#1@v3',
        'cancelJob#1@v4',
        'completeRequest@v5',
      ]);
      expect(
        secondsAfterStart(
          firstCallTo(
            { ...r, out: r.output as WorkflowOutput, view: r.customStatus as WorkflowCustomStatus, steps: [] },
            'cancelJob',
          ).at,
        ),
      ).to.equal(15);
      expect(r.output as WorkflowOutput).to.include({ outcome: 'Cancelled', reason: 'while polling' });
    });
  }

  it('a cancel raised while submitting is not lost across continueAsNew, and the just-created job is cancelled', async () => {
    // submitJob fails transiently once and is retried 1 s later; the cancel lands in between.
    const r = await run(
      'early-cancel',
      { polls: { 1: ['Inprogress'] }, failOnce: ['submitJob'] },
      { events: [{ at: 500, name: 'cancel', data: { reason: 'changed my mind' } }] },
    );
    expect(r.steps).to.deep.equal([
      'admitRequest@v0',
      'prepareSubmission#1@v1',
      'submitJob#1@v2',
      'submitJob#1@v2',
      'cancelJob#1@v3',
      'completeRequest@v4',
    ]);
    expect(firstCallTo(r, 'cancelJob').input).to.include({ externalJobId: 'job-1', reason: 'changed my mind' });
    expect(r.out).to.include({
      outcome: 'Cancelled',
      reason: 'changed my mind',
      needsIntervention: false,
      externalJobId: 'job-1',
    });
  });

  it('a non-retriable submit failure completes the request as Fail, with nothing to undo', async () => {
    const r = await run('refused', { polls: {}, submit: 'refused' });
    expect(r.steps).to.deep.equal([
      'admitRequest@v0',
      'prepareSubmission#1@v1',
      'submitJob#1@v2',
      'completeRequest@v2',
    ]);
    expect(r.out).to.include({
      outcome: 'Fail',
      attempts: 1,
      needsIntervention: false,
      reason: 'submit failed: [NonRetriable] external service answered 400: payload rejected',
    });
    expect(firstCallTo(r, 'completeRequest').input).to.include({ outcome: 'Fail', reason: r.out.reason });
  });

  it('a failing compensation is recorded and leaves the request needing manual intervention', async () => {
    const r = await run(
      'stuck',
      { polls: { 1: ['Inprogress'] }, cancel: 'refused' },
      { events: [{ at: 20_000, name: 'cancel', data: { reason: 'stop' } }] },
    );
    expect(r.steps).to.deep.equal([
      'admitRequest@v0',
      'prepareSubmission#1@v1',
      'submitJob#1@v2',
      'pollJob#1@v3',
      'cancelJob#1@v4',
      'recordCompensationFailure@v4',
    ]);
    expect(r.activityCalls.at(-1)?.input).to.include({
      step: 'cancelJob',
      error: '[NonRetriable] cancel refused: 409 job is locked',
    });
    expect(r.out).to.include({ outcome: 'Cancelled', reason: 'stop', needsIntervention: true });
    expect(r.view).to.include({ stage: 'needsIntervention', reason: 'stop' });
  });

  it('a transient step failure is retried per the retry policy and changes nothing else', async () => {
    const clean = await run('transient', { polls: { 1: ['Inprogress', 'Inprogress', 'Pass'] } });
    const cleanSteps = clean.steps;
    await host?.close();
    host = undefined;

    const r = await run('transient', { polls: { 1: ['Inprogress', 'Inprogress', 'Pass'] }, failOnce: ['pollJob'] });
    expect(fake.calls['pollJob']).to.equal(4);
    expect(fake.appended['pollJob'], 'the failed try appended nothing').to.equal(2);
    // The first poll is repeated 1 s later (stepFirstRetryMs); the later polls shift by that second.
    expect(pollTimes(r)).to.deep.equal([15, 16, 46, 106]);
    expect(r.steps).to.deep.equal([...cleanSteps.slice(0, 4), ...cleanSteps.slice(3)]);
    expect(r.out).to.deep.equal(clean.out);
  });

  it('events a step could not publish go to publishEvents in the background of the next poll wait, and before completion', async () => {
    const r = await run('unpublished', { polls: { 1: ['Pass'] }, unpublishedFrom: ['submitJob', 'completeRequest'] });
    expect(r.steps).to.deep.equal([
      'admitRequest@v0',
      'prepareSubmission#1@v1',
      'submitJob#1@v2',
      'publishEvents',
      'pollJob#1@v3',
      'completeRequest@v4',
      'publishEvents',
    ]);
    expect(callsTo(r, 'publishEvents').map((c) => c.input)).to.deep.equal([
      { requestId: 'unpublished', versions: [3] },
      { requestId: 'unpublished', versions: [5] },
    ]);
    expect(secondsAfterStart(firstCallTo(r, 'pollJob').at), 'the first poll is not held up').to.equal(
      POLICY.pollInitialDelaySeconds,
    );
    expect(r.out).to.include({ outcome: 'Pass', needsIntervention: false });
    expect(r.out).to.not.have.property('unpublishedVersions');
    expect(r.view).to.include({ pendingPublications: 0 });
  });

  it('an Event Grid outage longer than the publish retries flags the request but keeps its outcome', async () => {
    const r = await run('eg-down', { polls: { 1: ['Pass'] }, unpublishedFrom: ['submitJob'], publish: 'down' });
    // One try in the background of the (only) poll wait, three at the final flush (RETRY.publishMaxAttempts).
    expect(fake.calls['publishEvents']).to.equal(4);
    expect(callsTo(r, 'publishEvents').map((c) => c.input)).to.deep.equal(
      Array(4).fill({ requestId: 'eg-down', versions: [3] }),
    );
    expect(r.steps.filter((s) => s !== 'publishEvents')).to.deep.equal([
      'admitRequest@v0',
      'prepareSubmission#1@v1',
      'submitJob#1@v2',
      'pollJob#1@v3',
      'completeRequest@v4',
    ]);
    expect(r.out).to.include({ outcome: 'Pass', needsIntervention: true });
    expect(r.out.publishFailure).to.match(
      /^Activity function 'publishEvents' failed: \[Transient\] topic answered 503/,
    );
    expect(r.out.unpublishedVersions).to.deep.equal([3]);
    expect(r.view).to.include({ stage: 'needsIntervention', pendingPublications: 1 });
  });

  it("continueAsNew keeps every execution's history bounded while a 1,000-poll workflow completes", async () => {
    const polls = [...Array<'Inprogress'>(999).fill('Inprogress'), 'Pass' as const];
    fake = fakeSteps({ polls: { 1: polls } });
    // Sample the running execution's history each time a poll runs: by then the history holds every
    // earlier poll of that execution.
    const sampled = new Map<string, number>();
    const poll = fake.steps.pollJob;
    const activities = activitiesOf({
      ...fake.steps,
      pollJob: async (i) => {
        const seen = await host?.engine.inspect('long');
        if (seen)
          sampled.set(
            seen.record.executionId,
            Math.max(sampled.get(seen.record.executionId) ?? 0, seen.history.length),
          );
        return poll(i);
      },
    });
    host = await createTestHost({ app: APP, activities, start: START });
    const r = await host.run(
      ORCHESTRATOR,
      input('long', { pollInitialDelaySeconds: 1, pollMaxIntervalSeconds: 1, deadlineSeconds: 10_000_000 }),
      { instanceId: 'long' },
    );
    expect(r.status).to.equal('Completed');
    expect((r.output as WorkflowOutput).outcome).to.equal('Pass');
    expect(r.activityCalls.filter((c) => c.name === 'pollJob')).to.have.length(1000);

    // After the admit/prepare/submit execution, 1000 polls at 20 per execution.
    expect(sampled.size).to.equal(1000 / POLICY.pollsPerExecution);
    const fullExecutions = [...sampled.values()];
    // Each poll costs 8 history events: a timer (TimerCreated, TimerFired) and an activity
    // (TaskScheduled, TaskCompleted), each waited for in its own episode (OrchestratorStarted and
    // OrchestratorCompleted twice). An execution adds a fixed tail of at most 16 more: ExecutionStarted
    // and its episode, the checkpoint timer before continueAsNew (or completeRequest at the end), and
    // the completion. So 8 × pollsPerExecution + 16, whatever the total number of polls.
    const BOUND = 8 * POLICY.pollsPerExecution + 16;
    const max = Math.max(...fullExecutions, r.history.length);
    expect(max, `largest execution history ${String(max)} events`).to.be.below(BOUND);
    // Every full execution looks the same: the history does not grow with the total poll count.
    expect(
      new Set(fullExecutions).size,
      `per-execution sampled maxima ${[...new Set(fullExecutions)].join(',')}`,
    ).to.equal(1);
  });
  describe('a restarted instance (discovery restarts a Failed or Terminated one) continues where the stream is', () => {
    const admittedAt = START.toISOString();
    const restarted = (version: number, resume: ResumePoint) => ({ version, resume, admittedAt });

    it('a job being polled: polls it again, no new submission', async () => {
      const r = await run('re-poll', {
        polls: { 2: ['Inprogress', 'Pass'] },
        restartedAt: restarted(7, { at: 'poll', attempt: 2, externalJobId: 'job-2', lastStatus: 'Inprogress' }),
      });
      expect(r.steps).to.deep.equal(['admitRequest@v0', 'pollJob#2@v7', 'pollJob#2@v7', 'completeRequest@v8']);
      expect(r.out).to.include({ outcome: 'Pass', attempts: 2, externalJobId: 'job-2', needsIntervention: false });
    });

    it('a cancel raised while the restarted instance is admitted cancels the running job it was about to poll', async () => {
      fake = fakeSteps({
        polls: { 2: ['Inprogress'] },
        restartedAt: restarted(7, { at: 'poll', attempt: 2, externalJobId: 'job-2', lastStatus: 'Inprogress' }),
      });
      const admit = fake.steps.admitRequest;
      const activities = activitiesOf({
        ...fake.steps,
        admitRequest: async (i) => {
          await host!.engine.raiseEvent('re-poll-cancel', 'cancel', { reason: 'stop after restart' });
          return admit(i);
        },
      });
      host = await createTestHost({ app: APP, activities, start: START });
      const r = await host.run(ORCHESTRATOR, input('re-poll-cancel'), { instanceId: 're-poll-cancel' });
      expect(r.status, JSON.stringify(r.output)).to.equal('Completed');
      expect(r.activityCalls.map(stepOf)).to.deep.equal(['admitRequest@v0', 'cancelJob#2@v7', 'completeRequest@v8']);
      expect(r.activityCalls[1]?.input).to.include({ externalJobId: 'job-2', reason: 'stop after restart' });
      expect(r.output as WorkflowOutput).to.include({
        outcome: 'Cancelled',
        reason: 'stop after restart',
        attempts: 2,
        externalJobId: 'job-2',
        needsIntervention: false,
      });
    });

    it('FailCanRetry seen but the next attempt never prepared: prepares and submits it', async () => {
      const r = await run('re-prepare', {
        polls: { 2: ['Pass'] },
        restartedAt: restarted(4, { at: 'prepare', attempt: 2 }),
      });
      expect(r.steps.slice(0, 3)).to.deep.equal(['admitRequest@v0', 'prepareSubmission#2@v4', 'submitJob#2@v5']);
      expect(r.out).to.include({ outcome: 'Pass', attempts: 2 });
    });

    it('the job already ended: only completes', async () => {
      const r = await run('re-complete', {
        polls: {},
        restartedAt: restarted(4, { at: 'complete', attempt: 1, outcome: 'Fail', compensated: false }),
      });
      expect(r.steps).to.deep.equal(['admitRequest@v0', 'completeRequest@v4']);
      expect(r.out).to.include({ outcome: 'Fail', attempts: 1, needsIntervention: false });
    });

    it('compensated before it died: completes Cancelled before the deadline, with the recorded reason', async () => {
      const r = await run('re-compensated', {
        polls: {},
        restartedAt: restarted(4, { at: 'complete', attempt: 1, compensated: true, reason: 'operator' }),
      });
      expect(r.steps).to.deep.equal(['admitRequest@v0', 'completeRequest@v4']);
      expect(r.out).to.include({ outcome: 'Cancelled', reason: 'operator' });
    });

    it('already completed: does nothing more and reports what the stream says', async () => {
      const r = await run('re-done', {
        polls: {},
        restartedAt: restarted(6, { at: 'done', attempt: 1, outcome: 'Pass', needsIntervention: false }),
      });
      expect(r.steps).to.deep.equal(['admitRequest@v0']);
      expect(r.out).to.include({ outcome: 'Pass', needsIntervention: false, version: 6 });
    });
  });
});
