import { expect } from 'chai';
import type {
  AdmitResult,
  CarriedState,
  PollResult,
  StepResult,
  WorkflowInput,
} from '../../../src/application/workflow/contracts';
import {
  cancelReason,
  evolve,
  initialState,
  statusOf,
  type SagaInput,
  type SagaState,
} from '../../../src/application/workflow/saga';
import type { WorkflowPolicy } from '../../../src/domain/policies';
import type { ResumePoint } from '../../../src/domain/resume';
import { saga, step } from './sagaSpecification';

const T0 = '2024-01-01T00:00:00.000Z';
const T1 = '2024-01-01T01:00:00.000Z';
const DEADLINE = '2024-01-02T00:00:00.000Z';
const POLICY: WorkflowPolicy = {
  pollInitialDelaySeconds: 15,
  pollBackoffFactor: 2,
  pollMaxIntervalSeconds: 300,
  deadlineSeconds: 86_400,
  maxAttempts: 3,
  pollsPerExecution: 20,
};
const SUBMISSION = { requestId: 'r-1', attempt: 1, payload: {} };

describe('request saga decider', () => {
  describe('a first execution', () => {
    const first = saga(input(), T0);

    it('admits first', () => {
      first.given().when(started(T0)).then({ type: 'Admit' });
    });
    it('prepares attempt 1 once admitted', () => {
      first
        .given(started(T0))
        .when(admitted(ok(1), T0))
        .then({ type: 'Prepare', attempt: 1 });
    });
    it('completes as Fail when admission is refused, with nothing to undo', () => {
      first
        .given(started(T0))
        .when(admitted(refused(0, 'no'), T0))
        .then({ type: 'Complete', outcome: 'Fail', reason: 'admit failed: no' });
    });
    it('keeps only the first line of a failure in the reason (an SDK error carries the stack after it)', () => {
      first
        .given(started(T0), admitted(ok(1), T0))
        .when({
          type: 'Prepared',
          result: refused(
            1,
            "Activity function 'prepareSubmission' failed: 503 \n Error: 503\n    at prepare (prepare.js:1:1)",
          ),
        })
        .then({
          type: 'Complete',
          outcome: 'Fail',
          reason: "prepare failed: Activity function 'prepareSubmission' failed: 503",
        });
    });
    it('submits what prepare returned', () => {
      first
        .given(started(T0), admitted(ok(1), T0))
        .when({ type: 'Prepared', result: ok(2, { submission: SUBMISSION }) })
        .then({ type: 'Submit', attempt: 1, submission: SUBMISSION });
    });
    it('completes as Fail when prepare is refused', () => {
      first
        .given(started(T0), admitted(ok(1), T0))
        .when({ type: 'Prepared', result: refused(1, 'bad payload') })
        .then({ type: 'Complete', outcome: 'Fail', reason: 'prepare failed: bad payload' });
    });
    it('continues as new to poll the submitted job, with the deadline a day after admission', () => {
      first
        .given(started(T0), admitted(ok(1), T0), prepared(2))
        .when(submitted(3, 'job-1'))
        .then({ type: 'ContinueAsNew', carried: carried({ version: 3 }) });
    });
    it('completes as Fail when the submission is refused, with nothing to undo', () => {
      first
        .given(started(T0), admitted(ok(1), T0), prepared(2))
        .when({ type: 'Submitted', result: refused(2, '400') })
        .then({ type: 'Complete', outcome: 'Fail', reason: 'submit failed: 400' });
    });
    it('cancels the just-submitted job when a cancel is waiting at continueAsNew', () => {
      first
        .given(started(T0), admitted(ok(1), T0), prepared(2), submitted(3, 'job-1'))
        .when(cancel('changed my mind'))
        .then({
          type: 'CancelJob',
          attempt: 1,
          externalJobId: 'job-1',
          reason: 'changed my mind',
          ending: { outcome: 'Cancelled', reason: 'changed my mind' },
        });
    });
  });

  describe('a restarted instance resumes where the stream is', () => {
    const first = saga(input(), T1);
    const resumed = (resume: ResumePoint, now = T1): SagaInput => admitted(ok(7, { resume, admittedAt: T0 }), now);

    it('prepares the attempt the stream is at', () => {
      first
        .given(started(T1))
        .when(resumed({ at: 'prepare', attempt: 2 }))
        .then({ type: 'Prepare', attempt: 2 });
    });
    it("polls a running job in a fresh execution, keeping the first admission's deadline", () => {
      first
        .given(started(T1))
        .when(resumed({ at: 'poll', attempt: 2, externalJobId: 'job-2', lastStatus: 'Inprogress' }))
        .then({
          type: 'ContinueAsNew',
          carried: carried({ attempt: 2, version: 7, externalJobId: 'job-2', lastStatus: 'Inprogress' }),
        });
    });
    it('cancels the resumed job when a cancel is waiting at continueAsNew, then completes Cancelled', () => {
      const polling = resumed({ at: 'poll', attempt: 2, externalJobId: 'job-2', lastStatus: 'Inprogress' });
      const ending = { outcome: 'Cancelled', reason: 'stop' } as const;
      first
        .given(started(T1), polling)
        .when(cancel('stop'))
        .then({ type: 'CancelJob', attempt: 2, externalJobId: 'job-2', reason: 'stop', ending });
      first
        .given(started(T1), polling, cancel('stop'))
        .when(answer('JobCancelled', ok(8)))
        .then({ type: 'Complete', outcome: 'Cancelled', reason: 'stop' });
    });
    it("only completes when the job's fate is known", () => {
      first
        .given(started(T1))
        .when(resumed({ at: 'complete', attempt: 1, outcome: 'Fail', compensated: false }))
        .then({ type: 'Complete', outcome: 'Fail' });
    });
    it('completes a compensated request as Cancelled before the deadline, with the recorded reason', () => {
      first
        .given(started(T1))
        .when(resumed({ at: 'complete', attempt: 1, compensated: true, reason: 'operator' }))
        .then({ type: 'Complete', outcome: 'Cancelled', reason: 'operator' });
    });
    it('completes a compensated request as TimedOut once the deadline has passed', () => {
      first
        .given(started(T1))
        .when(resumed({ at: 'complete', attempt: 1, compensated: true }, DEADLINE))
        .then({ type: 'Complete', outcome: 'TimedOut', reason: 'compensated before the workflow was restarted' });
    });
    it('ends at once when the request is already done, reporting what the stream says', () => {
      first
        .given(started(T1))
        .when(resumed({ at: 'done', attempt: 1, outcome: 'Cancelled', reason: 'x', needsIntervention: true }))
        .then({ type: 'End', outcome: 'Cancelled', reason: 'x', needsIntervention: true });
    });
  });

  describe('a polling execution', () => {
    const polling = saga(input(carried()), T1);
    const cancelJob = (outcome: 'Cancelled' | 'TimedOut' | 'Fail', reason: string) =>
      ({ type: 'CancelJob', attempt: 1, externalJobId: 'job-1', reason, ending: { outcome, reason } }) as const;

    it('waits the first poll interval', () => {
      polling
        .given()
        .when(started(T1))
        .then({ type: 'WaitForPoll', fireAt: at(T1, 15) });
    });
    it('polls the job when the wait ends before the deadline', () => {
      polling
        .given(started(T1))
        .when(pollDue(at(T1, 15)))
        .then({ type: 'Poll', attempt: 1, externalJobId: 'job-1', lastStatus: 'Created', maxAttempts: 3 });
    });
    it('waits longer after each poll, up to the maximum interval', () => {
      polling
        .given(started(T1), pollDue(T1))
        .when(polled(ok(4, { status: 'Inprogress', retry: false }), T1))
        .then({ type: 'WaitForPoll', fireAt: at(T1, 30) });
      const many = saga(input(carried({ pollIndex: 10 })), T1);
      many
        .given()
        .when(started(T1))
        .then({ type: 'WaitForPoll', fireAt: at(T1, 300) });
    });
    it('cuts the last wait short at the deadline', () => {
      polling
        .given()
        .when(started(at(DEADLINE, -5)))
        .then({ type: 'WaitForPoll', fireAt: DEADLINE });
    });
    it('cancels the job and times out when the wait ends at the deadline', () => {
      polling
        .given(started(T1))
        .when(pollDue(DEADLINE))
        .then(cancelJob('TimedOut', `deadline ${DEADLINE} passed`));
    });
    it('cancels the job when an operator cancels', () => {
      polling.given(started(T1)).when(cancel('stop')).then(cancelJob('Cancelled', 'stop'));
    });
    it("completes with the job's outcome, with nothing to undo", () => {
      polling
        .given(started(T1), pollDue(T1))
        .when(polled(ok(4, { status: 'Pass', outcome: 'Pass', retry: false }), T1))
        .then({ type: 'Complete', outcome: 'Pass' });
    });
    it('resubmits as the next attempt in a fresh execution after FailCanRetry', () => {
      polling
        .given(started(T1), pollDue(T1))
        .when(polled(ok(4, { status: 'FailCanRetry', retry: true }), T1))
        .then({
          type: 'ContinueAsNew',
          carried: {
            ...carried({ version: 4 }),
            phase: 'submit',
            attempt: 2,
            externalJobId: undefined,
            lastStatus: undefined,
          },
        });
    });
    it('a cancel caught before resubmitting completes Cancelled without cancelling the finished job', () => {
      polling
        .given(started(T1), pollDue(T1), polled(ok(4, { status: 'FailCanRetry', retry: true }), T1))
        .when(cancel('stop'))
        .then({ type: 'Complete', outcome: 'Cancelled', reason: 'stop' });
    });
    it('keeps polling when the service stayed unreachable through every retry', () => {
      polling
        .given(started(T1), pollDue(T1))
        .when(polled(refused(3, 'down', 'RetriesExhausted'), T1))
        .then({ type: 'WaitForPoll', fireAt: at(T1, 30) });
    });
    it('cancels the job and fails on a non-retriable poll failure', () => {
      polling
        .given(started(T1), pollDue(T1))
        .when(polled(refused(3, 'gone'), T1))
        .then(cancelJob('Fail', 'poll failed: gone'));
    });
    it('continues as new after pollsPerExecution polls, carrying where polling is', () => {
      const short = saga(input(carried(), { pollsPerExecution: 2 }), T1);
      const inprogress = polled(ok(4, { status: 'Inprogress', retry: false }), T1);
      short
        .given(started(T1), pollDue(T1), inprogress, pollDue(T1))
        .when(inprogress)
        .then({ type: 'ContinueAsNew', carried: carried({ version: 4, lastStatus: 'Inprogress', pollIndex: 2 }) });
    });
  });

  describe('ending', () => {
    const polling = saga(input(carried()), T1);
    const aborted = [started(T1), cancel('stop')] as const;

    it("completes with the abort's outcome once the job is cancelled", () => {
      polling
        .given(...aborted)
        .when(answer('JobCancelled', ok(4)))
        .then({ type: 'Complete', outcome: 'Cancelled', reason: 'stop' });
    });
    it('ends once completed', () => {
      polling
        .given(...aborted, answer('JobCancelled', ok(4)))
        .when(answer('Completed', ok(5)))
        .then({ type: 'End', outcome: 'Cancelled', reason: 'stop', needsIntervention: false });
    });
    it('records a failed cancellation and leaves the request to an operator, without completing it', () => {
      polling
        .given(...aborted)
        .when(answer('JobCancelled', refused(3, 'locked')))
        .then({ type: 'RecordCompensationFailure', step: 'cancelJob', error: 'locked' });
      polling
        .given(...aborted, answer('JobCancelled', refused(3, 'locked')))
        .when(answer('CompensationFailureRecorded', ok(4)))
        .then({ type: 'End', outcome: 'Cancelled', reason: 'stop', needsIntervention: true });
    });
    it('records a failed completion (the intake row is not released) and needs an operator', () => {
      polling
        .given(...aborted, answer('JobCancelled', ok(4)))
        .when(answer('Completed', refused(4, 'table down')))
        .then({ type: 'RecordCompensationFailure', step: 'releaseIntake', error: 'table down' });
      polling
        .given(...aborted, answer('JobCancelled', ok(4)), answer('Completed', refused(4, 'table down')))
        .when(answer('CompensationFailureRecorded', ok(5)))
        .then({ type: 'End', outcome: 'Cancelled', reason: 'stop', needsIntervention: true });
    });
  });

  describe('state', () => {
    it('keeps the highest stream version seen: a step that failed without appending does not lower it', () => {
      const s = [started(T1), pollDue(T1), polled(refused(2, 'down', 'RetriesExhausted'), T1)].reduce(
        (acc, h) => step(acc, h).state,
        initialState(input(carried()), T1),
      );
      expect(s.version).to.equal(3);
    });
    it('evolves without touching the state it was given', () => {
      const before = initialState(input(carried()), T1);
      const frozen = JSON.stringify(before);
      step(step(before, started(T1)).state, cancel('stop'));
      expect(JSON.stringify(before)).to.equal(frozen);
      expect(
        evolve(before, {
          type: 'CancelJob',
          attempt: 1,
          externalJobId: 'job-1',
          reason: 'x',
          ending: { outcome: 'Cancelled' },
        }).undo,
      ).to.deep.equal([]);
      expect(before.undo).to.have.length(1);
    });
  });

  describe('what an operator sees', () => {
    it('names the stage of each command', () => {
      const s: SagaState = initialState(input(carried()), T1);
      expect(
        statusOf({ type: 'Poll', attempt: 1, externalJobId: 'job-1', lastStatus: 'Created', maxAttempts: 3 }, s),
      ).to.include({ stage: 'polling', attempt: 1, version: 3, externalJobId: 'job-1', lastExternalStatus: 'Created' });
      expect(statusOf({ type: 'RecordCompensationFailure', step: 'releaseIntake', error: 'x' }, s)).to.include({
        stage: 'completing',
      });
      expect(statusOf({ type: 'End', outcome: 'Fail', reason: 'r', needsIntervention: true }, s)).to.include({
        stage: 'needsIntervention',
        reason: 'r',
      });
    });
    it('takes the cancel reason from the event data, or says who cancelled', () => {
      expect([
        cancelReason({ reason: 'r' }),
        cancelReason('plain'),
        cancelReason(undefined),
        cancelReason({ why: 1 }),
      ]).to.deep.equal(['r', 'plain', 'cancelled by operator', 'cancelled by operator']);
    });
  });
});

