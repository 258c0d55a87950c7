/**
 * InstanceStatus as the Durable HTTP API reports it, including the `historyEvents`
 * transformation of DurableClient.cs (docs/DURABLE_PROTOCOL.md §9.3).
 */
import type { InstanceStatus } from './api';
import { EventType, EventTypeName, isScheduling, type HistoryEvent } from './history';
import type { InstanceRecord } from './store/types';

const parse = (text: string | undefined): unknown => (text === undefined ? null : JSON.parse(text));

export function toStatus(record: InstanceRecord, showInput = true): InstanceStatus {
  return {
    name: record.name,
    instanceId: record.instanceId,
    runtimeStatus: record.runtimeStatus,
    input: showInput ? parse(record.input) : null,
    customStatus: parse(record.customStatus),
    output: parse(record.output),
    createdTime: record.createdTime,
    lastUpdatedTime: record.lastUpdatedTime,
  };
}

const tryParse = (v: unknown): unknown => {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
};

export function historyEventsView(
  history: readonly HistoryEvent[],
  opts: { showHistoryOutput?: boolean; showInput?: boolean },
): Record<string, unknown>[] {
  const scheduled = new Map<number, HistoryEvent>();
  const completedIds = new Set<number>();
  for (const e of history) {
    if (isScheduling(e)) scheduled.set(e.EventId, e);
    else if (e.TaskScheduledId !== undefined) completedIds.add(Number(e.TaskScheduledId));
  }
  const out: Record<string, unknown>[] = [];
  for (const e of history) {
    const type = e.EventType;
    if (type === EventType.OrchestratorStarted || type === EventType.OrchestratorCompleted) continue;
    // A scheduled task whose completion arrived is represented by that completion.
    if (
      (type === EventType.TaskScheduled || type === EventType.SubOrchestrationInstanceCreated) &&
      completedIds.has(e.EventId)
    )
      continue;
    const view: Record<string, unknown> = { ...e, EventType: EventTypeName[type] ?? String(type) };
    delete view.EventId;
    delete view.IsPlayed;
    if (type === EventType.ExecutionStarted) {
      view.FunctionName = view.Name;
      for (const k of ['Name', 'OrchestrationInstance', 'ParentInstance', 'Version', 'Tags']) delete view[k];
      if (opts.showInput === false) delete view.Input;
    }
    if (type === EventType.TimerFired) delete view.TimerId;
    if (e.TaskScheduledId !== undefined) {
      const source = scheduled.get(Number(e.TaskScheduledId));
      if (source) {
        view.FunctionName = source.Name;
        view.ScheduledTime = source.Timestamp;
        if (opts.showInput) view.Input = tryParse(source.Input);
      }
      delete view.TaskScheduledId;
    }
    if ('Result' in view) {
      if (opts.showHistoryOutput) view.Result = tryParse(view.Result);
      else delete view.Result;
    }
    out.push(view);
  }
  return out;
}
