/**
 * Turning the cumulative action list into new history and work (docs/DURABLE_PROTOCOL.md §8):
 * sequence ids (skipping the hidden retry ids), the non-determinism check, new tasks, timers,
 * sub-orchestrations and the retry timeline.
 */
import { randomUUID } from 'node:crypto';
import { ActionType, consumesId, decodeActionInput, describeAction, type OrchestratorAction } from './actions';
import { EventType, historyEvent, type HistoryEvent, type HistoryIndex } from './history';
import type { Registration } from '../functions/types';
import { matchesExtended, scheduleExtended } from './entityActions';
import { HTTP_ACTIVITY } from './httpActivity';
import { advanceHttpPoll, isHttpPollStep } from './httpPolling';
import type { EventMessage, InstanceRecord, Message, RetryState } from './store/types';

export interface ActionWork {
  events: HistoryEvent[];
  send: Message[];
  children: { record: InstanceRecord; start: EventMessage }[];
  /** Pending timer messages to drop because the code canceled the timer. */
  canceledTimerMessages: string[];
  /** Set when the code no longer matches its history, or asked for something unsupported. */
  failure?: string;
}

export interface ApplyInput {
  record: InstanceRecord;
  index: HistoryIndex;
  actions: OrchestratorAction[];
  /** Events of this episode that make the SDK allocate hidden ids, in delivery order. */
  allocating: HistoryEvent[];
  /** Whether the orchestrator finished this episode by throwing (then missing actions are expected). */
  threw: boolean;
  now: Date;
  seq: () => number;
  /** The app's functions, for actions that name one (entities). */
  registrations?: Map<string, Registration>;
}

const sameName = (a: unknown, b: unknown): boolean => String(a).toLowerCase() === String(b).toLowerCase();

function matches(recorded: HistoryEvent, a: OrchestratorAction): boolean {
  switch (recorded.EventType) {
    case EventType.TaskScheduled:
      return (
        ((a.actionType === ActionType.CallActivity || a.actionType === ActionType.CallActivityWithRetry) &&
          sameName(recorded.Name, a.functionName)) ||
        matchesExtended(recorded, a)
      );
    case EventType.TimerCreated:
      return a.actionType === ActionType.CreateTimer;
    case EventType.SubOrchestrationInstanceCreated:
      return (
        (a.actionType === ActionType.CallSubOrchestrator || a.actionType === ActionType.CallSubOrchestratorWithRetry) &&
        sameName(recorded.Name, a.functionName)
      );
    default:
      return matchesExtended(recorded, a);
  }
}

function describeRecorded(e: HistoryEvent): string {
  if (e.EventType === EventType.TaskScheduled) return `an activity task named '${String(e.Name)}'`;
  if (e.EventType === EventType.SubOrchestrationInstanceCreated) return `a sub-orchestration named '${String(e.Name)}'`;
  if (e.EventType === EventType.TimerCreated) return 'a timer';
  if (e.EventType === EventType.EventSent) return `an entity operation on '${String(e.InstanceId)}'`;
  return `an event of type ${e.EventType}`;
}

const json = (v: unknown): string => JSON.stringify(v ?? null);

