/**
 * Decisions: given a command and the folded state, which events happen. Pure; time arrives as
 * `now`. Re-issuing a command whose effect is already in the state returns no events, so a
 * retried activity or a replay never duplicates an event. Anything else out of order throws
 * IllegalTransitionError.
 */
import type { CompensationStep, IntakeRef, RequestEvent, WorkItemPayload } from './events';
import { DomainValidationError, IllegalTransitionError } from './errors';
import { isValidRequestId, REQUEST_ID_RULE } from './ids';
import { canRetry } from './policies';
import type { RequestState } from './state';
import { isCompleted } from './state';
import type { ExternalJobStatus, Outcome } from './status';

//////////// Commands

export interface Admit {
  type: 'Admit';
  requestId: string;
  intake: IntakeRef;
  payload: WorkItemPayload;
  now: string;
}
export interface PrepareSubmission {
  type: 'PrepareSubmission';
  attempt: number;
  now: string;
}
export interface RecordSubmission {
  type: 'RecordSubmission';
  attempt: number;
  externalJobId: string;
  now: string;
}
export interface RecordPoll {
  type: 'RecordPoll';
  status: ExternalJobStatus;
  now: string;
  maxAttempts: number;
}
export interface RecordJobCancelled {
  type: 'RecordJobCancelled';
  reason: string;
  now: string;
}
export interface RecordCompensationFailed {
  type: 'RecordCompensationFailed';
  step: CompensationStep;
  error: string;
  now: string;
}
export interface Complete {
  type: 'Complete';
  outcome: Outcome;
  reason?: string;
  now: string;
}

export type RequestCommand =
  Admit | PrepareSubmission | RecordSubmission | RecordPoll | RecordJobCancelled | RecordCompensationFailed | Complete;

//////////// Decide

export function decide(command: RequestCommand, state: RequestState): RequestEvent[] {
  switch (command.type) {
    case 'Admit':
      return admit(command, state);
    case 'PrepareSubmission':
      return prepareSubmission(command, state);
    case 'RecordSubmission':
      return recordSubmission(command, state);
    case 'RecordPoll':
      return recordPoll(command, state);
    case 'RecordJobCancelled':
      return recordJobCancelled(command, state);
    case 'RecordCompensationFailed':
      return recordCompensationFailed(command, state);
    case 'Complete':
      return complete(command, state);
    default: {
      const unknown: never = command;
      throw new Error(`unknown command ${(unknown as { type: string }).type}`);
    }
  }
}

function admit(c: Admit, s: RequestState): RequestEvent[] {
  if (s.stage !== 'New') {
    if (s.requestId === c.requestId) return [];
    throw illegal(c, s, `this stream already belongs to request '${s.requestId ?? '?'}', not '${c.requestId}'`);
  }
  if (!isValidRequestId(c.requestId)) {
    throw new DomainValidationError('requestId', `request id '${String(c.requestId)}' must be ${REQUEST_ID_RULE}`);
  }
  return [
    {
      type: 'RequestDiscovered',
      data: { requestId: c.requestId, intake: { ...c.intake }, payload: c.payload, discoveredAt: c.now },
    },
  ];
}

function prepareSubmission(c: PrepareSubmission, s: RequestState): RequestEvent[] {
  const requestId = admitted(c, s);
  openOnly(c, s);
  if (c.attempt === s.attempt && s.stage !== 'Discovered') return []; // this attempt already prepared (or further)
  const firstAttempt = s.stage === 'Discovered' && c.attempt === 1;
  const retry =
    c.attempt === s.attempt + 1 &&
    s.lastExternalStatus === 'FailCanRetry' &&
    s.outcome === undefined &&
    !s.jobCancelled;
  if (!firstAttempt && !retry) {
    throw illegal(
      c,
      s,
      s.attempt === 0
        ? `the first attempt must be 1, got ${c.attempt}`
        : `attempt ${c.attempt} may follow attempt ${s.attempt} only after it reported FailCanRetry (last status: ${s.lastExternalStatus ?? 'none'})`,
    );
  }
  return [
    {
      type: 'SubmissionPrepared',
      data: {
        requestId,
        attempt: c.attempt,
        submission: { requestId, attempt: c.attempt, payload: s.payload ?? {} },
        preparedAt: c.now,
      },
    },
  ];
}

