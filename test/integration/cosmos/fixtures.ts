import type { AppendOptions } from '../../../src/application/ports';
import type { RequestEvent } from '../../../src/domain/events';

export const T0 = '2026-11-22T08:00:00.000Z';

export function appendOptions(expectedVersion: number, occurredAt = T0): AppendOptions {
  return { expectedVersion, occurredAt, metadata: { correlationId: 'corr-1', causationId: 'cause-1' } };
}

export function discovered(requestId: string): RequestEvent {
  return {
    type: 'RequestDiscovered',
    data: {
      requestId,
      intake: { partitionKey: 'p1', rowKey: requestId },
      payload: { scenario: 'pass' },
      discoveredAt: T0,
    },
  };
}

export function prepared(requestId: string, attempt: number): RequestEvent {
  return {
    type: 'SubmissionPrepared',
    data: { requestId, attempt, submission: { requestId, attempt, payload: { scenario: 'pass' } }, preparedAt: T0 },
  };
}

export function submitted(requestId: string, attempt: number, externalJobId: string): RequestEvent {
  return { type: 'JobSubmitted', data: { requestId, attempt, externalJobId, submittedAt: '2026-11-22T08:01:00.000Z' } };
}

export function statusChanged(requestId: string, n: number): RequestEvent {
  return {
    type: 'JobStatusChanged',
    data: {
      requestId,
      attempt: 1,
      externalJobId: 'job-1',
      previousStatus: 'Created',
      status: 'Inprogress',
      observedAt: new Date(Date.parse(T0) + n * 1000).toISOString(),
    },
  };
}

export function terminal(requestId: string, outcome: 'Pass' | 'Fail'): RequestEvent {
  return {
    type: 'JobTerminal',
    data: {
      requestId,
      attempt: 1,
      externalJobId: 'job-1',
      status: outcome,
      outcome,
      attemptsExhausted: false,
      observedAt: '2026-11-22T08:05:00.000Z',
    },
  };
}

export function completed(requestId: string, outcome: 'Pass' | 'Fail'): RequestEvent {
  return { type: 'RequestCompleted', data: { requestId, outcome, completedAt: '2026-11-22T08:06:00.000Z' } };
}
