/**
 * Stateless scripted steps of the saga for many concurrent instances (the bench's in-memory runs):
 * results derived from each input alone; a job passes on its `pollsToPass`-th poll.
 */
import type { StepHandlers, StepInput } from '../src/application/workflow/contracts';

export function scriptedSteps(pollsToPass: number): StepHandlers {
  const pollsByInstance = new Map<string, number>();
  const appended = (i: StepInput) => ({ ok: true as const, version: i.expectedVersion + 1, unpublished: [] });
  return {
    admitRequest: appended,
    prepareSubmission: (i) => ({
      ...appended(i),
      submission: { requestId: i.requestId, attempt: i.attempt, payload: {} },
    }),
    submitJob: (i) => ({ ...appended(i), externalJobId: `job-${i.requestId}` }),
    pollJob: (i) => {
      const n = (pollsByInstance.get(i.requestId) ?? 0) + 1;
      pollsByInstance.set(i.requestId, n);
      return n < pollsToPass
        ? { ...appended(i), version: i.expectedVersion, status: 'Inprogress', retry: false }
        : { ...appended(i), status: 'Pass', outcome: 'Pass', retry: false };
    },
    cancelJob: appended,
    completeRequest: appended,
    recordCompensationFailure: appended,
    publishEvents: () => ({ published: 0 }),
  };
}
