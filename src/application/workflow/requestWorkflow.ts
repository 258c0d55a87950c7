/**
 * The per-request saga's Durable orchestrator: an interpreter of the saga decider (saga.ts). It folds
 * what happened into the saga state, asks `decide` for the next command and carries it out as Durable
 * calls: steps as activities with retry, the poll wait as a timer raced against the `cancel` event,
 * continueAsNew, and the custom status. Publishing pending events (pendingPublications.ts) runs here,
 * in the background of poll waits (plain activities: no retrying task may race a timer that is then
 * cancelled, or DTFx fails the instance in Azure), because it never changes a decision.
 *
 * Replay rules: this file is re-executed from the top on every episode, so it reads time only from
 * `context.df.currentUtcDateTime`, configuration only from its input, and the world only through
 * activity results (lint enforces it).
 */
import type { OrchestrationContext, Task, TimerTask } from 'durable-functions';
import { conciseReason } from '../../domain/reasons';
import type {
  StepInput,
  StepName,
  StepOutput,
  StepParams,
  WorkflowCustomStatus,
  WorkflowInput,
  WorkflowOutput,
} from './contracts';
import { PendingPublications } from './pendingPublications';
import { retryPolicies } from './retryPolicies';
import {
  cancelReason,
  decide,
  evolve,
  initialState,
  statusOf,
  type SagaCommand,
  type SagaInput,
  type SagaState,
} from './saga';
import { callStep } from './stepCalls';
import { executionTrace } from './trace';

type AppendingStep = Exclude<StepName, 'publishEvents'>;

