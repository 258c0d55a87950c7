// An Event Grid outage does not delay the saga: pending events are published in the background of the poll waits.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestHost, type TestHost } from '@saga/devhost/testkit';
import {
  replayAsAzure,
  EventType,
  historyEvent,
  type HistoryEvent,
  type OrchestratorState,
} from '@saga/devhost/engine';
import { expect } from 'chai';
import { ORCHESTRATOR, type WorkflowOutput } from '../../src/application/workflow/contracts';
import { fakeSteps } from './fakeSteps';
import type { WorkflowPolicy } from '../../src/domain/policies';
import { APP, input, RETRY, START } from './sagaInputs';

const T15 = new Date(START.getTime() + 15_000);
const OLD_SAGA = path.join(__dirname, '..', 'fixtures', 'requestWorkflow.publishStall.old.history.json');

describe('requestWorkflow when a background publication fails once, then wins the poll wait on its retry', () => {
  let host: TestHost | undefined;
  afterEach(async () => host?.close());

  it("the saga as it was (retrying publication raced against a timer it then cancelled) fails in Azure with DTFx's non-determinism error", () => {
    const old = JSON.parse(readFileSync(OLD_SAGA, 'utf8')) as {
      orchestrator: string;
      history: HistoryEvent[];
      sdkState: OrchestratorState;
    };
    // What the old code returned: the poll wait raced a cancelled timer against callActivityWithRetry('publishEvents').
    const race = old.sdkState.actions[0]?.[0]?.compoundActions ?? [];
    expect(race.map((a) => [a.actionType, a.isCanceled ?? a.functionName ?? a.externalEventName])).to.deep.equal([
      [5, true],
      [6, 'cancel'],
      [1, 'publishEvents'],
    ]);
    const verdict = replayAsAzure({ orchestrator: old.orchestrator, history: old.history, state: old.sdkState });
    expect(verdict).to.deep.equal({
      kind: 'nonDeterministic',
      message:
        "Non-Deterministic workflow detected: A previous execution of this orchestration scheduled an activity task with sequence number 3 named 'publishEvents', " +
        'but the current orchestration replay instead produced a CreateTimerOrchestratorAction action with this sequence number. ' +
        'Was a change made to the orchestrator code after this instance had already started running?',
    });
  });

  it('the saga today completes in the same scenario, with its events published', async () => {
    const fake = fakeSteps({
      polls: { 1: ['Inprogress', 'Pass'] },
      unpublishedFrom: ['submitJob'],
      publishFailsFirst: 1,
    });
    host = await createTestHost({ app: APP, activities: fake.activities, start: START });
    const r = await host.run(ORCHESTRATOR, input('publish-stall'), { instanceId: 'publish-stall' });
    expect(r.status, String(r.output)).to.equal('Completed');
    expect(r.output).to.include({ outcome: 'Pass', needsIntervention: false });
    expect(r.output).to.not.have.property('unpublishedVersions');
    expect(fake.calls.publishEvents, 'one failed publish, then one that went out').to.equal(2);
  });
});

