/**
 * The per-request saga, as a Durable orchestrator generator.
 *
 *   admit → prepare(n) → submit → [timer → poll]* → Pass/Fail → complete
 *                ▲                        │
 *                └─ FailCanRetry, n < max ┘
 *   deadline / `cancel` event / non-retriable failure → compensate in reverse → complete(TimedOut|Cancelled|Fail)
 *   restarted instance (stream already past admission) → resume at prepare(n) | poll | complete | done
 *
 * Replay rules: this file is re-executed from the top on every episode, so it reads time only from
 * `context.df.currentUtcDateTime`, configuration only from its input, and the world only through
 * activity results (lint enforces it).
 */
import type { OrchestrationContext, Task, TimerTask } from 'durable-functions';
import { pollDelaySeconds } from '../../domain/policies';
import type { ResumePoint } from '../../domain/resume';
import type { Outcome } from '../../domain/status';
import {
  ACTIVITY,
  type AdmitInput,
  type AdmitResult,
  type CancelJobInput,
  type CarriedState,
  type CompensationFailureInput,
  type CompleteInput,
  type PollInput,
  type PollResult,
  type PrepareInput,
  type PrepareResult,
  type StepInput,
  type StepResult,
  type SubmitInput,
  type SubmitResult,
  type WorkflowCustomStatus,
  type WorkflowInput,
  type WorkflowOutput,
} from './contracts';
import { PendingPublications } from './pendingPublications';
import { retryPolicies } from './retryPolicies';
import { executionTrace } from './trace';

/** Ends the saga early with this outcome; compensations run before the request completes. */
interface Abort {
  outcome: Exclude<Outcome, 'Pass'>;
  reason: string;
}

/** Compensation as data: pushed after each step that has an undo, run in reverse on abort. */
type Compensation = { step: 'cancelJob'; externalJobId: string; attempt: number };

