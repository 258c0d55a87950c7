/**
 * The per-request saga as a pure decider (emmett's workflow shape): `decide(happened, state)` names
 * the next command, `evolve` folds both what happened and the commands issued into the saga state.
 * No Durable types here: requestWorkflow.ts interprets each command as activities, timers, the cancel
 * wait and continueAsNew, and feeds the result back in as what happened. Time arrives as `now`.
 *
 *   admit → prepare(n) → submit → [wait → poll]* → Pass/Fail → complete
 *                ▲                        │
 *                └─ FailCanRetry, n < max ┘
 *   deadline / cancel / non-retriable failure → cancel the job (undo, in reverse) → complete(TimedOut|Cancelled|Fail)
 *   restarted instance (stream already past admission) → resume at prepare(n) | poll | complete | done
 *
 * Every submission attempt, and every `pollsPerExecution` polls, ends the execution with ContinueAsNew
 * so the Durable history stays bounded; the next execution starts from the carried state.
 */
import type { CompensationStep, Submission } from '../../domain/events';
import { deadlineAt, isPastDeadline, pollDelaySeconds, type WorkflowPolicy } from '../../domain/policies';
import { conciseReason } from '../../domain/reasons';
import type { ExternalJobStatus, Outcome } from '../../domain/status';
import type {
  AdmitResult,
  CarriedState,
  PollResult,
  PrepareResult,
  StepResult,
  SubmitResult,
  WorkflowCustomStatus,
  WorkflowInput,
} from './contracts';

//////////// State

/** Compensation as data: pushed after each step that has an undo, run in reverse when the saga aborts. */
export interface Compensation {
  step: 'cancelJob';
  externalJobId: string;
  attempt: number;
}

/** How the saga ends, once decided. */
export interface Ending {
  outcome: Outcome;
  reason?: string;
}

/** `version` is the stream version the saga last saw; every appending step expects it. */
export interface SagaState extends Omit<CarriedState, 'phase' | 'unpublished' | 'publishFailure'> {
  requestId: string;
  policy: WorkflowPolicy;
  /** Where this execution entered the saga: a first execution admits, a carried one resumes its phase. */
  entry: 'admit' | CarriedState['phase'];
  pollsThisExecution: number;
  nextPollAt?: string;
  undo: Compensation[];
  ending?: Ending;
  needsIntervention: boolean;
}

/** The state an execution starts from: fresh on the first execution, else what the previous one carried. */
export function initialState(input: WorkflowInput, now: string): SagaState {
  const base = { requestId: input.requestId, policy: input.policy, pollsThisExecution: 0, needsIntervention: false };
  const c = input.carried;
  if (!c) {
    return {
      ...base,
      entry: 'admit',
      attempt: 1,
      version: 0,
      admittedAt: now,
      deadline: deadlineAt(now, input.policy),
      pollIndex: 0,
      undo: [],
    };
  }
  return {
    ...base,
    entry: c.phase,
    attempt: c.attempt,
    version: c.version,
    admittedAt: c.admittedAt,
    deadline: c.deadline,
    externalJobId: c.externalJobId,
    lastStatus: c.lastStatus,
    pollIndex: c.pollIndex,
    // A job being polled must be cancelled if this execution aborts.
    undo:
      c.phase === 'poll' && c.externalJobId
        ? [{ step: 'cancelJob', externalJobId: c.externalJobId, attempt: c.attempt }]
        : [],
  };
}

//////////// What happens (inputs) and what the saga does next (commands)

/** A step's result; `code: 'RetriesExhausted'` when Durable's retries ran out (a dependency stayed down). */
type Answered<T extends string, R> = { type: T; result: R };

export type SagaInput =
  | { type: 'Started'; now: string }
  | (Answered<'Admitted', AdmitResult> & { now: string })
  | Answered<'Prepared', PrepareResult>
  | Answered<'Submitted', SubmitResult>
  | { type: 'PollDue'; now: string }
  | { type: 'CancelRequested'; reason: string }
  | (Answered<'Polled', PollResult> & { now: string })
  | Answered<'JobCancelled', StepResult<object>>
  | Answered<'CompensationFailureRecorded', StepResult<object>>
  | Answered<'Completed', StepResult<object>>;