describe('requestWorkflow during an Event Grid outage (production publish retry: 30 s doubling, 30 attempts)', () => {
  let host: TestHost | undefined;
  afterEach(async () => host?.close());

  it('keeps polling and acts on an operator cancel while publishEvents keeps failing', async () => {
    const fake = fakeSteps({ polls: { 1: ['Inprogress'] }, unpublishedFrom: ['submitJob'], publish: 'down' });
    host = await createTestHost({ app: APP, activities: fake.activities, start: START });
    const i = input('eg-outage');
    i.retry = { ...RETRY, publishFirstRetryMs: 30_000, publishMaxAttempts: 30, maxRetryIntervalMs: 600_000 };
    const r = await host.run(ORCHESTRATOR, i, {
      instanceId: 'eg-outage',
      events: [{ at: 60_000, name: 'cancel', data: { reason: 'stop' } }],
    });
    const at = (name: string): number | undefined => {
      const c = r.activityCalls.find((x) => x.name === name);
      return c && (c.at.getTime() - START.getTime()) / 1000;
    };
    expect((r.output as WorkflowOutput).outcome).to.equal('Cancelled');
    // One publish attempt in the background of each poll wait (at 0, 15 and 45 s: the waits pace the retries); none holds anything up.
    expect(at('pollJob'), 'first poll (s after start)').to.equal(15);
    const publishes = r.activityCalls
      .filter((c) => c.name === 'publishEvents')
      .map((c) => (c.at.getTime() - START.getTime()) / 1000);
    expect(publishes.slice(0, 3), 'publish attempts in the poll waits (s after start)').to.deep.equal([0, 15, 45]);
    expect(at('cancelJob'), 'cancelJob (s after start)').to.equal(60);
  });

  it('versions still unpublished at continueAsNew are carried over and published by a later execution', async () => {
    // One poll per execution: every execution's single wait tries once, fails, and hands the versions on.
    const fake = fakeSteps({
      polls: { 1: ['Inprogress', 'Inprogress', 'Pass'] },
      unpublishedFrom: ['submitJob'],
      publishFailsFirst: 4,
    });
    host = await createTestHost({ app: APP, activities: fake.activities, start: START });
    const i = input('eg-carry', { pollsPerExecution: 1 });
    i.retry = { ...RETRY, stepFirstRetryMs: 10_000, stepMaxAttempts: 3, publishFirstRetryMs: 10_000 };
    const r = await host.run(ORCHESTRATOR, i, { instanceId: 'eg-carry' });
    const out = r.output as WorkflowOutput;
    expect(out).to.include({ outcome: 'Pass', needsIntervention: false });
    expect(out).to.not.have.property('unpublishedVersions');
    const polls = r.activityCalls
      .filter((c) => c.name === 'pollJob')
      .map((c) => (c.at.getTime() - START.getTime()) / 1000);
    expect(polls[0], 'first poll on time despite the running publication').to.equal(15);
    // A failed try in each of the three executions' waits, then the final flush: one more failure, then success.
    expect(fake.calls.publishEvents).to.equal(5);
    expect(
      r.activityCalls
        .filter((c) => c.name === 'publishEvents')
        .every((c) => JSON.stringify(c.input) === JSON.stringify({ requestId: 'eg-carry', versions: [3] })),
    ).to.equal(true);
  });
  // Under load the answer of a background publication, or a cancel, can land in the same batch as
  // the poll timer, ahead of it. The SDK resumes the orchestrator after each event, so the timer is
  // still open when the wait is decided and cancelling it is legal; these histories (which the virtual
  // clock never produces on its own) keep it that way.
  for (const [what, arrival, expected] of [
    [
      'a publication',
      historyEvent(EventType.TaskCompleted, T15, { TaskScheduledId: 1, Result: '{"published":1}' }),
      'the poll',
    ],
    ['a cancel', historyEvent(EventType.EventRaised, T15, { Name: 'cancel', Input: '{"reason":"now"}' }), 'the cancel'],
  ] as const) {
    it(`${what} answering in the same batch as the poll timer goes on to ${expected}`, async () => {
      host = await createTestHost({ app: APP, activities: fakeSteps({ polls: {} }).activities, start: START });
      const r = await host.replayHistory(
        pollExecution('same-batch', {}, [
          historyEvent(EventType.OrchestratorStarted, T15),
          arrival,
          historyEvent(EventType.TimerFired, T15, { TimerId: 0, FireAt: T15.toISOString() }),
        ]),
        ORCHESTRATOR,
      );
      expect(r.error, 'the orchestrator does not throw').to.equal(undefined);
      expect(r.isDone).to.equal(false);
      expect(r.azure?.status).to.equal('Running');
    });
  }

  // A publication that outlasts the poll wait (a slow topic) is still open when the execution is due
  // to continue as new. DTFx would hold the continueAsNew until it finished anyway; the saga waits for
  // it, books its answer and hands over only what is still unpublished.
  it('continues as new only after a background publication still running at the end of the execution has answered', async () => {
    host = await createTestHost({ app: APP, activities: fakeSteps({ polls: {} }).activities, start: START });
    const T16 = new Date(T15.getTime() + 1000);
    const polled = [
      historyEvent(EventType.OrchestratorStarted, T15),
      historyEvent(EventType.TimerFired, T15, { TimerId: 0, FireAt: T15.toISOString() }),
      historyEvent(EventType.TaskScheduled, T15, { Name: 'pollJob', Version: '', Input: '{}' }, 2),
      historyEvent(EventType.OrchestratorCompleted, T15),
      historyEvent(EventType.OrchestratorStarted, T15),
      historyEvent(EventType.TaskCompleted, T15, {
        TaskScheduledId: 2,
        Result: '{"ok":true,"version":4,"unpublished":[],"status":"Inprogress","retry":false}',
      }),
    ];
    const waiting = await host.replayHistory(
      pollExecution('slow-topic', { pollsPerExecution: 1 }, polled),
      ORCHESTRATOR,
    );
    expect(waiting.isDone, 'the saga waits for the publication').to.equal(false);
    expect(waiting.azure, 'nothing new until the publication answers').to.deep.equal({
      status: 'Running',
      scheduled: [],
    });

    const answered = await host.replayHistory(
      pollExecution('slow-topic', { pollsPerExecution: 1 }, [
        ...polled,
        historyEvent(EventType.OrchestratorCompleted, T15),
        historyEvent(EventType.OrchestratorStarted, T16),
        historyEvent(EventType.TaskCompleted, T16, { TaskScheduledId: 1, Result: '{"published":1}' }),
        // The zero-delay timer that looks for a cancel before continuing as new.
        historyEvent(EventType.TimerCreated, T16, { FireAt: T16.toISOString() }, 3),
        historyEvent(EventType.OrchestratorCompleted, T16),
        historyEvent(EventType.OrchestratorStarted, T16),
        historyEvent(EventType.TimerFired, T16, { TimerId: 3, FireAt: T16.toISOString() }),
      ]),
      ORCHESTRATOR,
    );
    expect(answered.azure?.status).to.equal('ContinuedAsNew');
    const next = answered.azure?.input as { carried: { pollIndex: number; version: number; unpublished?: number[] } };
    expect(next.carried).to.include({ pollIndex: 1, version: 4 });
    expect(next.carried.unpublished, 'nothing left to publish').to.equal(undefined);
  });
});