function input(c?: CarriedState, policy: Partial<WorkflowPolicy> = {}): WorkflowInput {
  return {
    requestId: 'r-1',
    intake: { partitionKey: 'p', rowKey: 'r-1' },
    payload: {},
    policy: { ...POLICY, ...policy },
    ...(c ? { carried: c } : {}),
  };
}
function carried(over: Partial<CarriedState> = {}): CarriedState {
  return {
    phase: 'poll',
    attempt: 1,
    version: 3,
    admittedAt: T0,
    deadline: DEADLINE,
    externalJobId: 'job-1',
    lastStatus: 'Created',
    pollIndex: 0,
    ...over,
  };
}
function at(iso: string, seconds: number): string {
  return new Date(Date.parse(iso) + seconds * 1000).toISOString();
}
function ok<T extends object>(version: number, extra?: T): StepResult<T> {
  return { ok: true, version, unpublished: [], ...(extra ?? ({} as T)) };
}
function refused(
  version: number,
  error: string,
  code = 'NonRetriable',
): { ok: false; version: number; error: string; code: string } {
  return { ok: false, version, error, code };
}
function started(now: string): SagaInput {
  return { type: 'Started', now };
}
function admitted(result: AdmitResult, now: string): SagaInput {
  return { type: 'Admitted', result, now };
}
function prepared(version: number): SagaInput {
  return { type: 'Prepared', result: ok(version, { submission: SUBMISSION }) };
}
function submitted(version: number, externalJobId: string): SagaInput {
  return { type: 'Submitted', result: ok(version, { externalJobId }) };
}
function pollDue(now: string): SagaInput {
  return { type: 'PollDue', now };
}
function polled(result: PollResult, now: string): SagaInput {
  return { type: 'Polled', result, now };
}
function cancel(reason: string): SagaInput {
  return { type: 'CancelRequested', reason };
}
function answer(
  type: 'JobCancelled' | 'CompensationFailureRecorded' | 'Completed',
  result: StepResult<object>,
): SagaInput {
  return { type, result };
}