export function* requestWorkflow(context: OrchestrationContext): Generator<Task, WorkflowOutput, unknown> {
  const input = context.df.getInput<WorkflowInput>();
  const { requestId } = input;
  const retry = retryPolicies(input.retry);
  const now = (): string => context.df.currentUtcDateTime.toISOString();
  // Computed (not created) here, identically on every replay; the execution's span is made outside replay.
  const trace = executionTrace(input.trace, context.df.instanceId, now());
  const publications = new PendingPublications(context, requestId, retry, trace);
  if (input.carried) publications.takeOver(input.carried);
  // One waiter per execution: a cancel raised at any time (even before we wait) completes it.
  const cancelled = context.df.waitForExternalEvent('cancel');
  const cancelRequested = (): SagaInput => ({ type: 'CancelRequested', reason: cancelReason(cancelled.result) });

  let state: SagaState = initialState(input, now());
  const show = (status: Omit<WorkflowCustomStatus, 'pendingPublications'>): void =>
    context.df.setCustomStatus({ ...status, pendingPublications: publications.count });

  /** Runs an appending step at the stream version last seen; transient failures are retried by Durable. */
  function* run<K extends AppendingStep>(
    name: K,
    params: Omit<StepParams<K>, keyof StepInput>,
  ): Generator<Task, StepOutput<K>, unknown> {
    const stepInput = {
      requestId,
      expectedVersion: state.version,
      now: now(),
      correlationId: requestId,
      ...(trace ? { trace } : {}),
      ...params,
    } as StepParams<K>;
    let result: StepOutput<AppendingStep>;
    try {
      result = yield* callStep(context, name, retry.step, stepInput);
    } catch (e) {
      // Retries exhausted (a dependency stayed down): the saga treats it like a non-retriable failure.
      // The SDK's error is `Reason \n Details` (the activity's stack): keep the first line.
      result = {
        ok: false,
        version: state.version,
        error: conciseReason(e instanceof Error ? e.message : String(e)),
        code: 'RetriesExhausted',
      };
    }
    if (result.ok) publications.add(result.unpublished);
    return result as StepOutput<K>;
  }

  /**
   * Waits for the poll time or a cancel, publishing pending events meanwhile. Two SDK rules shape it:
   * a Task.any never hears of a child that completed before it was built (a cancel raised while an
   * activity ran), so the cancel is checked first; and a scheduled task must not go into a second
   * Task.any (see pendingPublications.ts), so a publication that answers first is followed by a fresh
   * timer for the same time.
   */
  function* waitForPollOrCancel(fireAt: Date): Generator<Task, SagaInput, unknown> {
    if (cancelled.isCompleted) return cancelRequested();
    const background = publications.startInBackground();
    let timer: TimerTask = context.df.createTimer(fireAt);
    if (background) {
      const first = yield context.df.Task.any([timer, cancelled, background]);
      if (first !== background) return endWait(first, timer);
      publications.settle();
      timer.cancel();
      if (cancelled.isCompleted) return cancelRequested();
      timer = context.df.createTimer(fireAt);
    }
    return endWait(yield context.df.Task.any([timer, cancelled]), timer);
  }
  function endWait(winner: unknown, timer: TimerTask): SagaInput {
    if (winner !== cancelled) return { type: 'PollDue', now: now() };
    timer.cancel();
    return cancelRequested();
  }

  /**
   * A cancel raised since the last wait would be dropped with this execution's history, so look for it
   * before continuing as new: a buffered event completes the waiter at once, otherwise the zero-delay
   * timer wins (and is cancelled when it loses, so nothing stays open). Checked first: a cancel raised
   * while an activity ran has completed the waiter already.
   */
  function* cancelWaiting(): Generator<Task, boolean, unknown> {
    if (cancelled.isCompleted) return true;
    const now = context.df.createTimer(context.df.currentUtcDateTime);
    if ((yield context.df.Task.any([cancelled, now])) !== cancelled) return false;
    now.cancel();
    return true;
  }

  let happened: SagaInput = { type: 'Started', now: now() };
  for (;;) {
    state = evolve(state, happened);
    const command: SagaCommand = decide(happened, state);
    state = evolve(state, command);
    if (command.type !== 'ContinueAsNew' && command.type !== 'End') show(statusOf(command, state));

    switch (command.type) {
      case 'Admit':
        happened = {
          type: 'Admitted',
          result: yield* run('admitRequest', { intake: input.intake, payload: input.payload }),
          now: now(),
        };
        break;
      case 'Prepare':
        happened = { type: 'Prepared', result: yield* run('prepareSubmission', { attempt: command.attempt }) };
        break;
      case 'Submit':
        happened = {
          type: 'Submitted',
          result: yield* run('submitJob', { attempt: command.attempt, submission: command.submission }),
        };
        break;
      case 'WaitForPoll':
        happened = yield* waitForPollOrCancel(new Date(command.fireAt));
        break;
      case 'Poll': {
        const { attempt, externalJobId, lastStatus, maxAttempts } = command;
        happened = {
          type: 'Polled',
          result: yield* run('pollJob', { attempt, externalJobId, lastStatus, maxAttempts }),
          now: now(),
        };
        break;
      }
      case 'CancelJob': {
        const { attempt, externalJobId, reason } = command;
        happened = { type: 'JobCancelled', result: yield* run('cancelJob', { attempt, externalJobId, reason }) };
        break;
      }
      case 'RecordCompensationFailure':
        happened = {
          type: 'CompensationFailureRecorded',
          result: yield* run('recordCompensationFailure', { step: command.step, error: command.error }),
        };
        break;
      case 'Complete':
        happened = {
          type: 'Completed',
          result: yield* run('completeRequest', {
            intake: input.intake,
            outcome: command.outcome,
            reason: command.reason,
          }),
        };
        break;
      case 'ContinueAsNew':
        // DTFx continues as new only once nothing this execution started is open: let a background
        // attempt finish (one activity) so its answer is booked rather than repeated.
        yield* publications.finishRunning();
        if (yield* cancelWaiting()) {
          happened = cancelRequested();
          break;
        }
        show(statusOf(command, state));
        context.df.continueAsNew({
          ...input,
          carried: { ...command.carried, ...publications.handOver() },
        } satisfies WorkflowInput);
        // The return value of an execution that continues as new is never seen.
        return {
          requestId,
          outcome: 'Fail',
          attempts: command.carried.attempt,
          version: command.carried.version,
          needsIntervention: false,
        };
      case 'End': {
        yield* publications.flush();
        const publishFailure = publications.count > 0 ? publications.lastFailure : undefined;
        const ended = { ...command, needsIntervention: command.needsIntervention || Boolean(publishFailure) };
        show(statusOf(ended, state));
        return {
          requestId,
          outcome: ended.outcome,
          reason: ended.reason,
          attempts: state.attempt,
          externalJobId: state.externalJobId,
          version: state.version,
          needsIntervention: ended.needsIntervention,
          ...(publishFailure ? { unpublishedVersions: publications.pending(), publishFailure } : {}),
        };
      }
    }
  }
}
