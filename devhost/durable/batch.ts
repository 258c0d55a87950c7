/**
 * Choosing which pending messages an episode consumes, and in which order the orchestrator sees
 * them (docs/DURABLE_PROTOCOL.md §7, §8.3).
 */
import { completedTaskId, EventType, type HistoryEvent, type HistoryIndex } from './history';
import { isHttpPollStep } from './httpPolling';
import type { EventMessage, InstanceRecord, RetryState } from './store/types';

export const TERMINAL = new Set(['Completed', 'Failed', 'Terminated', 'Canceled']);
/** Table transactions take at most 100 operations; the rest waits for the next episode. */
export const MAX_BATCH = 80;

export interface Batch {
  /** Messages acknowledged by this episode (delivered or dropped as duplicates/stale). */
  consumed: string[];
  terminate?: EventMessage;
  /** Suspend/resume events, in arrival order; the last one decides. */
  control: EventMessage[];
  /** Events the orchestrator sees, in delivery order: retry id-allocating events last. */
  events: HistoryEvent[];
  /** Subset of `events` that make the SDK allocate a hidden id, in order. */
  allocating: HistoryEvent[];
}

export function retryFor(record: InstanceRecord, taskId: number): [string, RetryState] | undefined {
  for (const entry of Object.entries(record.retries)) if (entry[1].currentTaskId === taskId) return entry;
  return undefined;
}

/** True when the SDK allocates a hidden id while processing `e` (§8.3). */
export function isAllocating(record: InstanceRecord, e: HistoryEvent): boolean {
  const id = completedTaskId(e);
  if (id === undefined) return false;
  const retry = retryFor(record, id)?.[1];
  if (!retry) return false;
  const failed = e.EventType === EventType.TaskFailed || e.EventType === EventType.SubOrchestrationInstanceFailed;
  if (failed) return !retry.waitingOnTimer;
  return (
    e.EventType === EventType.TimerFired && retry.waitingOnTimer && retry.attempt < retry.options.maxNumberOfAttempts
  );
}

export function planBatch(
  record: InstanceRecord,
  index: HistoryIndex,
  historyEmpty: boolean,
  messages: EventMessage[],
  now: Date,
): Batch {
  const batch: Batch = { consumed: [], control: [], events: [], allocating: [] };
  const terminal = TERMINAL.has(record.runtimeStatus);
  const seenIds = new Set<number>();
  let suspended = record.runtimeStatus === 'Suspended';
  for (const m of messages.slice(0, MAX_BATCH)) {
    const e = m.event;
    const stale = m.executionId !== undefined && m.executionId !== record.executionId;
    if (terminal || stale) {
      batch.consumed.push(m.id);
      continue;
    }
    if (e.EventType === EventType.ExecutionTerminated) {
      batch.terminate = m;
      batch.consumed.push(m.id);
      continue;
    }
    if (e.EventType === EventType.ExecutionSuspended || e.EventType === EventType.ExecutionResumed) {
      suspended = e.EventType === EventType.ExecutionSuspended;
      batch.control.push(m);
      batch.consumed.push(m.id);
      continue;
    }
    if (suspended) continue; // kept for after resume
    if (e.EventType === EventType.ExecutionStarted) {
      if (historyEmpty) batch.events.unshift({ ...e, Timestamp: now.toISOString() });
      batch.consumed.push(m.id);
      continue;
    }
    const id = completedTaskId(e);
    if (id !== undefined) {
      if (index.completed.has(id) || seenIds.has(id)) {
        batch.consumed.push(m.id); // duplicate delivery after a crash
        continue;
      }
      // Not scheduled yet: its episode's commit may still be in flight; wait for it.
      if (!index.scheduled.has(id)) continue;
      seenIds.add(id);
    }
    batch.consumed.push(m.id);
    const delivered: HistoryEvent = { ...e, Timestamp: now.toISOString(), IsPlayed: false };
    if (isAllocating(record, delivered) || isHttpPollStep(record, index, delivered)) batch.allocating.push(delivered);
    else batch.events.push(delivered);
  }
  batch.events.push(...batch.allocating);
  return batch;
}