export type SagaCommand =
  | { type: 'Admit' }
  | { type: 'Prepare'; attempt: number }
  | { type: 'Submit'; attempt: number; submission: Submission }
  /** Wait until `fireAt` unless a cancel comes first (answered by PollDue or CancelRequested). */
  | { type: 'WaitForPoll'; fireAt: string }
  | { type: 'Poll'; attempt: number; externalJobId: string; lastStatus: ExternalJobStatus; maxAttempts: number }
  | { type: 'CancelJob'; attempt: number; externalJobId: string; reason: string; ending: Ending }
  | { type: 'RecordCompensationFailure'; step: CompensationStep; error: string }
  | { type: 'Complete'; outcome: Outcome; reason?: string }
  /** Ends this execution, unless a cancel is already waiting (then answered by CancelRequested). */
  | { type: 'ContinueAsNew'; carried: CarriedState }
  /** The saga is over: publish what is pending and report. */
  | { type: 'End'; outcome: Outcome; reason?: string; needsIntervention: boolean };

//////////// Decide

/** The next command, given what just happened and the state that already includes it. */
export function decide(happened: SagaInput, s: SagaState): SagaCommand {
  switch (happened.type) {
    case 'Started':
      if (s.entry === 'admit') return { type: 'Admit' };
      if (s.entry === 'submit') return prepare(s);
      return nextPoll(s, happened.now);
    case 'Admitted':
      return admitted(happened.result, happened.now, s);
    case 'Prepared':
      if (!happened.result.ok)
        return endWith(s, { outcome: 'Fail', reason: `prepare failed: ${happened.result.error}` });
      return { type: 'Submit', attempt: s.attempt, submission: happened.result.submission };
    case 'Submitted':
      if (!happened.result.ok)
        return endWith(s, { outcome: 'Fail', reason: `submit failed: ${happened.result.error}` });
      return continueAsNew({
        ...carriedOf(s),
        phase: 'poll',
        externalJobId: happened.result.externalJobId,
        lastStatus: 'Created',
        pollIndex: 0,
      });
    case 'PollDue':
      if (isPastDeadline(happened.now, s.deadline))
        return endWith(s, { outcome: 'TimedOut', reason: `deadline ${s.deadline} passed` });
      return {
        type: 'Poll',
        attempt: s.attempt,
        externalJobId: s.externalJobId as string,
        lastStatus: s.lastStatus ?? 'Created',
        maxAttempts: s.policy.maxAttempts,
      };
    case 'CancelRequested':
      return endWith(s, { outcome: 'Cancelled', reason: happened.reason });
    case 'Polled':
      return polled(happened.result, happened.now, s);
    case 'JobCancelled':
      if (!happened.result.ok)
        return { type: 'RecordCompensationFailure', step: 'cancelJob', error: happened.result.error };
      return nextEndingStep(s);
    case 'CompensationFailureRecorded':
      return nextEndingStep(s);
    case 'Completed':
      // Writing the intake row's terminal status is also the undo of admit; when it fails, a human must.
      if (!happened.result.ok)
        return { type: 'RecordCompensationFailure', step: 'releaseIntake', error: happened.result.error };
      return end(s);
    default: {
      const unknown: never = happened;
      throw new Error(`unknown saga input ${(unknown as { type: string }).type}`);
    }
  }
}

