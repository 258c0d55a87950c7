// An Event Grid outage does not delay the saga: pending events are published in the background of the poll waits.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestHost, type TestHost } from '../../devhost/testkit';
import { EventType, historyEvent } from '../../devhost/durable/history';
import { expect } from 'chai';
import { ORCHESTRATOR, type WorkflowOutput } from '../../src/application/workflow/contracts';
import { fakeSteps } from './fakeSteps';
import { APP, input, RETRY, START } from './sagaInputs';

const T15 = new Date(START.getTime() + 15_000);

describe('requestWorkflow during an Event Grid outage (production publish retry: 30 s doubling, 30 attempts)', () => {
  let host: TestHost | undefined;
  afterEach(async () => host?.close());

  it('keeps polling and acts on an operator cancel while publishEvents is still retrying', async () => {
    const fake = fakeSteps({ polls: { 1: ['Inprogress'] }, unpublishedFrom: ['submitJob'], publish: 'down' });
    host = await createTestHost({ app: APP, activities: fake.activities, start: START });
    const i = input('eg-outage');
    i.retry = { ...RETRY, publishFirstRetryMs: 30_000, publishMaxAttempts: 30, maxRetryIntervalMs: 600_000 };
    const r = await host.run(ORCHESTRATOR, i, { instanceId: 'eg-outage', events: [{ at: 60_000, name: 'cancel', data: { reason: 'stop' } }] });
    const at = (name: string): number | undefined => { const c = r.activityCalls.find((x) => x.name === name); return c && (c.at.getTime() - START.getTime()) / 1000; };
    expect((r.output as WorkflowOutput).outcome).to.equal('Cancelled');
    // Publishing runs during the first poll wait (step retry policy: at 0, 1 and 3 s) and holds nothing up.
    expect(at('pollJob'), 'first poll (s after start)').to.equal(15);
    const publishes = r.activityCalls.filter((c) => c.name === 'publishEvents').map((c) => (c.at.getTime() - START.getTime()) / 1000);
    expect(publishes.slice(0, 3), 'publish attempts in the first wait (s after start)').to.deep.equal([0, 1, 3]);
    expect(at('cancelJob'), 'cancelJob (s after start)').to.equal(60);
  });

  it('a publication still retrying at continueAsNew is carried over and finished by the next execution', async () => {
    // Publish retries 10 s apart outlast the 15 s poll wait; one poll per execution forces continueAsNew mid-retry.
    const fake = fakeSteps({ polls: { 1: ['Inprogress', 'Inprogress', 'Pass'] }, unpublishedFrom: ['submitJob'], publishFailsFirst: 4 });
    host = await createTestHost({ app: APP, activities: fake.activities, start: START });
    const i = input('eg-carry', { pollsPerExecution: 1 });
    i.retry = { ...RETRY, stepFirstRetryMs: 10_000, stepMaxAttempts: 3, publishFirstRetryMs: 10_000 };
    const r = await host.run(ORCHESTRATOR, i, { instanceId: 'eg-carry' });
    const out = r.output as WorkflowOutput;
    expect(out).to.include({ outcome: 'Pass', needsIntervention: false });
    expect(out).to.not.have.property('unpublishedVersions');
    const polls = r.activityCalls.filter((c) => c.name === 'pollJob').map((c) => (c.at.getTime() - START.getTime()) / 1000);
    expect(polls[0], 'first poll on time despite the running publication').to.equal(15);
    // Four failures, then success; an attempt running at a continueAsNew is repeated by the next execution.
    expect(fake.calls['publishEvents']).to.be.greaterThan(4);
    expect(r.activityCalls.filter((c) => c.name === 'publishEvents').every((c) => JSON.stringify(c.input) === JSON.stringify({ requestId: 'eg-carry', versions: [3] }))).to.equal(true);
  });
  // Under load the answer of a background publication, or a cancel, can land in the same batch as
  // the poll timer, ahead of it. The SDK resumes the orchestrator after each event, so the timer is
  // still open when the wait is decided and cancelling it is legal; these histories (which the virtual
  // clock never produces on its own) keep it that way.
  for (const [what, arrival, expected] of [
    ['a publication', historyEvent(EventType.TaskCompleted, T15, { TaskScheduledId: 1, Result: '{"published":1}' }), 'the poll'],
    ['a cancel', historyEvent(EventType.EventRaised, T15, { Name: 'cancel', Input: '{"reason":"now"}' }), 'the cancel'],
  ] as const) {
    it(`${what} answering in the same batch as the poll timer goes on to ${expected}`, async () => {
      host = await createTestHost({ app: APP, activities: fakeSteps({ polls: {} }).activities, start: START });
      const file = path.join(mkdtempSync(path.join(tmpdir(), 'same-batch-')), 'history.json');
      const carried = { phase: 'poll', attempt: 1, version: 3, admittedAt: START.toISOString(), deadline: new Date(START.getTime() + 86_400_000).toISOString(), pollIndex: 0, externalJobId: 'job-1', lastStatus: 'Created', unpublished: [3] };
      const start = { ...input('same-batch'), carried };
      writeFileSync(file, JSON.stringify({
        format: 'devhost-durable-history/1', orchestrator: ORCHESTRATOR, instanceId: 'same-batch', input: start, hiddenIds: [],
        history: [
          historyEvent(EventType.OrchestratorStarted, START),
          historyEvent(EventType.ExecutionStarted, START, { Name: ORCHESTRATOR, Version: '', Input: JSON.stringify(start), OrchestrationInstance: { InstanceId: 'same-batch', ExecutionId: 'e1' }, ParentInstance: null }),
          historyEvent(EventType.TimerCreated, START, { FireAt: T15.toISOString() }, 0),
          historyEvent(EventType.TaskScheduled, START, { Name: 'publishEvents', Version: '', Input: JSON.stringify({ requestId: 'same-batch', versions: [3] }) }, 1),
          historyEvent(EventType.OrchestratorCompleted, START),
          historyEvent(EventType.OrchestratorStarted, T15),
          arrival,
          historyEvent(EventType.TimerFired, T15, { TimerId: 0, FireAt: T15.toISOString() }),
        ],
      }));
      const r = await host.replayHistory(file, ORCHESTRATOR);
      expect(r.error, 'the orchestrator does not throw').to.equal(undefined);
      expect(r.isDone).to.equal(false);
    });
  }
});