export function applyActions(input: ApplyInput): ActionWork {
  const { record, index } = input;
  const work: ActionWork = { events: [], send: [], children: [], canceledTimerMessages: [] };
  const hidden = new Set(record.hiddenIds);
  let next = 0;
  const nextId = (): number => {
    while (hidden.has(next)) next++;
    return next++;
  };
  const matched = new Set<number>();
  const fresh: [number, OrchestratorAction][] = [];
  for (const a of input.actions) {
    if (!consumesId(a)) continue;
    const id = nextId();
    const recorded = index.scheduled.get(id);
    if (recorded) {
      matched.add(id);
      if (!matches(recorded, a)) {
        work.failure = `Non-Deterministic workflow detected: A previous execution of this orchestration scheduled ${describeRecorded(recorded)} with sequence number ${id}, but the current replay instead scheduled ${describeAction(a)}. Was a change made to the orchestrator code after this instance had already started running?`;
        return work;
      }
      if (
        a.actionType === ActionType.CreateTimer &&
        a.isCanceled &&
        !index.completed.has(id) &&
        !record.canceledTimers.includes(id)
      ) {
        record.canceledTimers.push(id);
        work.canceledTimerMessages.push(timerMessageId(record, id));
      }
    } else {
      fresh.push([id, a]);
    }
  }
  if (!input.threw) {
    for (const [id, recorded] of index.scheduled) {
      if (!matched.has(id) && !hidden.has(id)) {
        work.failure = `Non-Deterministic workflow detected: A previous execution of this orchestration scheduled ${describeRecorded(recorded)} with sequence number ${id}, but the current replay hasn't (yet?) scheduled this task. Was a change made to the orchestrator code after this instance had already started running?`;
        return work;
      }
    }
  }
  for (const [id, a] of fresh) {
    const unsupported = scheduleNew(input, work, id, a);
    if (unsupported) {
      work.failure = unsupported;
      return work;
    }
  }
  // Hidden ids come after every id the user code took in this episode (the events were delivered last).
  const allocate = (): number => {
    const id = nextId();
    record.hiddenIds.push(id);
    return id;
  };
  const poll = {
    events: work.events,
    timer: (id: number, fireAt: Date) => work.send.push(timerMessage(record, id, fireAt, input.seq())),
    call: (id: number, requestJson: string) => scheduleActivity(input, work, id, HTTP_ACTIVITY, requestJson),
  };
  for (const e of input.allocating) {
    if (isHttpPollStep(record, index, e)) advanceHttpPoll(record, index, e, input.now, allocate, poll);
    else allocateRetryStep(input, work, e, allocate);
  }
  finishRetries(record, index);
  return work;
}

function timerMessageId(record: InstanceRecord, id: number): string {
  return `timer-${record.executionId}-${id}`;
}

export function timerMessage(record: InstanceRecord, id: number, fireAt: Date, seq: number): EventMessage {
  return {
    kind: 'event',
    id: timerMessageId(record, id),
    instanceId: record.instanceId,
    executionId: record.executionId,
    dueAt: fireAt.getTime(),
    seq,
    event: historyEvent(EventType.TimerFired, fireAt, { TimerId: id, FireAt: fireAt.toISOString() }),
  };
}

/** What scheduling one action needs from the episode. */
export type Scheduling = Pick<ApplyInput, 'record' | 'now' | 'seq'>;

export function scheduleActivity(
  input: Scheduling,
  work: ActionWork,
  id: number,
  name: string,
  inputJson: string,
): void {
  const { record, now } = input;
  work.events.push(historyEvent(EventType.TaskScheduled, now, { Name: name, Version: '', Input: inputJson }, id));
  work.send.push({
    kind: 'activity',
    id: `act-${record.executionId}-${id}`,
    instanceId: record.instanceId,
    executionId: record.executionId,
    dueAt: now.getTime(),
    seq: input.seq(),
    taskId: id,
    name,
    input: inputJson,
  });
}

export function scheduleSubOrchestration(
  input: Scheduling,
  work: ActionWork,
  id: number,
  name: string,
  inputJson: string,
  childId: string | undefined,
  version?: string,
): void {
  const { record, now } = input;
  const instanceId = childId ?? `${record.instanceId}:${id}`;
  work.events.push(
    historyEvent(
      EventType.SubOrchestrationInstanceCreated,
      now,
      { Name: name, Version: version ?? '', InstanceId: instanceId, Input: inputJson },
      id,
    ),
  );
  const executionId = randomUUID();
  const child: InstanceRecord = {
    instanceId,
    name,
    version,
    executionId,
    runtimeStatus: 'Pending',
    input: inputJson,
    createdTime: now.toISOString(),
    lastUpdatedTime: now.toISOString(),
    parent: { instanceId: record.instanceId, executionId: record.executionId, taskId: id },
    hiddenIds: [],
    retries: {},
    canceledTimers: [],
  };
  work.children.push({ record: child, start: startMessage(child, now, input.seq()) });
}

export function startMessage(record: InstanceRecord, now: Date, seq: number): EventMessage {
  return {
    kind: 'event',
    id: `start-${record.executionId}`,
    instanceId: record.instanceId,
    executionId: record.executionId,
    dueAt: now.getTime(),
    seq,
    event: historyEvent(EventType.ExecutionStarted, now, {
      OrchestrationInstance: { InstanceId: record.instanceId, ExecutionId: record.executionId },
      ParentInstance: record.parent
        ? {
            OrchestrationInstance: { InstanceId: record.parent.instanceId, ExecutionId: record.parent.executionId },
            TaskScheduleId: record.parent.taskId,
          }
        : null,
      Name: record.name,
      Version: record.version ?? '',
      Input: record.input,
      Tags: null,
      Correlation: null,
      ScheduledStartTime: null,
      Generation: 0,
    }),
  };
}

