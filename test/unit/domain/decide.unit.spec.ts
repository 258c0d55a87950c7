import { expect } from 'chai';
import type { RequestEvent } from '../../../src/domain/events';
import { errorCodeOf } from '../../../src/application/errors';
import { decide } from '../../../src/domain/decide';
import { initialRequestState } from '../../../src/domain/state';
import { given } from './deciderSpecification';

describe('request decider', () => {
  describe('Admit', () => {
    it('admits a new request as RequestDiscovered', () => {
      given().when({ type: 'Admit', requestId: ID, intake: INTAKE, payload: PAYLOAD, now: T0 }).then(discovered());
    });
    it('refuses a request id that breaks the id rule, naming the field', () => {
      expect(() =>
        decide({ type: 'Admit', requestId: 'a/b', intake: INTAKE, payload: PAYLOAD, now: T0 }, initialRequestState()),
      )
        .to.throw(/^\[Validation\] request id 'a\/b' must be 1-100 characters/)
        .with.property('field', 'requestId');
    });
    it('ignores re-admitting the same request', () => {
      given(discovered())
        .when({ type: 'Admit', requestId: ID, intake: INTAKE, payload: PAYLOAD, now: T1 })
        .thenNothingHappened();
    });
    it('refuses to admit another request into the stream', () => {
      given(discovered())
        .when({ type: 'Admit', requestId: 'other', intake: INTAKE, payload: PAYLOAD, now: T1 })
        .thenThrows(/belongs to request 'req-1'/);
    });
  });

  describe('PrepareSubmission', () => {
    it('prepares attempt 1 after admission, carrying the payload', () => {
      given(discovered()).when({ type: 'PrepareSubmission', attempt: 1, now: T1 }).then(prepared(1, T1));
    });
    it('is a no-op when the attempt is already prepared', () => {
      given(discovered(), prepared(1)).when({ type: 'PrepareSubmission', attempt: 1, now: T2 }).thenNothingHappened();
    });
    it('prepares the next attempt after FailCanRetry', () => {
      given(discovered(), prepared(1), submitted(1, 'job-1'), changed(1, 'job-1', 'Created', 'FailCanRetry'))
        .when({ type: 'PrepareSubmission', attempt: 2, now: T2 })
        .then(prepared(2, T2));
    });
    it('refuses a next attempt while the job is still running', () => {
      given(discovered(), prepared(1), submitted(1, 'job-1'), changed(1, 'job-1', 'Created', 'Inprogress'))
        .when({ type: 'PrepareSubmission', attempt: 2, now: T2 })
        .thenThrows(/only after it reported FailCanRetry \(last status: Inprogress\)/);
    });
    it('refuses a first attempt other than 1', () => {
      given(discovered())
        .when({ type: 'PrepareSubmission', attempt: 2, now: T1 })
        .thenThrows(/first attempt must be 1/);
    });
    it('refuses before admission', () => {
      given()
        .when({ type: 'PrepareSubmission', attempt: 1, now: T1 })
        .thenThrows(/not been admitted/);
    });
  });

  describe('RecordSubmission', () => {
    it('records the external job of the prepared attempt', () => {
      given(discovered(), prepared(1))
        .when({ type: 'RecordSubmission', attempt: 1, externalJobId: 'job-1', now: T2 })
        .then(submitted(1, 'job-1', T2));
    });
    it('is a no-op when the same job was already recorded', () => {
      given(discovered(), prepared(1), submitted(1, 'job-1'))
        .when({ type: 'RecordSubmission', attempt: 1, externalJobId: 'job-1', now: T2 })
        .thenNothingHappened();
    });
    it('refuses a different job for the same attempt', () => {
      given(discovered(), prepared(1), submitted(1, 'job-1'))
        .when({ type: 'RecordSubmission', attempt: 1, externalJobId: 'job-2', now: T2 })
        .thenThrows(/already has job 'job-1', not 'job-2'/);
    });
    it('refuses an attempt that was not prepared', () => {
      given(discovered(), prepared(1))
        .when({ type: 'RecordSubmission', attempt: 2, externalJobId: 'job-2', now: T2 })
        .thenThrows(/attempt 2 is not the prepared attempt 1/);
    });
  });

  describe('RecordPoll', () => {
    const running = (): RequestEvent[] => [discovered(), prepared(1), submitted(1, 'job-1')];
    it('records nothing while the status stays Created', () => {
      given(...running())
        .when(poll('Created'))
        .thenNothingHappened();
    });
    it('records a changed non-terminal status once', () => {
      const state = given(...running())
        .when(poll('Inprogress'))
        .then(changed(1, 'job-1', 'Created', 'Inprogress', T3));
      expect(state.stage).to.equal('Polling');
      given(...running(), changed(1, 'job-1', 'Created', 'Inprogress'))
        .when(poll('Inprogress'))
        .thenNothingHappened();
    });
    it('ends the job with outcome Pass on Pass', () => {
      given(...running())
        .when(poll('Pass'))
        .then(terminal('Pass', 'Pass', false));
    });
    it('ends the job with outcome Fail on Fail', () => {
      given(...running())
        .when(poll('Fail'))
        .then(terminal('Fail', 'Fail', false));
    });
    it('on FailCanRetry with attempts left records the change and leaves resubmission to the caller', () => {
      const state = given(...running())
        .when(poll('FailCanRetry'))
        .then(changed(1, 'job-1', 'Created', 'FailCanRetry', T3));
      expect(state.lastExternalStatus).to.equal('FailCanRetry');
      expect(state.outcome).to.equal(undefined);
    });
    it('on FailCanRetry with no attempt left ends the job as Fail with attemptsExhausted', () => {
      given(...running())
        .when({ ...poll('FailCanRetry'), maxAttempts: 1 })
        .then(terminal('FailCanRetry', 'Fail', true));
    });
    it('counts the attempts across resubmissions', () => {
      const history = [
        discovered(),
        prepared(1),
        submitted(1, 'job-1'),
        changed(1, 'job-1', 'Created', 'FailCanRetry'),
        prepared(2),
        submitted(2, 'job-2'),
        changed(2, 'job-2', 'Created', 'FailCanRetry'),
        prepared(3),
        submitted(3, 'job-3'),
      ];
      given(...history)
        .when(poll('FailCanRetry'))
        .then({
          type: 'JobTerminal',
          data: {
            requestId: ID,
            attempt: 3,
            externalJobId: 'job-3',
            status: 'FailCanRetry',
            outcome: 'Fail',
            attemptsExhausted: true,
            observedAt: T3,
          },
        });
    });
    it('ignores a repeated terminal poll but refuses a contradicting one', () => {
      given(...running(), terminal('Pass', 'Pass', false))
        .when(poll('Pass'))
        .thenNothingHappened();
      given(...running(), terminal('Pass', 'Pass', false))
        .when(poll('Fail'))
        .thenThrows(/already ended with Pass/);
    });
    it('refuses to poll before a job was submitted', () => {
      given(discovered(), prepared(1))
        .when(poll('Created'))
        .thenThrows(/no running job/);
    });
  });

  describe('RecordJobCancelled', () => {
    it('records the cancellation of the running job', () => {
      given(discovered(), prepared(1), submitted(1, 'job-1'))
        .when({ type: 'RecordJobCancelled', reason: 'deadline passed', now: T3 })
        .then({
          type: 'JobCancelled',
          data: { requestId: ID, attempt: 1, externalJobId: 'job-1', reason: 'deadline passed', cancelledAt: T3 },
        });
    });
    it('is a no-op when already cancelled', () => {
      given(discovered(), prepared(1), submitted(1, 'job-1'), cancelled())
        .when({ type: 'RecordJobCancelled', reason: 'again', now: T3 })
        .thenNothingHappened();
    });
    it('refuses when no job exists', () => {
      given(discovered(), prepared(1))
        .when({ type: 'RecordJobCancelled', reason: 'x', now: T3 })
        .thenThrows(/no submitted job/);
    });
    it('refuses when the job already ended', () => {
      given(discovered(), prepared(1), submitted(1, 'job-1'), terminal('Pass', 'Pass', false))
        .when({ type: 'RecordJobCancelled', reason: 'x', now: T3 })
        .thenThrows(/already ended with Pass/);
    });
  });

  describe('RecordCompensationFailed', () => {
    it('records the failed step and flags the request for intervention', () => {
      const state = given(discovered(), prepared(1), submitted(1, 'job-1'))
        .when({ type: 'RecordCompensationFailed', step: 'cancelJob', error: 'HTTP 500', now: T3 })
        .then({
          type: 'CompensationFailed',
          data: { requestId: ID, step: 'cancelJob', error: 'HTTP 500', failedAt: T3 },
        });
      expect(state.stage).to.equal('NeedsIntervention');
      expect(state.needsIntervention).to.equal(true);
    });
    it('records each step once', () => {
      given(discovered(), {
        type: 'CompensationFailed',
        data: { requestId: ID, step: 'cancelJob', error: 'e', failedAt: T2 },
      })
        .when({ type: 'RecordCompensationFailed', step: 'cancelJob', error: 'again', now: T3 })
        .thenNothingHappened();
    });
  });

  describe('Complete', () => {
    it('completes a passed job as Pass', () => {
      given(discovered(), prepared(1), submitted(1, 'job-1'), terminal('Pass', 'Pass', false))
        .when({ type: 'Complete', outcome: 'Pass', now: T4 })
        .then({ type: 'RequestCompleted', data: { requestId: ID, outcome: 'Pass', completedAt: T4 } });
    });
    it('carries the attempts-exhausted reason into the completion', () => {
      given(discovered(), prepared(1), submitted(1, 'job-1'), terminal('FailCanRetry', 'Fail', true))
        .when({ type: 'Complete', outcome: 'Fail', now: T4 })
        .then({
          type: 'RequestCompleted',
          data: { requestId: ID, outcome: 'Fail', reason: 'attempts exhausted after 1', completedAt: T4 },
        });
    });
    it('completes a cancelled job as TimedOut with the given reason', () => {
      const state = given(discovered(), prepared(1), submitted(1, 'job-1'), cancelled())
        .when({ type: 'Complete', outcome: 'TimedOut', reason: 'deadline passed', now: T4 })
        .then({
          type: 'RequestCompleted',
          data: { requestId: ID, outcome: 'TimedOut', reason: 'deadline passed', completedAt: T4 },
        });
      expect(state.stage).to.equal('Completed');
    });
    it('keeps a request whose compensation failed in NeedsIntervention after completing', () => {
      const state = given(discovered(), prepared(1), submitted(1, 'job-1'), {
        type: 'CompensationFailed',
        data: { requestId: ID, step: 'cancelJob', error: 'e', failedAt: T3 },
      })
        .when({ type: 'Complete', outcome: 'Cancelled', reason: 'operator', now: T4 })
        .then({
          type: 'RequestCompleted',
          data: { requestId: ID, outcome: 'Cancelled', reason: 'operator', completedAt: T4 },
        });
      expect(state.stage).to.equal('NeedsIntervention');
      expect(state.completedAt).to.equal(T4);
    });
    it('refuses Pass without a passed job', () => {
      given(discovered(), prepared(1), submitted(1, 'job-1'))
        .when({ type: 'Complete', outcome: 'Pass', now: T4 })
        .thenThrows(/needs a job that reported Pass/);
    });
    it('refuses an outcome that contradicts the job', () => {
      given(discovered(), prepared(1), submitted(1, 'job-1'), terminal('Fail', 'Fail', false))
        .when({ type: 'Complete', outcome: 'Cancelled', now: T4 })
        .thenThrows(/job ended Fail/);
    });
    it('is a no-op when completed with the same outcome, and refuses another', () => {
      const done: RequestEvent = {
        type: 'RequestCompleted',
        data: { requestId: ID, outcome: 'Fail', completedAt: T4 },
      };
      given(discovered(), done).when({ type: 'Complete', outcome: 'Fail', now: T4 }).thenNothingHappened();
      given(discovered(), done)
        .when({ type: 'Complete', outcome: 'Cancelled', now: T4 })
        .thenThrows(/already completed as Fail/);
    });
    it('refuses further steps after completion', () => {
      const done: RequestEvent = {
        type: 'RequestCompleted',
        data: { requestId: ID, outcome: 'Fail', completedAt: T4 },
      };
      given(discovered(), done)
        .when({ type: 'PrepareSubmission', attempt: 1, now: T4 })
        .thenThrows(/already completed/);
    });
  });

  it('illegal transitions keep their code when only the message survives (activity boundary)', () => {
    let message = '';
    try {
      decide({ type: 'Complete', outcome: 'Pass', now: T4 }, initialRequestState());
    } catch (e) {
      message = (e as Error).message;
    }
    expect(errorCodeOf(new Error(message))).to.equal('IllegalTransition');
  });

  // ---- fixtures ------------------------------------------------------------------------
  const ID = 'req-1';
  const INTAKE = { partitionKey: 'p1', rowKey: 'req-1' };
  const PAYLOAD = { scenario: 'pass' };
  const T0 = '2025-01-01T00:00:00.000Z';
  const T1 = '2025-01-01T00:00:01.000Z';
  const T2 = '2025-01-01T00:00:02.000Z';
  const T3 = '2025-01-01T00:00:03.000Z';
  const T4 = '2025-01-01T00:00:04.000Z';

  function poll(status: 'Created' | 'Inprogress' | 'Pass' | 'Fail' | 'FailCanRetry') {
    return { type: 'RecordPoll' as const, status, now: T3, maxAttempts: 3 };
  }
  function discovered(): RequestEvent {
    return { type: 'RequestDiscovered', data: { requestId: ID, intake: INTAKE, payload: PAYLOAD, discoveredAt: T0 } };
  }
  function prepared(attempt: number, at = T1): RequestEvent {
    return {
      type: 'SubmissionPrepared',
      data: { requestId: ID, attempt, submission: { requestId: ID, attempt, payload: PAYLOAD }, preparedAt: at },
    };
  }
  function submitted(attempt: number, externalJobId: string, at = T2): RequestEvent {
    return { type: 'JobSubmitted', data: { requestId: ID, attempt, externalJobId, submittedAt: at } };
  }
  function changed(
    attempt: number,
    externalJobId: string,
    previousStatus: 'Created' | 'Inprogress' | 'FailCanRetry',
    status: 'Created' | 'Inprogress' | 'FailCanRetry',
    at = T3,
  ): RequestEvent {
    return {
      type: 'JobStatusChanged',
      data: { requestId: ID, attempt, externalJobId, previousStatus, status, observedAt: at },
    };
  }
  function terminal(
    status: 'Pass' | 'Fail' | 'FailCanRetry',
    outcome: 'Pass' | 'Fail',
    attemptsExhausted: boolean,
  ): RequestEvent {
    return {
      type: 'JobTerminal',
      data: { requestId: ID, attempt: 1, externalJobId: 'job-1', status, outcome, attemptsExhausted, observedAt: T3 },
    };
  }
  function cancelled(): RequestEvent {
    return {
      type: 'JobCancelled',
      data: { requestId: ID, attempt: 1, externalJobId: 'job-1', reason: 'deadline passed', cancelledAt: T3 },
    };
  }
});
