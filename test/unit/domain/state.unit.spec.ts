import { expect } from 'chai';
import type { RequestEvent, StoredEvent } from '../../../src/domain/events';
import { evolve, foldEvents, initialRequestState } from '../../../src/domain/state';

describe('request state', () => {
  it('starts New at version 0', () => {
    expect(initialRequestState()).to.deep.include({ stage: 'New', attempt: 0, version: 0, needsIntervention: false });
  });

  it('folds a happy path', () => {
    const state = foldEvents(HAPPY);
    expect(state).to.deep.include({
      requestId: 'req-1',
      stage: 'Completed',
      attempt: 1,
      externalJobId: 'job-1',
      lastExternalStatus: 'Pass',
      outcome: 'Pass',
      version: 5,
      needsIntervention: false,
      intake: { partitionKey: 'p1', rowKey: 'req-1' },
      payload: { scenario: 'pass' },
      admittedAt: '2025-01-01T00:00:00.000Z',
      completedAt: '2025-01-01T00:00:05.000Z',
      updatedAt: '2025-01-01T00:00:05.000Z',
    });
  });

  it('takes the version from a stored event', () => {
    const stored: StoredEvent = {
      streamId: 'req-1',
      version: 7,
      eventId: 'x',
      type: HAPPY[0]!.type,
      data: HAPPY[0]!.data,
      metadata: { correlationId: 'c', causationId: 'c' },
      occurredAt: 'T',
    };
    expect(evolve(initialRequestState(), stored).version).to.equal(7);
  });

  it('returns new objects and leaves the input untouched', () => {
    const before = foldEvents(HAPPY.slice(0, 3));
    const snapshot = JSON.parse(JSON.stringify(before)) as unknown;
    const failed: RequestEvent = {
      type: 'CompensationFailed',
      data: { requestId: 'req-1', step: 'cancelJob', error: 'e', failedAt: 'T' },
    };
    const after = evolve(before, failed);
    expect(after).to.not.equal(before);
    expect(after.failedCompensations).to.deep.equal(['cancelJob']);
    expect(before).to.deep.equal(snapshot);
  });

  it('a new attempt forgets the previous job', () => {
    const state = foldEvents([
      ...HAPPY.slice(0, 3),
      {
        type: 'JobStatusChanged',
        data: {
          requestId: 'req-1',
          attempt: 1,
          externalJobId: 'job-1',
          previousStatus: 'Created',
          status: 'FailCanRetry',
          observedAt: 'T',
        },
      },
      {
        type: 'SubmissionPrepared',
        data: {
          requestId: 'req-1',
          attempt: 2,
          submission: { requestId: 'req-1', attempt: 2, payload: {} },
          preparedAt: 'T',
        },
      },
    ]);
    expect(state).to.deep.include({
      stage: 'Prepared',
      attempt: 2,
      externalJobId: undefined,
      lastExternalStatus: undefined,
    });
  });

  const HAPPY: RequestEvent[] = [
    {
      type: 'RequestDiscovered',
      data: {
        requestId: 'req-1',
        intake: { partitionKey: 'p1', rowKey: 'req-1' },
        payload: { scenario: 'pass' },
        discoveredAt: '2025-01-01T00:00:00.000Z',
      },
    },
    {
      type: 'SubmissionPrepared',
      data: {
        requestId: 'req-1',
        attempt: 1,
        submission: { requestId: 'req-1', attempt: 1, payload: { scenario: 'pass' } },
        preparedAt: '2025-01-01T00:00:01.000Z',
      },
    },
    {
      type: 'JobSubmitted',
      data: { requestId: 'req-1', attempt: 1, externalJobId: 'job-1', submittedAt: '2025-01-01T00:00:02.000Z' },
    },
    {
      type: 'JobTerminal',
      data: {
        requestId: 'req-1',
        attempt: 1,
        externalJobId: 'job-1',
        status: 'Pass',
        outcome: 'Pass',
        attemptsExhausted: false,
        observedAt: '2025-01-01T00:00:04.000Z',
      },
    },
    {
      type: 'RequestCompleted',
      data: { requestId: 'req-1', outcome: 'Pass', completedAt: '2025-01-01T00:00:05.000Z' },
    },
  ];
});