function recordSubmission(c: RecordSubmission, s: RequestState): RequestEvent[] {
  const requestId = admitted(c, s);
  openOnly(c, s);
  if (c.attempt !== s.attempt) throw illegal(c, s, `attempt ${c.attempt} is not the prepared attempt ${s.attempt}`);
  if (s.stage === 'Prepared') {
    return [
      {
        type: 'JobSubmitted',
        data: { requestId, attempt: c.attempt, externalJobId: c.externalJobId, submittedAt: c.now },
      },
    ];
  }
  if (s.externalJobId === c.externalJobId) return [];
  throw illegal(
    c,
    s,
    s.externalJobId === undefined
      ? 'no submission is prepared'
      : `attempt ${c.attempt} already has job '${s.externalJobId}', not '${c.externalJobId}'`,
  );
}

function recordPoll(c: RecordPoll, s: RequestState): RequestEvent[] {
  const requestId = admitted(c, s);
  openOnly(c, s);
  const jobId = s.externalJobId;
  if (s.stage === 'Terminal' && s.outcome !== undefined) {
    // A retried poll of a job already decided terminal.
    if (s.lastExternalStatus === c.status) return [];
    throw illegal(c, s, `the job already ended with ${s.lastExternalStatus ?? '?'}, cannot now report ${c.status}`);
  }
  if ((s.stage !== 'Submitted' && s.stage !== 'Polling') || jobId === undefined || s.jobCancelled) {
    throw illegal(c, s, 'there is no running job to poll');
  }
  const previousStatus = s.lastExternalStatus ?? 'Created';
  const base = { requestId, attempt: s.attempt, externalJobId: jobId, observedAt: c.now };
  if (c.status === 'Pass' || c.status === 'Fail') {
    return [{ type: 'JobTerminal', data: { ...base, status: c.status, outcome: c.status, attemptsExhausted: false } }];
  }
  if (c.status === 'FailCanRetry' && !canRetry(s.attempt, c)) {
    return [{ type: 'JobTerminal', data: { ...base, status: c.status, outcome: 'Fail', attemptsExhausted: true } }];
  }
  // Only a change is an event: polling an unchanged job adds nothing to the stream.
  if (c.status === previousStatus) return [];
  return [{ type: 'JobStatusChanged', data: { ...base, previousStatus, status: c.status } }];
}

function recordJobCancelled(c: RecordJobCancelled, s: RequestState): RequestEvent[] {
  const requestId = admitted(c, s);
  openOnly(c, s);
  if (s.jobCancelled) return [];
  if (s.externalJobId === undefined) throw illegal(c, s, 'there is no submitted job to cancel');
  if (s.outcome !== undefined) throw illegal(c, s, `the job already ended with ${s.lastExternalStatus ?? '?'}`);
  return [
    {
      type: 'JobCancelled',
      data: { requestId, attempt: s.attempt, externalJobId: s.externalJobId, reason: c.reason, cancelledAt: c.now },
    },
  ];
}

function recordCompensationFailed(c: RecordCompensationFailed, s: RequestState): RequestEvent[] {
  const requestId = admitted(c, s);
  openOnly(c, s);
  // Recorded once per step: the point is to flag the request for a human, not to log every retry.
  if (s.failedCompensations.includes(c.step)) return [];
  return [{ type: 'CompensationFailed', data: { requestId, step: c.step, error: c.error, failedAt: c.now } }];
}

function complete(c: Complete, s: RequestState): RequestEvent[] {
  const requestId = admitted(c, s);
  if (isCompleted(s)) {
    if (s.outcome === c.outcome) return [];
    throw illegal(c, s, `the request already completed as ${s.outcome ?? '?'}`);
  }
  if (s.outcome !== undefined && s.outcome !== c.outcome) {
    throw illegal(c, s, `the job ended ${s.outcome}, so the request cannot complete as ${c.outcome}`);
  }
  if (c.outcome === 'Pass' && s.outcome !== 'Pass') {
    throw illegal(c, s, 'Pass needs a job that reported Pass');
  }
  const reason = c.reason ?? s.reason;
  return [
    {
      type: 'RequestCompleted',
      data: { requestId, outcome: c.outcome, ...(reason !== undefined ? { reason } : {}), completedAt: c.now },
    },
  ];
}

//////////// Guards

function admitted(c: RequestCommand, s: RequestState): string {
  if (s.stage === 'New' || s.requestId === undefined) throw illegal(c, s, 'the request has not been admitted');
  return s.requestId;
}

function openOnly(c: RequestCommand, s: RequestState): void {
  if (isCompleted(s)) throw illegal(c, s, `the request already completed as ${s.outcome ?? '?'}`);
}

function illegal(c: RequestCommand, s: RequestState, detail: string): IllegalTransitionError {
  return new IllegalTransitionError(c.type, s.stage, detail);
}
