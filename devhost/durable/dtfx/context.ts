/**
 * DTFx's orchestration context (Azure/durabletask, src/DurableTask.Core/TaskOrchestrationContext.cs):
 * one id counter, the map of actions this replay produced that history has not yet confirmed, the
 * open tasks, continue-as-new and the carried-over events. The Handle… methods check history
 * against the replay exactly where DTFx does and throw its NonDeterministicOrchestrationException text.
 */
import type { OrchestratorAction } from '../actions';
import { EventType, type HistoryEvent } from '../history';
import { ModelTask } from './task';

/** `source`: the SDK action it came from (its input is encoded only if the action turns out to be new). */
export type ModelAction =
  | { kind: 'task'; id: number; name: string; source: OrchestratorAction }
  | { kind: 'timer'; id: number; fireAt: Date; canceled: boolean }
  | { kind: 'subOrchestration'; id: number; name: string; source: OrchestratorAction };

/** .NET type names DTFx puts in its messages. */
const TYPE_NAME: Record<ModelAction['kind'], string> = {
  task: 'ScheduleTaskOrchestratorAction',
  timer: 'CreateTimerOrchestratorAction',
  subOrchestration: 'CreateSubOrchestrationAction',
};

/** FrameworkConstants.FakeTimerIdToSplitDecision: a marker timer DTFx skips on replay. */
const FAKE_TIMER_ID = -100;

export class NonDeterministicOrchestrationException extends Error {
  constructor(details: string) {
    super(`Non-Deterministic workflow detected: ${details}`);
  }
}

const CHANGED = 'Was a change made to the orchestrator code after this instance had already started running?';
const sameName = (a: unknown, b: unknown): boolean => String(a).toLowerCase() === String(b).toLowerCase();

/** A CancellationTokenSource: callbacks run synchronously inside cancel(). */
export class CancelToken {
  canceled = false;
  private callbacks: (() => void)[] = [];
  register(cb: () => void): void {
    if (this.canceled) cb();
    else this.callbacks.push(cb);
  }
  cancel(): void {
    this.canceled = true;
    for (const cb of this.callbacks.splice(0)) cb();
  }
}

export class OrchestrationContextModel {
  currentUtcDateTime = new Date(0);
  private idCounter = 0;
  /** orchestratorActionsMap: what the replay scheduled that history has not confirmed (yet). */
  readonly actions = new Map<number, ModelAction>();
  private readonly openTasks = new Map<number, ModelTask>();
  continueAsNew: { input: unknown } | undefined;
  readonly carryover: HistoryEvent[] = [];
  private suspended = false;
  private readonly eventsWhileSuspended: HistoryEvent[] = [];
  private readonly suspendedActions = new Map<number, ModelAction>();

  get hasOpenTasks(): boolean {
    return this.openTasks.size > 0;
  }

  private open(action: ModelAction): ModelTask {
    this.actions.set(action.id, action);
    const task = new ModelTask();
    this.openTasks.set(action.id, task);
    return task;
  }

  scheduleTask(source: OrchestratorAction): ModelTask {
    return this.open({ kind: 'task', id: this.idCounter++, name: String(source.functionName), source });
  }

  createSubOrchestration(source: OrchestratorAction): ModelTask {
    return this.open({ kind: 'subOrchestration', id: this.idCounter++, name: String(source.functionName), source });
  }

  /** A cancelled timer's task is Canceled and leaves the open tasks the moment the token is cancelled. */
  createTimer(fireAt: Date, token?: CancelToken): ModelTask {
    const action: ModelAction = { kind: 'timer', id: this.idCounter++, fireAt, canceled: false };
    const task = this.open(action);
    token?.register(() => {
      if (task.trySet('canceled')) {
        action.canceled = true;
        this.openTasks.delete(action.id);
      }
    });
    return task;
  }

  setContinueAsNew(input: unknown): void {
    this.continueAsNew = { input };
  }