function admitted(result: AdmitResult, now: string, s: SagaState): SagaCommand {
  if (!result.ok) return endWith(s, { outcome: 'Fail', reason: `admit failed: ${result.error}` });
  const resume = result.resume;
  switch (resume?.at) {
    case undefined:
    case 'prepare':
      return prepare(s);
    case 'poll':
      return continueAsNew({
        ...carriedOf(s),
        phase: 'poll',
        attempt: resume.attempt,
        externalJobId: resume.externalJobId,
        lastStatus: resume.lastStatus,
        pollIndex: 0,
      });
    case 'complete':
      if (resume.outcome) return endWith(s, { outcome: resume.outcome });
      // Compensated before the restart: completes as what the abort was, as far as time can tell.
      return endWith(s, {
        outcome: isPastDeadline(now, s.deadline) ? 'TimedOut' : 'Cancelled',
        reason: resume.reason ?? 'compensated before the workflow was restarted',
      });
    case 'done':
      return {
        type: 'End',
        outcome: resume.outcome ?? 'Fail',
        reason: resume.reason,
        needsIntervention: resume.needsIntervention,
      };
  }
}

function polled(result: PollResult, now: string, s: SagaState): SagaCommand {
  if (!result.ok) {
    // The service stayed unreachable through every retry: keep polling until the deadline rather
    // than failing (and compensating against the same unreachable service).
    if (result.code === 'RetriesExhausted') return nextPoll(s, now);
    return endWith(s, { outcome: 'Fail', reason: `poll failed: ${result.error}` });
  }
  if (result.retry) {
    // FailCanRetry with attempts left: the finished job needs no undo; resubmit in a fresh execution.
    return continueAsNew({
      ...carriedOf(s),
      phase: 'submit',
      attempt: s.attempt + 1,
      externalJobId: undefined,
      lastStatus: undefined,
      pollIndex: 0,
    });
  }
  if (result.outcome) return endWith(s, { outcome: result.outcome });
  return nextPoll(s, now);
}

function prepare(s: SagaState): SagaCommand {
  return { type: 'Prepare', attempt: s.attempt };
}

function nextPoll(s: SagaState, now: string): SagaCommand {
  if (s.pollsThisExecution >= s.policy.pollsPerExecution) return continueAsNew(carriedOf(s));
  const due = Date.parse(now) + pollDelaySeconds(s.pollIndex, s.policy) * 1000;
  // The last wait is cut short to land on the deadline.
  return { type: 'WaitForPoll', fireAt: due < Date.parse(s.deadline) ? new Date(due).toISOString() : s.deadline };
}

function continueAsNew(carried: CarriedState): SagaCommand {
  return { type: 'ContinueAsNew', carried };
}

/**
 * The first step of an ending: undo the last completed step, else complete the request. The reason
 * is cut to one short line here, so the custom status, the intake row and the output never carry a
 * stack trace (and the custom status stays under the extension's 16 KB).
 */
function endWith(s: SagaState, full: Ending): SagaCommand {
  const ending: Ending = full.reason === undefined ? full : { ...full, reason: conciseReason(full.reason) };
  const undo = s.undo.at(-1);
  if (undo)
    return {
      type: 'CancelJob',
      attempt: undo.attempt,
      externalJobId: undo.externalJobId,
      reason: ending.reason ?? ending.outcome,
      ending,
    };
  return { type: 'Complete', outcome: ending.outcome, reason: ending.reason };
}

function nextEndingStep(s: SagaState): SagaCommand {
  const ending = s.ending as Ending;
  if (s.undo.length > 0) return endWith(s, ending);
  // A failed compensation leaves the request to an operator: the intake row is not completed.
  return s.needsIntervention ? end(s) : { type: 'Complete', outcome: ending.outcome, reason: ending.reason };
}

function end(s: SagaState): SagaCommand {
  const ending = s.ending as Ending;
  return { type: 'End', outcome: ending.outcome, reason: ending.reason, needsIntervention: s.needsIntervention };
}

function carriedOf(s: SagaState): CarriedState {
  return {
    phase: s.entry === 'admit' ? 'submit' : s.entry,
    attempt: s.attempt,
    version: s.version,
    admittedAt: s.admittedAt,
    deadline: s.deadline,
    externalJobId: s.externalJobId,
    lastStatus: s.lastStatus,
    pollIndex: s.pollIndex,
  };
}

//////////// Evolve