export function* requestWorkflow(context: OrchestrationContext): Generator<Task, WorkflowOutput, unknown> {
  const input = context.df.getInput<WorkflowInput>();
  const { requestId, policy } = input;
  const retry = retryPolicies(input.retry);
  const now = (): string => context.df.currentUtcDateTime.toISOString();
  // Computed (not created) here, identically on every replay; the span itself is made outside replay.
  const trace = executionTrace(input.trace, context.df.instanceId, now());
  const step = (expectedVersion: number): StepInput => ({ requestId, expectedVersion, now: now(), correlationId: requestId, ...(trace ? { trace } : {}) });

  const publications = new PendingPublications(context, requestId, retry, trace);
  let carried: CarriedState;
  let status: WorkflowCustomStatus;
  let resume: ResumePoint | undefined;
  const show = (patch: Partial<WorkflowCustomStatus>): void => {
    status = { ...status, ...patch, version: carried.version, attempt: carried.attempt, pendingPublications: publications.count };
    context.df.setCustomStatus(status);
  };

  /** Calls an appending activity; transient failures are retried by Durable, the rest come back as `ok: false`. */
  function* call<T extends StepResult<object>>(name: string, stepInput: StepInput & Record<string, unknown>): Generator<Task, T, unknown> {
    let result: T;
    try {
      result = (yield context.df.callActivityWithRetry(name, retry.step, stepInput)) as T;
    } catch (e) {
      // Retries exhausted (a dependency stayed down): treat like a non-retriable failure.
      return { ok: false, version: stepInput.expectedVersion, error: messageOf(e), code: 'RetriesExhausted' } as T;
    }
    carried.version = Math.max(carried.version, result.version);
    if (result.ok) publications.add(result.unpublished);
    return result;
  }

  /**
   * Waits for the poll time or a cancel, publishing pending events meanwhile. Two SDK rules shape it:
   * a Task.any never hears of a child that completed before it was built (a cancel raised while an
   * activity ran), so the cancel is checked first; and a scheduled task must not go into a second
   * Task.any (see pendingPublications.ts), so a publication that answers first is followed by a fresh
   * timer for the same time.
   */
  function* waitForPollOrCancel(fireAt: Date): Generator<Task, 'poll' | 'cancel', unknown> {
    if (cancelled.isCompleted) return 'cancel';
    const background = publications.startInBackground();
    let timer: TimerTask = context.df.createTimer(fireAt);
    if (background) {
      const first = yield context.df.Task.any([timer, cancelled, background]);
      if (first !== background) return endWait(first, timer);
      publications.settle();
      timer.cancel();
      if (cancelled.isCompleted) return 'cancel';
      timer = context.df.createTimer(fireAt);
    }
    return endWait(yield context.df.Task.any([timer, cancelled]), timer);
  }
  function endWait(winner: unknown, timer: TimerTask): 'poll' | 'cancel' {
    if (winner !== cancelled) return 'poll';
    timer.cancel();
    return 'cancel';
  }

  // ---- admit (first execution only) --------------------------------------------------------
  if (input.carried) {
    carried = { ...input.carried };
    publications.takeOver(carried);
    delete carried.unpublished;
    delete carried.publishFailure;
    status = { stage: carried.phase === 'poll' ? 'polling' : 'preparing', attempt: carried.attempt, version: carried.version, pendingPublications: 0 };
  } else {
    const admittedAt = now();
    carried = {
      phase: 'submit',
      attempt: 1,
      version: 0,
      admittedAt,
      deadline: new Date(context.df.currentUtcDateTime.getTime() + policy.deadlineSeconds * 1000).toISOString(),
      pollIndex: 0,
    };
    status = { stage: 'admitting', attempt: 1, version: 0, pendingPublications: 0 };
    show({});
    const admitted = yield* call<AdmitResult>(ACTIVITY.admit, { ...step(0), intake: input.intake, payload: input.payload } satisfies AdmitInput);
    if (!admitted.ok) return yield* finish({ outcome: 'Fail', reason: `admit failed: ${admitted.error}` }, []);
    resume = admitted.resume;
    if (resume && admitted.admittedAt) {
      // The deadline runs from the first admission, not from this restart.
      carried.admittedAt = admitted.admittedAt;
      carried.deadline = new Date(Date.parse(admitted.admittedAt) + policy.deadlineSeconds * 1000).toISOString();
    }
  }

  const compensations: Compensation[] = [];
  if (carried.phase === 'poll' && carried.externalJobId) {
    compensations.push({ step: 'cancelJob', externalJobId: carried.externalJobId, attempt: carried.attempt });
  }
  // One waiter per execution: a cancel raised at any time (even before we wait) completes it.
  const cancelled = context.df.waitForExternalEvent('cancel');

  // ---- a restarted instance continues where the stream says the request is ------------------
  switch (resume?.at) {
    case 'done':
      show({ stage: resume.needsIntervention ? 'needsIntervention' : 'completed', reason: resume.reason });
      return { requestId, outcome: resume.outcome ?? 'Fail', reason: resume.reason, attempts: resume.attempt, version: carried.version, needsIntervention: resume.needsIntervention };
    case 'complete':
      carried.attempt = resume.attempt;
      if (resume.outcome) return yield* finish(undefined, [], resume.outcome);
      // Compensated before the restart: completes as what the abort was, as far as time can tell.
      return yield* finish({
        outcome: context.df.currentUtcDateTime >= new Date(carried.deadline) ? 'TimedOut' : 'Cancelled',
        reason: resume.reason ?? 'compensated before the workflow was restarted',
      }, []);
    case 'poll':
      return yield* continueAsNew({ ...carried, phase: 'poll', attempt: resume.attempt, externalJobId: resume.externalJobId, lastStatus: resume.lastStatus, pollIndex: 0 });
    case 'prepare':
      carried.attempt = resume.attempt;
      break;
    default:
      break;
  }

  // ---- prepare + submit ----------------------------------------------------------------------
  if (carried.phase === 'submit') {
    show({ stage: 'preparing', externalJobId: undefined, lastExternalStatus: undefined });
    const prepared = yield* call<PrepareResult>(ACTIVITY.prepare, { ...step(carried.version), attempt: carried.attempt } satisfies PrepareInput);
    if (!prepared.ok) return yield* finish({ outcome: 'Fail', reason: `prepare failed: ${prepared.error}` }, compensations);

    show({ stage: 'submitting' });
    const submitted = yield* call<SubmitResult>(ACTIVITY.submit, { ...step(carried.version), attempt: carried.attempt, submission: prepared.submission } satisfies SubmitInput);
    if (!submitted.ok) return yield* finish({ outcome: 'Fail', reason: `submit failed: ${submitted.error}` }, compensations);
    // From here the job exists: a cancel caught before the next execution must cancel it.
    carried.externalJobId = submitted.externalJobId;
    compensations.push({ step: 'cancelJob', externalJobId: submitted.externalJobId, attempt: carried.attempt });

    // History stays bounded: a fresh execution per submission attempt.
    return yield* continueAsNew({ ...carried, phase: 'poll', externalJobId: submitted.externalJobId, lastStatus: 'Created', pollIndex: 0 });
  }

  // ---- poll loop -----------------------------------------------------------------------------
  const externalJobId = carried.externalJobId as string;
  for (let pollsThisExecution = 0; ; pollsThisExecution++) {
    if (pollsThisExecution >= policy.pollsPerExecution) return yield* continueAsNew(carried);

    const deadline = new Date(carried.deadline);
    const due = new Date(context.df.currentUtcDateTime.getTime() + pollDelaySeconds(carried.pollIndex, policy) * 1000);
    const fireAt = due < deadline ? due : deadline;
    show({ stage: 'polling', externalJobId, lastExternalStatus: carried.lastStatus, nextPollAt: fireAt.toISOString() });

    if ((yield* waitForPollOrCancel(fireAt)) === 'cancel') {
      return yield* finish({ outcome: 'Cancelled', reason: cancelReasonOf(cancelled.result) }, compensations);
    }
    if (context.df.currentUtcDateTime >= deadline) {
      return yield* finish({ outcome: 'TimedOut', reason: `deadline ${carried.deadline} passed` }, compensations);
    }

    const polled = yield* call<PollResult>(ACTIVITY.poll, {
      ...step(carried.version),
      attempt: carried.attempt,
      externalJobId,
      lastStatus: carried.lastStatus ?? 'Created',
      maxAttempts: policy.maxAttempts,
    } satisfies PollInput);
    if (!polled.ok) {
      // The service stayed unreachable through every retry: keep polling until the deadline
      // rather than failing (and compensating against the same unreachable service).
      if (polled.code === 'RetriesExhausted') {
        carried.pollIndex++;
        continue;
      }
      return yield* finish({ outcome: 'Fail', reason: `poll failed: ${polled.error}` }, compensations);
    }
    carried.lastStatus = polled.status;
    carried.pollIndex++;

    if (polled.retry) {
      // FailCanRetry with attempts left: the finished job needs no undo; resubmit in a fresh execution.
      compensations.length = 0;
      return yield* continueAsNew({ ...carried, phase: 'submit', attempt: carried.attempt + 1, externalJobId: undefined, lastStatus: undefined, pollIndex: 0 });
    }
    if (polled.outcome) {
      compensations.length = 0;
      return yield* finish(undefined, compensations, polled.outcome);
    }
  }

  // ---- endings -------------------------------------------------------------------------------
  function* continueAsNew(next: CarriedState): Generator<Task, WorkflowOutput, unknown> {
    // A cancel raised since the last wait would be dropped with this execution's history, so look
    // for it now: a buffered event completes the waiter at once, otherwise the zero-delay timer wins.
    // (Checked first: a cancel raised while an activity ran has completed the waiter already.)
    if (cancelled.isCompleted || (yield context.df.Task.any([cancelled, context.df.createTimer(context.df.currentUtcDateTime)])) === cancelled) {
      return yield* finish({ outcome: 'Cancelled', reason: cancelReasonOf(cancelled.result) }, compensations);
    }
    carried = next;
    show({});
    // A publication still running is not waited for: its versions stay pending and are carried over.
    context.df.continueAsNew({ ...input, carried: { ...next, ...publications.handOver() } } satisfies WorkflowInput);
    // The return value of an execution that continues as new is never seen.
    return { requestId, outcome: 'Fail', attempts: next.attempt, version: next.version, needsIntervention: false };
  }

  function* finish(abort: Abort | undefined, undo: Compensation[], jobOutcome?: 'Pass' | 'Fail'): Generator<Task, WorkflowOutput, unknown> {
    const outcome: Outcome = abort ? abort.outcome : (jobOutcome as Outcome);
    const reason = abort?.reason;
    let needsIntervention = false;

    if (undo.length > 0) show({ stage: 'compensating', reason });
    for (const c of [...undo].reverse()) {
      const cancelledJob = yield* call<StepResult<object>>(ACTIVITY.cancelJob, {
        ...step(carried.version),
        attempt: c.attempt,
        externalJobId: c.externalJobId,
        reason: reason ?? outcome,
      } satisfies CancelJobInput);
      if (!cancelledJob.ok) {
        needsIntervention = true;
        yield* call<StepResult<object>>(ACTIVITY.recordCompensationFailure, { ...step(carried.version), step: 'cancelJob', error: cancelledJob.error } satisfies CompensationFailureInput);
      }
    }

    if (!needsIntervention) {
      // Writing the intake row's terminal status is also the undo of admit.
      show({ stage: 'completing', reason });
      const completed = yield* call<StepResult<object>>(ACTIVITY.complete, { ...step(carried.version), intake: input.intake, outcome, reason } satisfies CompleteInput);
      if (!completed.ok) {
        needsIntervention = true;
        yield* call<StepResult<object>>(ACTIVITY.recordCompensationFailure, { ...step(carried.version), step: 'releaseIntake', error: completed.error } satisfies CompensationFailureInput);
      }
    }

    yield* publications.flush();
    const publishFailure = publications.count > 0 ? publications.lastFailure : undefined;
    if (publishFailure) needsIntervention = true;
    show({ stage: needsIntervention ? 'needsIntervention' : 'completed', reason, nextPollAt: undefined });
    return {
      requestId, outcome, reason, attempts: carried.attempt, externalJobId: carried.externalJobId, version: carried.version, needsIntervention,
      ...(publishFailure ? { unpublishedVersions: publications.pending(), publishFailure } : {}),
    };
  }
}

function cancelReasonOf(data: unknown): string {
  if (data && typeof data === 'object' && typeof (data as { reason?: unknown }).reason === 'string') return (data as { reason: string }).reason;
  if (typeof data === 'string' && data.length > 0) return data;
  return 'cancelled by operator';
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
