/**
 * The actions beyond activities, timers and sub-orchestrations: calling and signalling entities
 * (EventSent in the caller's history, an `op` message to the entity) and callHttp (the extension's
 * built-in activity `BuiltIn::HttpActivity`). Anything else the SDK can emit fails the instance
 * with a message naming the feature, rather than hanging.
 */
import { ActionType, describeAction, type OrchestratorAction } from './actions';
import { scheduleActivity, type ActionWork, type ApplyInput } from './applyActions';
import { entityOf, entityRegistration, requestMessage, unknownEntityMessage, type EntityRequest } from './entities';
import { EventType, historyEvent, type HistoryEvent } from './history';
import { HTTP_ACTIVITY } from './httpActivity';

const ENTITY_ACTIONS = new Set<number>([
  ActionType.CallEntity,
  ActionType.SignalEntity,
  ActionType.ScheduledSignalEntity,
]);
const sameText = (a: unknown, b: unknown): boolean => String(a).toLowerCase() === String(b).toLowerCase();

/** Whether a recorded scheduling event is what this action would have produced (the non-determinism check). */
export function matchesExtended(recorded: HistoryEvent, a: OrchestratorAction): boolean {
  if (recorded.EventType === EventType.EventSent) {
    return ENTITY_ACTIONS.has(a.actionType) && sameText(recorded.InstanceId, a.instanceId);
  }
  if (recorded.EventType === EventType.TaskScheduled)
    return a.actionType === ActionType.CallHttp && recorded.Name === HTTP_ACTIVITY;
  return false;
}

/** Schedules an entity operation or an HTTP call at sequence id `id`; returns a failure message for anything it cannot model. */
export function scheduleExtended(
  input: ApplyInput,
  work: ActionWork,
  id: number,
  a: OrchestratorAction,
): string | undefined {
  switch (a.actionType) {
    case ActionType.CallEntity:
    case ActionType.SignalEntity:
    case ActionType.ScheduledSignalEntity:
      return scheduleEntityOperation(input, work, id, a);
    case ActionType.CallHttp:
      scheduleActivity(input, work, id, HTTP_ACTIVITY, JSON.stringify(a.httpRequest ?? {}));
      return undefined;
    case ActionType.LockEntities:
    case ActionType.ReleaseEntities:
      return 'The devhost does not model entity locks (context.df.lock, critical sections); in Azure the extension grants the locks in order and holds the entities for the orchestration.';
    default:
      return `The devhost does not support ${describeAction(a)}: the Durable extension would run it, the devhost does not model it.`;
  }
}

function scheduleEntityOperation(
  input: ApplyInput,
  work: ActionWork,
  id: number,
  a: OrchestratorAction,
): string | undefined {
  const { record, now } = input;
  const target = String(a.instanceId);
  const entity = entityOf(target);
  if (!entity) return `Action ${id} (${describeAction(a)}) does not name an entity as @name@key.`;
  // The extension checks the function before sending (ThrowIfFunctionDoesNotExist), failing the orchestration.
  if (input.registrations && !entityRegistration(input.registrations, entity.name))
    return unknownEntityMessage(entity.name, input.registrations);
  const signal = a.actionType !== ActionType.CallEntity;
  // A scheduled signal is delivered at fireAt (the extension's SignalEntity(entityId, fireAt, …)).
  const dueAt =
    a.actionType === ActionType.ScheduledSignalEntity && a.fireAt
      ? Math.max(new Date(a.fireAt).getTime(), now.getTime())
      : now.getTime();
  const request: EntityRequest = {
    id: `${record.executionId}:${id}`,
    op: String(a.operation),
    signal,
    input: a.input === undefined ? undefined : JSON.stringify(a.input),
    parent: record.instanceId,
    parentExecution: record.executionId,
    timestamp: now.toISOString(),
  };
  work.events.push(
    historyEvent(EventType.EventSent, now, { InstanceId: target, Name: 'op', Input: JSON.stringify(request) }, id),
  );
  work.send.push(requestMessage(target, request, `entity-op-${record.executionId}-${id}`, dueAt, input.seq()));
  return undefined;
}
