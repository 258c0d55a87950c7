/**
 * The Gantt rows of one orchestration execution, from its Durable HTTP API history (`historyEvents`):
 * the execution, each activity (scheduled → completed/failed, or still running), each durable timer
 * (created → fired, or pending) and each raised event as a point.
 */
export interface TimelineRow {
  kind: 'execution' | 'activity' | 'timer' | 'event';
  name: string;
  start: string;
  /** Absent while running / pending. */
  end?: string;
  status: 'running' | 'completed' | 'failed' | 'pending' | 'fired' | 'raised' | string;
}

type H = Record<string, unknown>;
const str = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : v instanceof Date ? v.toISOString() : undefined;

export function timelineOf(history: H[]): TimelineRow[] {
  const rows: TimelineRow[] = [];
  const openTimers: TimelineRow[] = [];
  let execution: TimelineRow | undefined;
  for (const e of history) {
    const at = str(e.Timestamp) ?? '';
    switch (e.EventType) {
      case 'ExecutionStarted':
        execution = {
          kind: 'execution',
          name: String(e.FunctionName ?? e.Name ?? 'orchestration'),
          start: at,
          status: 'running',
        };
        rows.push(execution);
        break;
      case 'ExecutionCompleted':
      case 'ExecutionTerminated':
      case 'ContinueAsNew':
        if (execution) {
          execution.end = at;
          execution.status = String(e.OrchestrationStatus ?? e.EventType).toLowerCase();
        }
        // A timer the orchestrator stopped waiting for (e.g. a cancel won the race) never fires.
        for (const t of openTimers.filter((t) => t.status === 'pending')) {
          t.end = at;
          t.status = 'abandoned';
        }
        break;
      case 'TaskCompleted':
      case 'TaskFailed':
        rows.push({
          kind: 'activity',
          name: String(e.FunctionName ?? 'activity'),
          start: str(e.ScheduledTime) ?? at,
          end: at,
          status: e.EventType === 'TaskFailed' ? 'failed' : 'completed',
        });
        break;
      case 'TaskScheduled':
        rows.push({
          kind: 'activity',
          name: String(e.Name ?? e.FunctionName ?? 'activity'),
          start: at,
          status: 'running',
        });
        break;
      case 'TimerCreated': {
        const row: TimelineRow = {
          kind: 'timer',
          name: `timer until ${str(e.FireAt) ?? '?'}`,
          start: at,
          status: 'pending',
        };
        openTimers.push(row);
        rows.push(row);
        break;
      }
      case 'TimerFired': {
        const fireAt = str(e.FireAt);
        const created = openTimers.find((t) => t.name === `timer until ${fireAt ?? '?'}` && t.status === 'pending');
        if (created) {
          created.end = at;
          created.status = 'fired';
        } else {
          rows.push({ kind: 'timer', name: `timer until ${fireAt ?? '?'}`, start: at, end: at, status: 'fired' });
        }
        break;
      }
      case 'EventRaised':
        rows.push({ kind: 'event', name: `event ${String(e.Name ?? '')}`, start: at, end: at, status: 'raised' });
        break;
      default:
        break;
    }
  }
  return rows;
}