/**
 * A recorded history of a poll-phase execution that carries version 3 unpublished: its first episode
 * (poll timer 0, background publication 1), then `later`.
 */
function pollExecution(instanceId: string, policy: Partial<WorkflowPolicy>, later: HistoryEvent[]): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), `${instanceId}-`)), 'history.json');
  const carried = {
    phase: 'poll',
    attempt: 1,
    version: 3,
    admittedAt: START.toISOString(),
    deadline: new Date(START.getTime() + 86_400_000).toISOString(),
    pollIndex: 0,
    externalJobId: 'job-1',
    lastStatus: 'Created',
    unpublished: [3],
  };
  const start = { ...input(instanceId, policy), carried };
  writeFileSync(
    file,
    JSON.stringify({
      format: 'devhost-durable-history/1',
      orchestrator: ORCHESTRATOR,
      instanceId,
      input: start,
      hiddenIds: [],
      history: [
        historyEvent(EventType.OrchestratorStarted, START),
        historyEvent(EventType.ExecutionStarted, START, {
          Name: ORCHESTRATOR,
          Version: '',
          Input: JSON.stringify(start),
          OrchestrationInstance: { InstanceId: instanceId, ExecutionId: 'e1' },
          ParentInstance: null,
        }),
        historyEvent(EventType.TimerCreated, START, { FireAt: T15.toISOString() }, 0),
        historyEvent(
          EventType.TaskScheduled,
          START,
          { Name: 'publishEvents', Version: '', Input: JSON.stringify({ requestId: instanceId, versions: [3] }) },
          1,
        ),
        historyEvent(EventType.OrchestratorCompleted, START),
        ...later,
      ],
    }),
  );
  return file;
}
