/**
 * DTFx history events as the JS SDK reads them: PascalCase keys, numeric EventType, ISO
 * timestamps (docs/DURABLE_PROTOCOL.md §5).
 */
export const EventType = {
  ExecutionStarted: 0,
  ExecutionCompleted: 1,
  ExecutionFailed: 2,
  ExecutionTerminated: 3,
  TaskScheduled: 4,
  TaskCompleted: 5,
  TaskFailed: 6,
  SubOrchestrationInstanceCreated: 7,
  SubOrchestrationInstanceCompleted: 8,
  SubOrchestrationInstanceFailed: 9,
  TimerCreated: 10,
  TimerFired: 11,
  OrchestratorStarted: 12,
  OrchestratorCompleted: 13,
  EventSent: 14,
  EventRaised: 15,
  ContinueAsNew: 16,
  GenericEvent: 17,
  HistoryState: 18,
  ExecutionSuspended: 19,
  ExecutionResumed: 20,
  ExecutionRewound: 21,
} as const;

export const EventTypeName: Record<number, string> = Object.fromEntries(
  Object.entries(EventType).map(([k, v]) => [v, k]),
);

export interface HistoryEvent {
  EventType: number;
  EventId: number;
  IsPlayed: boolean;
  Timestamp: string;
  [field: string]: unknown;
}

export function historyEvent(type: number, at: Date, fields: Record<string, unknown> = {}, eventId = -1): HistoryEvent {
  return { EventType: type, EventId: eventId, IsPlayed: false, Timestamp: at.toISOString(), ...fields };
}

/** Events whose EventId is a sequence number the orchestrator allocated. */
export function isScheduling(e: HistoryEvent): boolean {
  return (
    e.EventType === EventType.TaskScheduled ||
    e.EventType === EventType.TimerCreated ||
    e.EventType === EventType.SubOrchestrationInstanceCreated ||
    e.EventType === EventType.EventSent
  );
}

/** The sequence id a completion event refers to, or undefined for other events. */
export function completedTaskId(e: HistoryEvent): number | undefined {
  switch (e.EventType) {
    case EventType.TaskCompleted:
    case EventType.TaskFailed:
    case EventType.SubOrchestrationInstanceCompleted:
    case EventType.SubOrchestrationInstanceFailed:
      return Number(e.TaskScheduledId);
    case EventType.TimerFired:
      return Number(e.TimerId);
    default:
      return undefined;
  }
}

/** One pass over a history: which ids were scheduled (and how), and which are already done. */
export interface HistoryIndex {
  scheduled: Map<number, HistoryEvent>;
  completed: Set<number>;
}

export function indexHistory(history: readonly HistoryEvent[]): HistoryIndex {
  const scheduled = new Map<number, HistoryEvent>();
  const completed = new Set<number>();
  for (const e of history) {
    if (isScheduling(e)) scheduled.set(e.EventId, e);
    else {
      const id = completedTaskId(e);
      if (id !== undefined) completed.add(id);
    }
  }
  return { scheduled, completed };
}
