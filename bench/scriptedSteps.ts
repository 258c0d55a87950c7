/**
 * Stateless scripted steps of the saga for many concurrent instances (the bench's in-memory runs):
 * results derived from each input alone; a job passes on its `pollsToPass`-th poll.
 */
const STEPS = ['admitRequest', 'prepareSubmission', 'submitJob', 'pollJob', 'cancelJob', 'completeRequest', 'recordCompensationFailure', 'publishEvents'];

export function scriptedSteps(pollsToPass: number): Record<string, (input: unknown) => unknown> {
  return Object.fromEntries(STEPS.map((k) => [k, stepFor(k, pollsToPass)]));
}

function stepFor(name: string, pollsToPass: number): (input: unknown) => unknown {
  const pollsByInstance = new Map<string, number>();
  return (raw: unknown) => {
    const i = raw as { requestId: string; expectedVersion?: number; attempt?: number };
    const v = (i.expectedVersion ?? 0) + 1;
    switch (name) {
      case 'prepareSubmission': return { ok: true, version: v, unpublished: [], submission: { requestId: i.requestId, attempt: i.attempt, payload: {} } };
      case 'submitJob': return { ok: true, version: v, unpublished: [], externalJobId: `job-${i.requestId}` };
      case 'pollJob': {
        const n = (pollsByInstance.get(i.requestId) ?? 0) + 1;
        pollsByInstance.set(i.requestId, n);
        return n < pollsToPass ? { ok: true, version: v - 1, unpublished: [], status: 'Inprogress', retry: false } : { ok: true, version: v, unpublished: [], status: 'Pass', outcome: 'Pass', retry: false };
      }
      case 'publishEvents': return { published: 0 };
      default: return { ok: true, version: v, unpublished: [] };
    }
  };
}
