/** One valid stored event of every domain type, for the mapping and publishing tests. */
import type { RequestEvent, StoredEvent } from '../../../src/domain/events';

const at = '2026-01-01T10:00:00.000Z';
const intake = { partitionKey: 'batch-1', rowKey: 'req-1' };
const submission = { requestId: 'req-1', attempt: 1, payload: { scenario: 'pass' } };

export const ONE_OF_EACH: RequestEvent[] = [
  { type: 'RequestDiscovered', data: { requestId: 'req-1', intake, payload: { scenario: 'pass' }, discoveredAt: at } },
  { type: 'SubmissionPrepared', data: { requestId: 'req-1', attempt: 1, submission, preparedAt: at } },
  { type: 'JobSubmitted', data: { requestId: 'req-1', attempt: 1, externalJobId: 'job-1', submittedAt: at } },
  {
    type: 'JobStatusChanged',
    data: {
      requestId: 'req-1',
      attempt: 1,
      externalJobId: 'job-1',
      previousStatus: 'Created',
      status: 'Inprogress',
      observedAt: at,
    },
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
      observedAt: at,
    },
  },
  {
    type: 'JobCancelled',
    data: { requestId: 'req-1', attempt: 1, externalJobId: 'job-1', reason: 'deadline passed', cancelledAt: at },
  },
  { type: 'CompensationFailed', data: { requestId: 'req-1', step: 'cancelJob', error: 'service down', failedAt: at } },
  { type: 'RequestCompleted', data: { requestId: 'req-1', outcome: 'Pass', completedAt: at } },
];

export function stored(events: RequestEvent[], streamId = 'req-1', firstVersion = 1): StoredEvent[] {
  return events.map((e, i) => ({
    streamId,
    version: firstVersion + i,
    eventId: `${streamId}-evt-${firstVersion + i}`,
    type: e.type,
    data: e.data,
    metadata: {
      correlationId: `corr-${streamId}`,
      causationId: `cause-${firstVersion + i}`,
      traceparent: i % 2 === 0 ? '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' : undefined,
    },
    occurredAt: at,
  }));
}

/** `count` JobStatusChanged events of about `bytes` bytes each (padding in the job id). */
export function bulky(count: number, bytes: number, streamId = 'bulk-1'): StoredEvent[] {
  const pad = 'x'.repeat(Math.max(1, bytes - 700));
  return stored(
    Array.from({ length: count }, () => ({
      type: 'JobStatusChanged' as const,
      data: {
        requestId: streamId,
        attempt: 1,
        externalJobId: `job-${pad}`,
        previousStatus: 'Created' as const,
        status: 'Inprogress' as const,
        observedAt: at,
      },
    })),
    streamId,
  );
}