export function evolve(s: SagaState, e: SagaInput | SagaCommand): SagaState {
  const seen = 'result' in e ? { ...s, version: Math.max(s.version, e.result.version) } : s;
  switch (e.type) {
    case 'Admitted': {
      const resume = e.result.ok ? e.result.resume : undefined;
      if (!resume || !e.result.ok) return seen;
      // The deadline runs from the first admission, not from this restart.
      const admittedAt = e.result.admittedAt;
      const times = admittedAt ? { admittedAt, deadline: deadlineAt(admittedAt, s.policy) } : {};
      const resumed = { ...seen, ...times, attempt: resume.attempt };
      if (resume.at !== 'poll') return resumed;
      // The resumed job is running: an abort before the polling execution starts must cancel it too.
      const job = { externalJobId: resume.externalJobId, lastStatus: resume.lastStatus };
      return {
        ...resumed,
        ...job,
        undo: [...s.undo, { step: 'cancelJob', externalJobId: resume.externalJobId, attempt: resume.attempt }],
      };
    }
    case 'Submitted':
      if (!e.result.ok) return seen;
      // From here the job exists: an abort must cancel it.
      return {
        ...seen,
        externalJobId: e.result.externalJobId,
        undo: [...s.undo, { step: 'cancelJob', externalJobId: e.result.externalJobId, attempt: s.attempt }],
      };
    case 'Polled': {
      const polled = { ...seen, pollIndex: s.pollIndex + 1, pollsThisExecution: s.pollsThisExecution + 1 };
      if (!e.result.ok) return polled;
      // A job that finished (or failed and will be resubmitted) has nothing left to undo.
      const finished = e.result.retry || e.result.outcome !== undefined;
      return { ...polled, lastStatus: e.result.status, ...(finished ? { undo: [] } : {}) };
    }
    case 'JobCancelled':
    case 'Completed':
      return e.result.ok ? seen : { ...seen, needsIntervention: true };
    case 'WaitForPoll':
      return { ...s, nextPollAt: e.fireAt };
    case 'CancelJob':
      return { ...s, ending: e.ending, undo: s.undo.slice(0, -1) };
    case 'Complete':
      return { ...s, ending: { outcome: e.outcome, reason: e.reason } };
    default:
      return seen;
  }
}

//////////// What an operator sees

/** The custom status while `command` runs (the interpreter adds the publication count). */
export function statusOf(command: SagaCommand, s: SagaState): Omit<WorkflowCustomStatus, 'pendingPublications'> {
  const base = { attempt: s.attempt, version: s.version, reason: s.ending?.reason };
  const job = { externalJobId: s.externalJobId, lastExternalStatus: s.lastStatus };
  switch (command.type) {
    case 'Admit':
      return { ...base, stage: 'admitting' };
    case 'Prepare':
      return { ...base, stage: 'preparing' };
    case 'Submit':
      return { ...base, stage: 'submitting' };
    case 'WaitForPoll':
    case 'Poll':
      return { ...base, ...job, stage: 'polling', nextPollAt: s.nextPollAt };
    case 'CancelJob':
      return { ...base, ...job, stage: 'compensating' };
    case 'RecordCompensationFailure':
      return { ...base, ...job, stage: command.step === 'cancelJob' ? 'compensating' : 'completing' };
    case 'Complete':
      return { ...base, ...job, stage: 'completing' };
    case 'ContinueAsNew':
      return {
        ...base,
        ...job,
        stage: command.carried.phase === 'poll' ? 'polling' : 'preparing',
        attempt: command.carried.attempt,
      };
    case 'End':
      return {
        ...base,
        ...job,
        stage: command.needsIntervention ? 'needsIntervention' : 'completed',
        reason: command.reason,
      };
  }
}

/** The operator's reason from a `cancel` event's data (`{ reason }` or a plain string). */
export function cancelReason(data: unknown): string {
  if (data && typeof data === 'object' && typeof (data as { reason?: unknown }).reason === 'string')
    return (data as { reason: string }).reason;
  if (typeof data === 'string' && data.length > 0) return data;
  return 'cancelled by operator';
}
