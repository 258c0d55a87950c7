import { expect } from 'chai';
import type { RequestEvent } from '../../../src/domain/events';
import { resumePoint } from '../../../src/domain/resume';
import { foldEvents } from '../../../src/domain/state';

/** Given the events a request already has, where does a restarted workflow pick up? */
describe('resume point of a restarted workflow', () => {
  const id = 'req-1';
  const discovered: RequestEvent = {
    type: 'RequestDiscovered',
    data: { requestId: id, intake: { partitionKey: 'p', rowKey: id }, payload: {}, discoveredAt: 'T0' },
  };
  const prepared = (attempt: number): RequestEvent => ({
    type: 'SubmissionPrepared',
    data: { requestId: id, attempt, submission: { requestId: id, attempt, payload: {} }, preparedAt: 'T' },
  });
  const submitted = (attempt: number): RequestEvent => ({
    type: 'JobSubmitted',
    data: { requestId: id, attempt, externalJobId: `job-${attempt}`, submittedAt: 'T' },
  });
  const changed = (attempt: number, status: 'Inprogress' | 'FailCanRetry'): RequestEvent => ({
    type: 'JobStatusChanged',
    data: {
      requestId: id,
      attempt,
      externalJobId: `job-${attempt}`,
      previousStatus: 'Created',
      status,
      observedAt: 'T',
    },
  });
  const terminal: RequestEvent = {
    type: 'JobTerminal',
    data: {
      requestId: id,
      attempt: 1,
      externalJobId: 'job-1',
      status: 'Fail',
      outcome: 'Fail',
      attemptsExhausted: false,
      observedAt: 'T',
    },
  };
  const cancelled: RequestEvent = {
    type: 'JobCancelled',
    data: { requestId: id, attempt: 1, externalJobId: 'job-1', reason: 'operator', cancelledAt: 'T' },
  };
  const compensationFailed: RequestEvent = {
    type: 'CompensationFailed',
    data: { requestId: id, step: 'cancelJob', error: '503', failedAt: 'T' },
  };
  const completed: RequestEvent = {
    type: 'RequestCompleted',
    data: { requestId: id, outcome: 'Fail', completedAt: 'T' },
  };
  const from = (...events: RequestEvent[]) => resumePoint(foldEvents(events));

  it('admitted or prepared: prepare that attempt (again)', () => {
    expect(from(discovered)).to.deep.equal({ at: 'prepare', attempt: 1 });
    expect(from(discovered, prepared(1))).to.deep.equal({ at: 'prepare', attempt: 1 });
  });

  it('a job submitted or polled: poll it with the last status seen', () => {
    expect(from(discovered, prepared(1), submitted(1))).to.deep.equal({
      at: 'poll',
      attempt: 1,
      externalJobId: 'job-1',
      lastStatus: 'Created',
    });
    expect(from(discovered, prepared(1), submitted(1), changed(1, 'Inprogress'))).to.deep.equal({
      at: 'poll',
      attempt: 1,
      externalJobId: 'job-1',
      lastStatus: 'Inprogress',
    });
  });

  it('FailCanRetry seen with attempts left: prepare the next attempt', () => {
    expect(from(discovered, prepared(1), submitted(1), changed(1, 'FailCanRetry'))).to.deep.equal({
      at: 'prepare',
      attempt: 2,
    });
  });

  it('the job ended or was cancelled: only completion is left', () => {
    expect(from(discovered, prepared(1), submitted(1), terminal)).to.deep.equal({
      at: 'complete',
      attempt: 1,
      outcome: 'Fail',
      compensated: false,
      reason: undefined,
    });
    expect(from(discovered, prepared(1), submitted(1), cancelled)).to.deep.equal({
      at: 'complete',
      attempt: 1,
      outcome: undefined,
      compensated: true,
      reason: 'operator',
    });
  });

  it('completed, or a compensation failed: nothing to do, and the latter needs a human', () => {
    expect(from(discovered, prepared(1), submitted(1), terminal, completed)).to.deep.include({
      at: 'done',
      attempt: 1,
      outcome: 'Fail',
      needsIntervention: false,
    });
    expect(from(discovered, prepared(1), submitted(1), compensationFailed)).to.deep.include({
      at: 'done',
      needsIntervention: true,
    });
  });
});