function scheduleNew(input: ApplyInput, work: ActionWork, id: number, a: OrchestratorAction): string | undefined {
  const { record, now } = input;
  const inputJson = json(decodeActionInput(a));
  switch (a.actionType) {
    case ActionType.CallActivity:
      scheduleActivity(input, work, id, String(a.functionName), inputJson);
      return undefined;
    case ActionType.CallActivityWithRetry:
    case ActionType.CallSubOrchestratorWithRetry: {
      const kind = a.actionType === ActionType.CallActivityWithRetry ? 'activity' : 'subOrchestration';
      if (!a.retryOptions) return `Action ${id} (${describeAction(a)}) has no retryOptions.`;
      record.retries[String(id)] = {
        kind,
        name: String(a.functionName),
        input: inputJson,
        childInstanceId: a.instanceId,
        version: a.version,
        options: a.retryOptions,
        attempt: 1,
        currentTaskId: id,
        waitingOnTimer: false,
      };
      if (kind === 'activity') scheduleActivity(input, work, id, String(a.functionName), inputJson);
      else scheduleSubOrchestration(input, work, id, String(a.functionName), inputJson, a.instanceId, a.version);
      return undefined;
    }
    case ActionType.CallSubOrchestrator:
      scheduleSubOrchestration(input, work, id, String(a.functionName), inputJson, a.instanceId, a.version);
      return undefined;
    case ActionType.CreateTimer: {
      const fireAt = new Date(String(a.fireAt));
      work.events.push(historyEvent(EventType.TimerCreated, now, { FireAt: fireAt.toISOString() }, id));
      if (a.isCanceled) record.canceledTimers.push(id);
      else work.send.push(timerMessage(record, id, fireAt, input.seq()));
      return undefined;
    }
    default:
      return scheduleExtended(input, work, id, a);
  }
}

function retryDelay(options: RetryState['options'], attempt: number): number {
  const raw = options.firstRetryIntervalInMilliseconds * Math.pow(options.backoffCoefficient ?? 1, attempt - 1);
  const cap = options.maxRetryIntervalInMilliseconds;
  return cap && cap > 0 ? Math.min(raw, cap) : raw;
}

function allocateRetryStep(input: ApplyInput, work: ActionWork, e: HistoryEvent, allocate: () => number): void {
  const { record, now } = input;
  const taskId = Number(e.EventType === EventType.TimerFired ? e.TimerId : e.TaskScheduledId);
  const retry = Object.values(record.retries).find((r) => r.currentTaskId === taskId);
  if (!retry) return;
  if (!retry.waitingOnTimer) {
    // Attempt k failed: arm the retry timer, or the final immediate "dummy" timer after the last attempt.
    const id = allocate();
    const last = retry.attempt >= retry.options.maxNumberOfAttempts;
    const fireAt = new Date(now.getTime() + (last ? 0 : retryDelay(retry.options, retry.attempt)));
    work.events.push(historyEvent(EventType.TimerCreated, now, { FireAt: fireAt.toISOString() }, id));
    work.send.push(timerMessage(record, id, fireAt, input.seq()));
    retry.currentTaskId = id;
    retry.waitingOnTimer = true;
  } else {
    const id = allocate();
    retry.attempt++;
    retry.currentTaskId = id;
    retry.waitingOnTimer = false;
    if (retry.kind === 'activity') scheduleActivity(input, work, id, retry.name, retry.input);
    else scheduleSubOrchestration(input, work, id, retry.name, retry.input, retry.childInstanceId, retry.version);
  }
}

/** Forgets retry groups that ended: a successful attempt, or the final dummy timer fired. */
function finishRetries(record: InstanceRecord, index: HistoryIndex): void {
  for (const [key, r] of Object.entries(record.retries)) {
    if (!index.completed.has(r.currentTaskId)) continue;
    const doneBySuccess = !r.waitingOnTimer;
    const doneByFinalTimer = r.waitingOnTimer && r.attempt >= r.options.maxNumberOfAttempts;
    if (doneBySuccess || doneByFinalTimer) delete record.retries[key];
  }
}