  /** Applies one history event (TaskOrchestrationExecutor.ProcessEvent), with the orchestration's RaiseEvent. */
  processEvent(
    e: HistoryEvent,
    start: (e: HistoryEvent) => void,
    raiseEvent: (name: string, input: string | undefined) => void,
  ): void {
    const overrides = e.EventType === EventType.ExecutionResumed || e.EventType === EventType.ExecutionTerminated;
    if (this.suspended && !overrides) {
      if (e.EventType !== EventType.ExecutionSuspended) this.eventsWhileSuspended.push(e);
      return;
    }
    switch (e.EventType) {
      case EventType.ExecutionStarted:
        start(e);
        return;
      case EventType.TaskScheduled:
        return this.confirm(e, 'task');
      case EventType.TimerCreated:
        if (e.EventId !== FAKE_TIMER_ID) this.confirm(e, 'timer');
        return;
      case EventType.SubOrchestrationInstanceCreated:
        return this.confirm(e, 'subOrchestration');
      case EventType.TaskCompleted:
      case EventType.SubOrchestrationInstanceCompleted:
        return this.settle(Number(e.TaskScheduledId), 'completed');
      case EventType.TaskFailed:
      case EventType.SubOrchestrationInstanceFailed:
        return this.settle(Number(e.TaskScheduledId), 'faulted');
      case EventType.TimerFired:
        return this.settle(Number(e.TimerId), 'completed');
      case EventType.EventRaised:
        // BehaviorOnContinueAsNew.Carryover, the Azure Storage provider's default.
        if (this.continueAsNew) this.carryover.push(e);
        else raiseEvent(String(e.Name), e.Input as string | undefined);
        return;
      case EventType.ExecutionSuspended:
        this.suspended = true;
        for (const [id, a] of this.actions) this.suspendedActions.set(id, a);
        this.actions.clear();
        return;
      case EventType.ExecutionResumed:
        this.suspended = false;
        for (const [id, a] of this.suspendedActions) this.actions.set(id, a);
        this.suspendedActions.clear();
        while (this.eventsWhileSuspended.length > 0)
          this.processEvent(this.eventsWhileSuspended.shift()!, start, raiseEvent);
        return;
      default:
        return;
    }
  }

  /** A completion for a task that is not open is a duplicate and ignored (LogDuplicateEvent). */
  private settle(id: number, outcome: 'completed' | 'faulted'): void {
    const task = this.openTasks.get(id);
    if (!task) return;
    task.trySet(outcome);
    this.openTasks.delete(id);
  }

  /** HandleTaskScheduledEvent / HandleTimerCreatedEvent / HandleSubOrchestrationCreatedEvent. */
  private confirm(e: HistoryEvent, kind: ModelAction['kind']): void {
    const id = e.EventId;
    const current = this.actions.get(id);
    if (!current) throw new NonDeterministicOrchestrationException(missing(e, kind));
    if (current.kind !== kind)
      throw new NonDeterministicOrchestrationException(wrongKind(e, kind, TYPE_NAME[current.kind]));
    if (current.kind !== 'timer' && !sameName(e.Name, current.name))
      throw new NonDeterministicOrchestrationException(renamed(e, kind, current.name));
    this.actions.delete(id);
  }
}

function subOrchestrationPrefix(e: HistoryEvent): string {
  return (
    `A previous execution of this orchestration scheduled a sub-orchestration task with sequence ID ${e.EventId} ` +
    `and name '${String(e.Name)}' (version '${String(e.Version ?? '')}', instance ID '${String(e.InstanceId)}'), but the current`
  );
}

function missing(e: HistoryEvent, kind: ModelAction['kind']): string {
  const id = e.EventId;
  if (kind === 'task') {
    return (
      `A previous execution of this orchestration scheduled an activity task with sequence ID ${id} and name '${String(e.Name)}' (version '${String(e.Version ?? '')}'), ` +
      `but the current replay execution hasn't (yet?) scheduled this task. ${CHANGED}`
    );
  }
  if (kind === 'timer')
    return `A previous execution of this orchestration scheduled a timer task with sequence number ${id} but the current replay execution hasn't (yet?) scheduled this task. ${CHANGED}`;
  return `${subOrchestrationPrefix(e)} replay execution hasn't (yet?) scheduled this task. ${CHANGED}`;
}

function wrongKind(e: HistoryEvent, kind: ModelAction['kind'], actual: string): string {
  const id = e.EventId;
  if (kind === 'task') {
    return (
      `A previous execution of this orchestration scheduled an activity task with sequence number ${id} named '${String(e.Name)}', ` +
      `but the current orchestration replay instead produced a ${actual} action with this sequence number. ${CHANGED}`
    );
  }
  if (kind === 'timer') {
    return (
      `A previous execution of this orchestration scheduled a timer task with sequence number ${id} named but the current orchestration replay ` +
      `instead produced a ${actual} action with this sequence number. ${CHANGED}`
    );
  }
  return `${subOrchestrationPrefix(e)} orchestration replay instead produced a ${actual} action at this sequence number. ${CHANGED}`;
}

function renamed(e: HistoryEvent, kind: ModelAction['kind'], actual: string): string {
  if (kind === 'task') {
    return (
      `A previous execution of this orchestration scheduled an activity task with sequence number ${e.EventId} named '${String(e.Name)}', ` +
      `but the current orchestration replay instead scheduled an activity task named '${actual}' with this sequence number.  ${CHANGED}`
    );
  }
  return `${subOrchestrationPrefix(e)} orchestration replay instead scheduled a sub-orchestration task with name ${actual} at this sequence number. ${CHANGED}`;
}
